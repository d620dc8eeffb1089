"""Gradient-boosted decision trees for a yes/no question, fitted by scikit-learn, kept and
run as plain data.

`BoostedTrees.fit` trains scikit-learn's `HistGradientBoostingClassifier` and copies its
trees out (split feature, threshold, children, leaf values); `probability` walks them in
numpy, so answering needs neither scikit-learn nor pickle, and `to_dict`/`from_dict`
round-trip through JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Settings of the fit: small trees, a slow learning rate, no early stopping (it would
# hold out a random part of the data: the fit stays deterministic).
MAX_ITER = 200
LEARNING_RATE = 0.05
MAX_LEAF_NODES = 15


@dataclass
class BoostedTrees:
    """A sum of regression trees on the log-odds scale.

    Attributes:
        baseline: the log-odds before any tree.
        trees: per tree, arrays of its nodes: ``feature`` (-1 at a leaf), ``threshold``
            (go left when the value is at most it), ``left``, ``right`` (node numbers),
            ``value`` (a leaf's contribution).
    """

    baseline: float
    trees: list[dict[str, np.ndarray]]

    @classmethod
    def fit(cls, rows: np.ndarray, labels: np.ndarray) -> BoostedTrees:
        """Fit on ``rows`` (one row of features each) to predict the boolean ``labels``.

        Example:
            >>> rows = np.array([[0.0], [1.0], [2.0], [3.0]] * 10)
            >>> trees = BoostedTrees.fit(rows, rows[:, 0] >= 2)
            >>> bool(trees.probability(np.array([[3.0]]))[0] > 0.5)
            True
        """
        from sklearn.ensemble import HistGradientBoostingClassifier

        labels = np.asarray(labels, bool)
        if labels.all() or not labels.any():  # one class: no tree can tell anything
            p = 1.0 - 1e-6 if labels.all() else 1e-6
            return cls(float(np.log(p / (1 - p))), [])
        model = HistGradientBoostingClassifier(
            max_iter=MAX_ITER,
            learning_rate=LEARNING_RATE,
            max_leaf_nodes=MAX_LEAF_NODES,
            early_stopping=False,
            random_state=0,
        ).fit(np.asarray(rows, np.float64), labels)
        trees = []
        for (predictor,) in model._predictors:  # one tree per iteration for a yes/no question
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            trees.append(
                {
                    "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64),
                    "threshold": nodes["num_threshold"].astype(np.float64),
                    "left": nodes["left"].astype(np.int64),
                    "right": nodes["right"].astype(np.int64),
                    "value": np.where(leaf, nodes["value"], 0.0).astype(np.float64),
                }
            )
        return cls(float(np.ravel(model._baseline_prediction)[0]), trees)

    def log_odds(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(rows, np.float64))
        total = np.full(len(rows), self.baseline)
        at = np.arange(len(rows))
        for tree in self.trees:
            node = np.zeros(len(rows), np.int64)
            while True:
                feature = tree["feature"][node]
                inner = feature >= 0
                if not inner.any():
                    break
                goes_left = rows[at[inner], feature[inner]] <= tree["threshold"][node[inner]]
                node[inner] = np.where(goes_left, tree["left"][node[inner]], tree["right"][node[inner]])
            total += tree["value"][node]
        return total

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The probability of "yes" for each row."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(rows)))

    def to_dict(self) -> dict:
        return {"baseline": self.baseline, "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees]}

    @classmethod
    def from_dict(cls, data: dict) -> BoostedTrees:
        kinds = {"feature": np.int64, "threshold": np.float64, "left": np.int64, "right": np.int64, "value": np.float64}
        trees = [{k: np.asarray(t[k], kind) for k, kind in kinds.items()} for t in data["trees"]]
        return cls(float(data["baseline"]), trees)
