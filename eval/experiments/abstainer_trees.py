"""The abstainer's trees: scikit-learn's HistGradientBoostingClassifier (shipped, its trees
copied out of private attributes by `qa.answering.trees`) against LightGBM with the same
settings (exported through its public `dump_model`, `lightgbm_trees.py` here), each
cross-validated as `python -m qa.tools.fit` does (5 folds grouped by article, thresholds
chosen on the training folds' inner out-of-fold probabilities).

Usage: .venv/bin/pip install lightgbm; .venv/bin/python eval/experiments/abstainer_trees.py
(about 10 minutes on an idle 2-core machine)
Figures in docs/fitted-answer-step.md ("The abstainer's trees: LightGBM measured").
"""

import json

import numpy as np

import lightgbm_trees
from qa.answering import trees
from qa.config import Settings
from qa.tools.fit import collect, cross_validate


class _ScikitTrees:
    """scikit-learn's model through its public predict_proba, as `BoostedTrees` is used."""

    def __init__(self, model):
        self.model = model

    @classmethod
    def fit(cls, rows, labels):
        from sklearn.ensemble import HistGradientBoostingClassifier

        labels = np.asarray(labels, bool)
        if labels.all() or not labels.any():
            return lightgbm_trees.BoostedTrees.fit(rows, labels)
        model = HistGradientBoostingClassifier(
            max_iter=trees.MAX_ITER,
            learning_rate=trees.LEARNING_RATE,
            max_leaf_nodes=trees.MAX_LEAF_NODES,
            early_stopping=False,
            random_state=0,
        )
        return cls(model.fit(np.asarray(rows, np.float64), labels))

    def probability(self, rows):
        return self.model.predict_proba(np.atleast_2d(np.asarray(rows, np.float64)))[:, 1]


def main() -> None:
    items = collect(Settings.from_env(), show_progress=False)
    shipped_fit = trees.BoostedTrees.fit
    results, best = {}, {}
    for name, fit in (("scikit-learn HistGradientBoosting (shipped)", _ScikitTrees.fit), ("LightGBM", lightgbm_trees.BoostedTrees.fit)):
        trees.BoostedTrees.fit = fit
        try:
            validated = cross_validate(items)
        finally:
            trees.BoostedTrees.fit = shipped_fit
        results[name], best[name] = validated["report"]["fitted"], validated["best"]
        report = results[name]
        print(name, json.dumps({k: report[k] for k in ("all", "piaf_open_dev.json", "piaf_open_dev_xling.json")}))
    sk, lg = best.values()
    print(f"out-of-fold probability that the first candidate answers: largest difference {np.abs(sk - lg).max():.3f}, "
          f"mean {np.abs(sk - lg).mean():.4f}, correlation {np.corrcoef(sk, lg)[0, 1]:.4f}")
    print("| abstainer | answer accuracy | unanswerable abstained | false abstentions | PIAF-open | cross-lingual |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, report in results.items():
        a = report["all"]
        print(
            f"| {name} | {a['answer_accuracy']:.1%} | {a['abstention']:.1%} | {a['false_abstentions']:.1%} "
            f"| {report['piaf_open_dev.json']['answer_accuracy']:.1%} | {report['piaf_open_dev_xling.json']['answer_accuracy']:.1%} |"
        )


if __name__ == "__main__":
    main()
