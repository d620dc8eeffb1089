"""`python -m qa.tools.fit_collection_questions`: fit the collection-question detector, cross-validated.

Data (paths relative to the repository; missing files are skipped):
- `eval/collection_questions.jsonl`: questions about the collection in 27 languages, each
  with its `lang` and `intent`: `listing` ("What documents do I have?"), `finding` ("Which
  files mention the budget?", with the `subject` it names, as written in the question) or
  `other`, the look-alikes that ask about what the documents say ("What does the report
  say about the budget?", "Which countries are mentioned in the article?", "What will they
  discuss?") and overview questions ("What is this document about?").
- `eval/overview_questions.jsonl`, every question of the shared eval sets and
  `eval/multilingual_qa.jsonl`: none asks about the collection (as in `qa.tools.fit_overview`).

Each question is embedded as `answer` embeds it. Cross-validation holds out whole groups:
a language at a time (the collection and overview files share them: does the detector
recognise a language it never saw?), PIAF questions by article. The threshold on the
probability of "not other" is the lowest that keeps out-of-fold false detections on the
other questions at `qa.tools.fit_overview.MAX_FALSE_SHARE` or under.

The word model (which key words of a finding question name its subject) is fitted on the
key words of the listing and finding questions (a word outside the `subject` frames the
question) and on the key words of the questions of the eval sets (subjects all: what
ordinary questions look for), cross-validated by language too; its figure is the share of
held-out finding questions whose subject words come out exactly. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

import numpy as np

from qa.answering.collection_questions import COLLECTION_PATH, INTENTS, CollectionQuestionDetector
from qa.config import Settings
from qa.tools.fit_overview import FOLDS, MAX_FALSE_SHARE, OVERVIEW_FILE, QUESTION_SETS, ROOT, SQUAD_SETS, choose_threshold, embed

COLLECTION_FILE = ROOT / "eval" / "collection_questions.jsonl"
# The intent model's inverse regularisation, chosen on the cross-validated figures (2026-12-06,
# held-out languages): C=1 recognised 59/103 listing and 48/95 finding questions, C=4 84 and 62,
# C=16 96 and 68, C=64 95 and 68; each with 2 of 2,476 other questions taken for one.
C = 16.0
# The word model's.
FRAME_C = 1.0
COMMAND = "python -m qa.tools.fit_collection_questions"

logger = logging.getLogger(__name__)


def _jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def questions() -> tuple[list[str], np.ndarray, list[str], list[str], list[str | None]]:
    """(questions, `INTENTS` indexes, cross-validation groups, languages, finding subjects)."""
    rows: list[tuple[str, int, str, str, str | None]] = []
    for row in _jsonl(COLLECTION_FILE):
        rows.append((row["question"], INTENTS.index(row["intent"]), f"lang:{row['lang']}", row["lang"], row.get("subject")))
    if OVERVIEW_FILE.is_file():
        rows += [(row["question"], 0, f"lang:{row['lang']}", row["lang"], None) for row in _jsonl(OVERVIEW_FILE)]
    for path in QUESTION_SETS:
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        rows += [(row["question"], 0, f"set:{path.name}", row.get("lang") or "?", None) for row in _jsonl(path)]
    for path in SQUAD_SETS:
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        for a, article in enumerate(json.loads(path.read_text(encoding="utf-8"))["data"]):
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    rows.append((qa["question"], 0, f"article:{article.get('title', a)}", qa.get("lang", "fr"), None))
    texts, intents, groups, languages, subjects = (list(column) for column in zip(*rows))
    return texts, np.array(intents), groups, languages, subjects


def cross_validate(vectors: np.ndarray, intents: np.ndarray, groups: list[str]) -> np.ndarray:
    """Out-of-fold class probabilities, whole groups held out together."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros((len(intents), len(INTENTS)))
    for train, test in GroupKFold(n_splits=FOLDS).split(vectors, intents, groups):
        out[test] = CollectionQuestionDetector().fit(vectors[train], intents[train], c=C).probabilities(vectors[test])
    return out


