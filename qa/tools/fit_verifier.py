"""`python -m qa.tools.fit_verifier`: fit the verifier's similarity threshold on PIAF-open dev.

The verifier (`qa.generating.verification`) keeps a generated sentence only if its embedding is
close enough to a sentence it cites. What "close enough" is comes from data:

- a stand-in for a generated sentence is the question followed by its gold answer
  ("Quand Poutine ira-t-il à Pyongyang ? les 18 et 19 juin"), in French
  (`piaf_open_dev.json`) and in 8 other languages (`piaf_open_dev_xling.json`);
- it is supported by the sentence of its paragraph that holds the answer (a positive)
  and not by the paragraph's other sentences that hold no gold answer (negatives: the
  hardest case, a model citing the sentence next to the right one).

A sentence in another language than the excerpt it cites sits further from it in the
embedding space, so there are two thresholds: one for sentences in the excerpt's
language (fitted on the French questions) and one for sentences in another (fitted on
the translated ones). Each keeps `KEEP_SUPPORTED` of the positives of the data it is
chosen on. Five folds grouped by article estimate, on articles never seen, how many supported
sentences it keeps and how many unsupported ones it drops; the final threshold is
chosen on all the data and written to `qa/generating/data/verifier.json` with those figures.
Deterministic: same data, same file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from qa.config import Settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SETS = ("piaf_open_dev.json", "piaf_open_dev_xling.json")
VERIFIER_PATH = ROOT / "qa" / "generating" / "data" / "verifier.json"
FOLDS = 5
# Share of supported sentences the threshold keeps: the other checks (numbers, months,
# names) catch the wrong facts that similarity misses, so this errs on keeping.
KEEP_SUPPORTED = 0.95


def collect(settings: Settings) -> dict[str, np.ndarray]:
    """Similarities of (stand-in sentence, cited sentence) pairs, with labels, article
    groups and set names, over both sets."""
    from qa.encoding.embedding import load_embedder
    from qa.tools.evaluation import _paragraph_name
    from qa.tools.fit import squad_sets

    embedder = load_embedder(settings)
    sims, labels, groups, sets = [], [], [], []
    for name, squad, index in squad_sets(SETS, settings):
        rows = index.sentences
        doc_of = {Path(source).name: doc for doc, source in enumerate(index.sources)}
        claims, pairs = [], []
        number = 0
        for article in squad["data"]:
            for paragraph in article["paragraphs"]:
                number += 1
                doc = doc_of[_paragraph_name(number)]
                sentences = np.flatnonzero(rows[:, 0] == doc)
                for qa in paragraph["qas"]:
                    answers = qa.get("answers", [])
                    if qa.get("is_impossible") or not answers:
                        continue
                    start = answers[0]["answer_start"]
                    golds = {a["text"] for a in answers}
                    positive = [s for s in sentences if rows[s, 1] <= start < rows[s, 2]]
                    if not positive:
                        continue
                    claims.append(f"{qa['question'].strip()} {answers[0]['text']}")
                    for s in sentences:
                        text = index.span_text(*(int(v) for v in rows[s]))
                        if s == positive[0]:
                            pairs.append((len(claims) - 1, s, 1, article["title"]))
                        elif not any(g in text for g in golds):
                            pairs.append((len(claims) - 1, s, 0, article["title"]))
        logger.info("%s: %d stand-in sentences, %d pairs", name, len(claims), len(pairs))
        vectors = embedder.embed_queries(claims, show_progress=True)
        cited = index.sentence_store.vectors_of(np.array([p[1] for p in pairs]))
        sims.append(np.einsum("ij,ij->i", vectors[[p[0] for p in pairs]], cited))
        labels.append(np.array([p[2] for p in pairs]))
        groups += [p[3] for p in pairs]
        sets += [name] * len(pairs)
    return {
        "similarity": np.concatenate(sims),
        "label": np.concatenate(labels),
        "group": np.array(groups),
        "set": np.array(sets),
    }


def choose_threshold(similarity: np.ndarray, label: np.ndarray) -> float:
    """The similarity above which `KEEP_SUPPORTED` of the supported pairs lie."""
    return float(np.quantile(similarity[label == 1], 1 - KEEP_SUPPORTED))


def _rates(similarity, label, threshold) -> dict:
    kept = similarity >= threshold
    return {
        "supported_kept": round(float(kept[label == 1].mean()), 4),
        "unsupported_dropped": round(float((~kept[label == 0]).mean()), 4),
        "pairs": int(len(label)),
    }


CROSS_LINGUAL_SET = "piaf_open_dev_xling.json"


def thresholds(data: dict[str, np.ndarray], rows: np.ndarray) -> tuple[float, float]:
    """(same-language, cross-lingual) thresholds chosen on ``rows`` of the data."""
    cross = data["set"][rows] == CROSS_LINGUAL_SET
    similarity, label = data["similarity"][rows], data["label"][rows]
    return choose_threshold(similarity[~cross], label[~cross]), choose_threshold(similarity[cross], label[cross])


def cross_validate(data: dict[str, np.ndarray]) -> dict:
    """Out-of-fold keep and drop rates, folds grouped by article, overall and per set."""
    from sklearn.model_selection import GroupKFold

    similarity, label = data["similarity"], data["label"]
    cross = data["set"] == CROSS_LINGUAL_SET
    threshold = np.zeros(len(label))
    for train, test in GroupKFold(n_splits=FOLDS).split(similarity, groups=data["group"]):
        same, other = thresholds(data, train)
        threshold[test] = np.where(cross[test], other, same)
    report = {"all": _rates(similarity, label, threshold)}
    for name in sorted(set(data["set"])):
        mask = data["set"] == name
        report[name] = _rates(similarity[mask], label[mask], threshold[mask])
    return report


CLAIMS_PATH = ROOT / "eval" / "claims.jsonl"


def claim_set(path: Path = CLAIMS_PATH) -> list[dict]:
    """The labelled claims of `eval/claims.jsonl` (written by `eval/make_claims.py`)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge_claims(pairs: list[dict], settings: Settings, verifier=None) -> dict[str, np.ndarray]:
    """Each claim checked against its excerpt as `qa.generating.generation` checks a generated
    sentence (``kept``, and the ``reason`` when dropped), with its label, group, kind and language."""
    from qa.encoding.embedding import load_embedder
    from qa.generating.verification import Claim, shipped_verifier
    from qa.text.language import detect_language
    from qa.text.lexical import key_words

    embedder = load_embedder(settings)
    verifier = verifier or shipped_verifier()
    claims = embedder.embed_queries([p["claim"] for p in pairs])
    excerpts = embedder.embed_passages([p["excerpt"] for p in pairs])
    word_vectors: dict[str, np.ndarray] = {}
    name_vectors: dict[str, np.ndarray] = {}

    def name_similarity(name: str, texts: list[str]) -> float:
        """As `qa.generating.generation` reads it from an index's word vectors."""
        text = " ".join(texts)
        if text not in word_vectors:
            found = key_words(text)
            word_vectors[text] = embedder.embed_words(found) if found else np.zeros((0, embedder.dimension), np.float32)
        if name.lower() not in name_vectors:
            name_vectors[name.lower()] = embedder.embed_queries([name.lower()])[0]
        vectors = word_vectors[text]
        return float((vectors @ name_vectors[name.lower()]).max()) if len(vectors) else -1.0

    kept, reasons = [], []
    for pair, claim_vector, excerpt_vector in zip(pairs, claims, excerpts):
        language = detect_language(pair["claim"])
        verdict = verifier.check(
            Claim(f"{pair['claim']} [1]", pair["claim"], (1,)),
            [pair["excerpt"]],
            question=pair.get("question", ""),
            similarity=float(claim_vector @ excerpt_vector),
            cross_lingual=detect_language(pair["excerpt"]) != language,
            language=language,
            name_similarity=name_similarity,
        )
        kept.append(verdict.kept)
        reasons.append(verdict.reason)
    return {
        "kept": np.array(kept),
        "reason": np.array(reasons, dtype=object),
        "supported": np.array([bool(p["supported"]) for p in pairs]),
        "group": np.array([p["group"] for p in pairs]),
        "kind": np.array([p["kind"] for p in pairs]),
        "lang": np.array([p["lang"] for p in pairs]),
    }


