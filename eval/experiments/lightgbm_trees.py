"""A candidate replacement for `qa.answering.trees` (issue 32, item 7), not shipped:
gradient-boosted decision trees for a yes/no question, fitted by LightGBM, kept and run
as plain data. `eval/experiments/abstainer_trees.py` compares it with the shipped trees.

`BoostedTrees.fit` trains LightGBM and takes its trees from `lightgbm.Booster.dump_model`,
LightGBM's public JSON export (split feature, threshold, where a missing value goes,
children, leaf values); `probability` walks them in numpy, so answering needs neither
LightGBM (whose import takes 1.5-2.5 s, as it loads scikit-learn and pandas) nor pickle,
and `to_dict`/`from_dict` round-trip through JSON. The trees kept are the dump's
``tree_structure``s, less the statistics prediction does not read (gains, counts).

Its `log_odds` equals LightGBM's own `Booster.predict(raw_score=True)` (missing values and
zeros included: checked to 1e-9 on random data when it was written, 2026-12-06).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Settings of the fit: small trees, a slow learning rate, no early stopping (it would
# hold out a random part of the data), one thread and LightGBM's deterministic mode: the
# fit stays deterministic. MIN_LEAF_ROWS is scikit-learn's default, which the trees had.
MAX_ITER = 200
LEARNING_RATE = 0.05
MAX_LEAF_NODES = 15
MIN_LEAF_ROWS = 20

# LightGBM's missing_type: how a NaN (and, for "Zero", a zero) is sent down a split.
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
# LightGBM's `kZeroThreshold`: values this close to 0 count as zero.
_ZERO = 1e-35
_KEPT = ("split_feature", "threshold", "decision_type", "default_left", "missing_type", "leaf_value")


@dataclass
class BoostedTrees:
    """A sum of regression trees on the log-odds scale.

    Attributes:
        baseline: the log-odds before any tree (LightGBM folds its starting score into
            the first tree, so 0 unless the data had one class).
        trees: each tree as LightGBM's `dump_model` gives its ``tree_structure``: a node is
            ``{"split_feature", "threshold", "decision_type": "<=", "default_left",
            "missing_type", "left_child", "right_child"}``, a leaf ``{"leaf_value"}``.
    """

    baseline: float
    trees: list[dict]
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
        import lightgbm

        labels = np.asarray(labels, bool)
        if labels.all() or not labels.any():  # one class: no tree can tell anything
            p = 1.0 - 1e-6 if labels.all() else 1e-6
            return cls(float(np.log(p / (1 - p))), [])
        booster = lightgbm.train(
            booster_params(),
            lightgbm.Dataset(np.asarray(rows, np.float64), label=labels.astype(np.float64)),
            num_boost_round=MAX_ITER,
        )
        return cls.from_dump(booster.dump_model())

    @classmethod
    def from_dump(cls, dump: dict) -> BoostedTrees:
        """The trees of a binary LightGBM model's `dump_model()`."""
        if dump.get("num_tree_per_iteration", 1) != 1 or not str(dump.get("objective", "binary")).startswith("binary"):
            raise ValueError("only a binary LightGBM model's trees can be kept")
        return cls(0.0, [_pruned(tree["tree_structure"]) for tree in dump["tree_info"]])

    def log_odds(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(rows, np.float64))
        if not self.trees:
            return np.full(len(rows), self.baseline)
        feature, threshold, missing, default_left, left, right, value = self._stacked()
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
            kind = missing[trees, node]
            nan = np.isnan(values)
            # As LightGBM's NumericalDecision: a NaN counts as 0 unless missing_type is
            # "NaN"; a missing value (NaN for "NaN", 0 for "Zero") goes the default way.
            values = np.where(nan & (kind != _MISSING["NaN"]), 0.0, values)
            is_missing = ((kind == _MISSING["Zero"]) & (np.abs(values) <= _ZERO)) | ((kind == _MISSING["NaN"]) & nan)
            goes_left = np.where(is_missing, default_left[trees, node], values <= threshold[trees, node])
            node = np.where(inner, np.where(goes_left, left[trees, node], right[trees, node]), node)
        return self.baseline + value[trees, node].sum(axis=1)

    def _stacked(self):
        """The trees as (trees, most nodes) matrices, padded with leaves of value 0: node 0
        is each tree's root."""
        if self._stack is None:
            flat = [_flattened(tree) for tree in self.trees]
            width = max(len(f[0]) for f in flat)
            fills = (-1, 0.0, 0, False, 0, 0, 0.0)
            self._stack = tuple(
                np.stack([np.pad(np.asarray(f[i]), (0, width - len(f[i])), constant_values=fill) for f in flat])
                for i, fill in enumerate(fills)
            )
        return self._stack

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The probability of "yes" for each row."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(rows)))

    def to_dict(self) -> dict:
        return {"baseline": self.baseline, "format": "lightgbm dump_model tree_structure", "trees": self.trees}

    @classmethod
    def from_dict(cls, data: dict) -> BoostedTrees:
        if data.get("trees") and data.get("format") != "lightgbm dump_model tree_structure":
            raise ValueError("these trees are not LightGBM's dump; fit the scorer again (python -m qa.tools.fit)")
        return cls(float(data["baseline"]), list(data["trees"]))


def booster_params() -> dict:
    """LightGBM's settings for `BoostedTrees.fit` (scikit-learn's defaults where they differ)."""
    return {
        "objective": "binary",
        "learning_rate": LEARNING_RATE,
        "num_leaves": MAX_LEAF_NODES,
        "min_data_in_leaf": MIN_LEAF_ROWS,
        "min_sum_hessian_in_leaf": 1e-3,
        "lambda_l2": 0.0,
        "max_bin": 255,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": 0,
        "verbosity": -1,
    }


def _pruned(node: dict) -> dict:
    """A dumped node with only what prediction reads."""
    if "leaf_value" in node:
        return {"leaf_value": node["leaf_value"]}
    if node.get("decision_type", "<=") != "<=":
        raise ValueError(f"unsupported LightGBM split {node.get('decision_type')!r} (categorical features are not used)")
    kept = {name: node[name] for name in _KEPT if name in node}
    kept["left_child"], kept["right_child"] = _pruned(node["left_child"]), _pruned(node["right_child"])
    return kept


def _flattened(tree: dict) -> tuple[list, ...]:
    """A nested tree as node arrays (feature: -1 at a leaf; missing: `_MISSING`), root first."""
    columns: tuple[list, ...] = ([], [], [], [], [], [], [])
    stack = [(tree, None, None)]  # (node, parent number, is it the left child)
    while stack:
        node, parent, is_left = stack.pop()
        number = len(columns[0])
        if parent is not None:
            (columns[4] if is_left else columns[5])[parent] = number
        leaf = "leaf_value" in node
        columns[0].append(-1 if leaf else int(node["split_feature"]))
        columns[1].append(0.0 if leaf else float(node["threshold"]))
        columns[2].append(0 if leaf else _MISSING[node.get("missing_type", "None")])
        columns[3].append(False if leaf else bool(node.get("default_left", True)))
        columns[4].append(0)
        columns[5].append(0)
        columns[6].append(float(node["leaf_value"]) if leaf else 0.0)
        if not leaf:
            stack.append((node["right_child"], number, False))
            stack.append((node["left_child"], number, True))
    return columns