def predicted(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """The `INTENTS` index each row is taken for, as `CollectionQuestionDetector.intent` decides."""
    about = 1.0 - probabilities[:, 0] >= threshold
    return np.where(about, np.where(probabilities[:, 1] >= probabilities[:, 2], 1, 2), 0)


def report(probabilities: np.ndarray, intents: np.ndarray, languages: list[str], threshold: float) -> dict:
    taken = predicted(probabilities, threshold)
    figures: dict = {}
    for i, name in enumerate(INTENTS[1:], start=1):
        rows = intents == i
        figures[f"{name} questions recognised"] = f"{int((taken[rows] == i).sum())}/{int(rows.sum())}"
    others = intents == 0
    figures["other questions taken for collection questions"] = f"{int((taken[others] != 0).sum())}/{int(others.sum())}"
    by_language = {}
    for language in sorted({l for l, i in zip(languages, intents) if i}):
        rows = np.array([l == language for l in languages]) & (intents != 0)
        by_language[language] = f"{int((taken[rows] == intents[rows]).sum())}/{int(rows.sum())}"
    figures["recognised by language (listing and finding)"] = by_language
    figures["taken for collection questions"] = [int(i) for i in np.flatnonzero((taken != 0) & others)]
    return figures


def frame_words(texts, intents, groups, subjects) -> tuple[list[str], np.ndarray, list[str], list[int]]:
    """The key words the word model learns from: (words, frames the question?, groups, question of each)."""
    from qa.text.lexical import key_words

    words, framing, word_groups, owners = [], [], [], []
    seen: set[tuple[str, str]] = set()
    for q, (text, intent, group, subject) in enumerate(zip(texts, intents, groups, subjects)):
        if intent == 0 and not group.startswith("set:"):
            continue  # look-alikes and PIAF: their words are neither frame nor subject for sure
        named = set(key_words(subject)) if subject else set()
        for word in key_words(text):
            frames = bool(intent) and word not in named
            if intent == 0 and (word, group) in seen:
                continue
            seen.add((word, group))
            words.append(word)
            framing.append(frames)
            word_groups.append(group)
            owners.append(q)
    return words, np.array(framing), word_groups, owners


def cross_validate_frame(vectors, framing, groups) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(framing))
    for train, test in GroupKFold(n_splits=FOLDS).split(vectors, framing, groups):
        out[test] = CollectionQuestionDetector().fit_frame(vectors[train], framing[train], c=FRAME_C).framing(vectors[test])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=COLLECTION_PATH, help="where to write the fitted detector")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    texts, intents, groups, languages, subjects = questions()
    vectors = embed(texts, settings)
    validated = cross_validate(vectors, intents, groups)
    threshold = choose_threshold(1.0 - validated[:, 0], intents != 0)
    figures = report(validated, intents, languages, threshold)
    figures["taken for collection questions"] = [texts[i] for i in figures["taken for collection questions"]]

    from qa.encoding.embedding import load_embedder

    words, framing, word_groups, owners = frame_words(texts, intents, groups, subjects)
    embedder = load_embedder(settings)
    word_vectors = np.vstack([embedder.embed_queries(words[i : i + 256]) for i in range(0, len(words), 256)])
    frame_validated = cross_validate_frame(word_vectors, framing, word_groups)
    findings = sorted({q for q in owners if intents[q] == 2})
    exact = sum(
        all((frame_validated[w] >= 0.5) == framing[w] for w in range(len(words)) if owners[w] == q) for q in findings
    )
    figures["finding questions whose subject words come out exactly"] = f"{exact}/{len(findings)}"
    figures["key words told frame / subject right"] = f"{int(((frame_validated >= 0.5) == framing).sum())}/{len(words)}"

    detector = CollectionQuestionDetector().fit(vectors, intents, c=C).fit_frame(word_vectors, framing, c=FRAME_C)
    detector.threshold_ = threshold
    detector.fitted_on_ = {
        "questions": len(texts),
        "listing questions": int((intents == 1).sum()),
        "finding questions": int((intents == 2).sum()),
        "key words (word model)": len(words),
        "folds": f"{FOLDS}, grouped by language (collection and overview files) and by article (PIAF)",
        "threshold": f"at most {MAX_FALSE_SHARE:.1%} of the other questions above it, out of fold",
        "cross_validated": figures,
        "command": COMMAND,
    }
    detector.save(args.out)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"threshold {threshold:.4f}; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
