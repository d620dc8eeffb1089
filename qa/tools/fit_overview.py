"""`python -m qa.tools.fit_overview`: fit the overview-question detector, cross-validated.

Data (paths relative to the repository; missing files are skipped):
- `eval/overview_questions.jsonl`: overview questions in 19 languages ("What is this
  article about?", "Résume l'article", "Worum geht es?", ...) and questions that look
  like them but ask something specific ("What is the subject of the treaty?"), each
  with its `lang` and `overview` label.
- Every question of the shared eval sets and `eval/multilingual_qa.jsonl`: none asks
  for an overview (PIAF-open dev and its cross-lingual copy, the seed sets).

Each question is embedded as `answer` embeds it (`embed_queries`, `query: ` prompt).
Cross-validation holds out whole groups: a language of the overview file at a time
(does the detector recognise a language it never saw?), PIAF questions by article.
The threshold is the lowest that keeps out-of-fold false detections on questions
that are not overviews at `MAX_FALSE_SHARE` or under; the figures go in
`qa/answering/data/overview.json` with the fitted values. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.answering.overview import OVERVIEW_PATH, OverviewDetector

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval"
OVERVIEW_FILE = ROOT / "eval" / "overview_questions.jsonl"
QUESTION_SETS = (SHARED / "seed_qa.jsonl", ROOT / "eval" / "multilingual_qa.jsonl")
SQUAD_SETS = (SHARED / "piaf_open_dev.json", SHARED / "piaf_open_dev_xling.json")
FOLDS = 5
MAX_FALSE_SHARE = 0.001
C = 1.0

logger = logging.getLogger(__name__)


def questions() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """(questions, overview labels, cross-validation groups, languages)."""
    texts, labels, groups, languages = [], [], [], []

    def add(text: str, label: bool, group: str, language: str) -> None:
        texts.append(text)
        labels.append(label)
        groups.append(group)
        languages.append(language)

    for line in OVERVIEW_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            add(row["question"], bool(row["overview"]), f"lang:{row['lang']}", row["lang"])
    for path in QUESTION_SETS:
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                add(row["question"], False, f"set:{path.name}", row.get("lang") or "?")
    for path in SQUAD_SETS:
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        for a, article in enumerate(json.loads(path.read_text(encoding="utf-8"))["data"]):
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    add(qa["question"], False, f"article:{article.get('title', a)}", qa.get("lang", "fr"))
    return texts, np.array(labels), groups, languages


def embed(texts: list[str], settings: Settings) -> np.ndarray:
    """Query embeddings of ``texts``, as `answer` computes them (cleaned first)."""
    from qa.encoding.embedding import load_embedder
    from qa.retrieving.retrieval import clean_question

    embedder = load_embedder(settings)
    cleaned = [clean_question(t, settings) for t in texts]
    return np.vstack([embedder.embed_queries(cleaned[i : i + 64]) for i in range(0, len(cleaned), 64)])


def choose_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The lowest threshold with at most `MAX_FALSE_SHARE` of the non-overviews above it."""
    negatives = np.sort(probabilities[~labels])[::-1]
    allowed = int(np.floor(MAX_FALSE_SHARE * len(negatives)))
    return float(min(max(negatives[allowed] + 1e-6, 0.5), 0.999)) if len(negatives) > allowed else 0.5


def cross_validate(vectors: np.ndarray, labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Out-of-fold probabilities, whole groups held out together."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=FOLDS).split(vectors, labels, groups):
        out[test] = OverviewDetector().fit(vectors[train], labels[train], c=C).probability(vectors[test])
    return out


def report(probabilities: np.ndarray, labels: np.ndarray, languages: list[str], threshold: float) -> dict:
    detected = probabilities >= threshold
    positives = labels
    by_language = {}
    for language in sorted({l for l, p in zip(languages, positives) if p}):
        rows = np.array([l == language for l in languages]) & positives
        by_language[language] = f"{int(detected[rows].sum())}/{int(rows.sum())}"
    return {
        "overview questions recognised": f"{int(detected[positives].sum())}/{int(positives.sum())}",
        "other questions taken for overviews": f"{int(detected[~positives].sum())}/{int((~positives).sum())}",
        "recognised by language": by_language,
        "taken for overviews": [int(i) for i in np.flatnonzero(detected & ~positives)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.tools.fit_overview", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OVERVIEW_PATH, help="where to write the fitted detector")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    texts, labels, groups, languages = questions()
    vectors = embed(texts, settings)
    validated = cross_validate(vectors, labels, groups)
    threshold = choose_threshold(validated, labels)
    figures = report(validated, labels, languages, threshold)
    figures["taken for overviews"] = [texts[i] for i in figures["taken for overviews"]]
    detector = OverviewDetector().fit(vectors, labels, c=C)
    detector.threshold_ = threshold
    detector.fitted_on_ = {
        "questions": len(texts),
        "overview questions": int(labels.sum()),
        "folds": f"{FOLDS}, grouped by language (overview file) and by article (PIAF)",
        "threshold": f"at most {MAX_FALSE_SHARE:.1%} of the other questions above it, out of fold",
        "cross_validated": figures,
        "command": "python -m qa.tools.fit_overview",
    }
    detector.save(args.out)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"threshold {threshold:.4f}; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
