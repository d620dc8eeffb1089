"""Gradient-boosted decision trees for a yes/no question, fitted by scikit-learn, kept and
run as plain data.

`BoostedTrees.fit` trains scikit-learn's `HistGradientBoostingClassifier` and copies its
trees out (split feature, threshold, children, leaf values); `probability` walks them in
numpy, so answering needs neither scikit-learn nor pickle, and `to_dict`/`from_dict`
round-trip through JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
            (go left when the value is at most it), ``missing_left`` (where a missing
            value, NaN, goes), ``left``, ``right`` (node numbers), ``value`` (a leaf's
            contribution).
    """

    baseline: float
    trees: list[dict[str, np.ndarray]]
    _stack: tuple | None = field(default=None, init=False, repr=False, compare=False)

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
                    "missing_left": nodes["missing_go_to_left"].astype(np.int64),
                    "left": nodes["left"].astype(np.int64),
                    "right": nodes["right"].astype(np.int64),
                    "value": np.where(leaf, nodes["value"], 0.0).astype(np.float64),
                }
            )
        return cls(float(np.ravel(model._baseline_prediction)[0]), trees)

    def log_odds(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(rows, np.float64))
        if not self.trees:
            return np.full(len(rows), self.baseline)
        feature, threshold, missing_left, left, right, value = self._stacked()
        trees = np.arange(len(feature))
        # Every tree walked at once, one level a step: (rows, trees) node numbers.
        node = np.zeros((len(rows), len(feature)), np.int64)
        at = np.arange(len(rows))[:, None]
        while True:
            split = feature[trees, node]
            inner = split >= 0
            if not inner.any():
                break
            values = rows[at, np.maximum(split, 0)]
            goes_left = np.where(np.isnan(values), missing_left[trees, node] == 1, values <= threshold[trees, node])
            node = np.where(inner, np.where(goes_left, left[trees, node], right[trees, node]), node)
        return self.baseline + value[trees, node].sum(axis=1)

    def _stacked(self):
        """The trees' node arrays as (trees, most nodes) matrices, padded with leaves of value 0."""
        if self._stack is None:
            width = max(len(t["feature"]) for t in self.trees)

            def pad(name, fill):
                return np.stack([np.pad(t[name], (0, width - len(t[name])), constant_values=fill) for t in self.trees])

            self._stack = tuple(
                pad(name, fill)
                for name, fill in (("feature", -1), ("threshold", 0.0), ("missing_left", 0), ("left", 0), ("right", 0), ("value", 0.0))
            )
        return self._stack

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The probability of "yes" for each row."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(rows)))

    def to_dict(self) -> dict:
        return {"baseline": self.baseline, "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees]}

    @classmethod
    def from_dict(cls, data: dict) -> BoostedTrees:
        kinds = {
            "feature": np.int64,
            "threshold": np.float64,
            "missing_left": np.int64,
            "left": np.int64,
            "right": np.int64,
            "value": np.float64,
        }
        trees = [{k: np.asarray(t[k], kind) for k, kind in kinds.items()} for t in data["trees"]]
        return cls(float(data["baseline"]), trees)