def _claim_rates(kept: np.ndarray, supported: np.ndarray) -> dict:
    return {
        "unsupported_kept": round(float(kept[~supported].mean()), 4) if (~supported).any() else None,
        "supported_dropped": round(float((~kept[supported]).mean()), 4) if supported.any() else None,
        "unsupported": int((~supported).sum()),
        "supported": int(supported.sum()),
    }


def claim_report(judged: dict[str, np.ndarray]) -> dict:
    """Unsupported claims kept and supported claims dropped: overall, by kind, by language."""
    kept, supported = judged["kept"], judged["supported"]
    report = {"all": _claim_rates(kept, supported)}
    for field in ("kind", "lang"):
        for value in sorted(set(judged[field])):
            mask = judged[field] == value
            report[f"{field}={value}"] = _claim_rates(kept[mask], supported[mask])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.tools.fit_verifier", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=VERIFIER_PATH, help="where to write the fitted threshold")
    parser.add_argument(
        "--claims", action="store_true", help=f"only measure the shipped verifier on {CLAIMS_PATH.relative_to(ROOT)}"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.claims:
        print(json.dumps(claim_report(judge_claims(claim_set(), Settings.from_env())), indent=1))
        return 0
    data = collect(Settings.from_env())
    if not len(data["label"]):
        logger.error("No data: qa.tools.fit_verifier needs %s in ../shared/eval", " and ".join(SETS))
        return 1
    report = cross_validate(data)
    same, other = thresholds(data, np.arange(len(data["label"])))
    fitted = {
        "threshold_": round(same, 4),
        "cross_lingual_threshold_": round(other, 4),
        "fitted_on": {
            "sets": sorted(set(data["set"])),
            "pairs": int(len(data["label"])),
            "supported_pairs": int(data["label"].sum()),
            "rule": f"keeps {KEEP_SUPPORTED:.0%} of the supported pairs",
            "cross_validated": {"folds": f"{FOLDS}, grouped by article", **report},
            "command": "python -m qa.tools.fit_verifier",
        },
    }
    args.out.write_text(json.dumps(fitted, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(fitted, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
