"""How many sentences to quote: answer accuracy against characters quoted, for each
setting of `qa.answering.citations` (the share of the first sentence's probability a further one
needs, and the most sentences), cross-validated as `python -m qa.tools.fit` does (5 folds
grouped by article, thresholds chosen on the training folds).

Usage: .venv/bin/python eval/experiments/citation_count.py   (about 6 minutes)
Figures in docs/answer-step.md, "How many sentences to quote".
"""

from dataclasses import replace

import numpy as np
from sklearn.model_selection import GroupKFold

from qa.answering import citations
from qa.config import Settings
from qa.tools.fit import (
    FOLDS,
    _cross,
    _fit,
    _fitted,
    _inner_out_of_fold,
    _outcome,
    _set_thresholds,
    choose_thresholds,
    collect,
)

SETTINGS = [("first sentence only", 1.0, 1)] + [
    (f"share >= {share:g}, at most {most}", share, most)
    for share in (0.5, 0.3, 0.2, 0.15, 0.1, 0.05, 0.02)
    for most in (2, 3, 4)
]
SETS = ("piaf_open_dev.json", "piaf_open_dev_xling.json")


def main() -> None:
    items = collect(Settings.from_env(), show_progress=False)
    decided = [None] * len(items)
    for train, test in GroupKFold(n_splits=FOLDS).split(np.zeros(len(items)), groups=[i.group for i in items]):
        train_items = [items[j] for j in train]
        scorer = _fit(train_items)
        inner = _inner_out_of_fold(scorer, train_items, FOLDS)
        _set_thresholds(scorer, choose_thresholds(train_items, inner, _cross(scorer, train_items)))
        for j in test:
            decided[j] = _fitted(items[j], scorer)
    answerable = [j for j, i in enumerate(items) if i.answerable]
    rows = [("rules' margin on the fitted order (before 2026-12-01)", None, None)] + SETTINGS
    print("| setting | answer accuracy | PIAF-open | cross-lingual | characters quoted | sentences |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, share, most in rows:
        if share is not None:
            citations.FURTHER_CITATION_SHARE, citations.MAX_CITATIONS = share, most
        right, chars, count = {}, [], []
        for j in answerable:
            ranked = decided[j]
            if share is None and ranked:
                ranked = [replace(c, share=None) for c in ranked]
            right[j] = _outcome(items[j], ranked)["correct"]
            if ranked:
                quoted = citations.select_citations(items[j].considered.index, ranked)
                chars.append(sum(len(c.text) for c in quoted))
                count.append(len(quoted))
        by_set = [np.mean([right[j] for j in answerable if items[j].set_name == s]) for s in SETS]
        print(f"| {name} | {np.mean(list(right.values())):.1%} | {by_set[0]:.1%} | {by_set[1]:.1%} "
              f"| {np.mean(chars):.0f} | {np.mean(count):.2f} |")


if __name__ == "__main__":
    main()
