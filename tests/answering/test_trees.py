"""`qa.answering.trees.BoostedTrees`: scikit-learn's boosted trees, run in numpy and kept as JSON."""

import json

import numpy as np

from qa.answering.trees import LEARNING_RATE, MAX_ITER, MAX_LEAF_NODES, BoostedTrees


def _data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, 6))
    labels = rows[:, 0] + rows[:, 1] * rows[:, 2] + 0.5 * rng.normal(size=n) > 0  # an interaction to learn
    return rows, labels


def test_the_trees_give_scikit_learns_probabilities_and_survive_json():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows, labels = _data()
    trees = BoostedTrees.fit(rows, labels)
    model = HistGradientBoostingClassifier(
        max_iter=MAX_ITER, learning_rate=LEARNING_RATE, max_leaf_nodes=MAX_LEAF_NODES, early_stopping=False, random_state=0
    ).fit(rows, labels)
    unseen, _ = _data(400, seed=1)
    unseen[::7, 1] = np.nan  # a missing value goes where scikit-learn sends it
    np.testing.assert_allclose(trees.probability(unseen), model.predict_proba(unseen)[:, 1], atol=1e-12)
    loaded = BoostedTrees.from_dict(json.loads(json.dumps(trees.to_dict())))
    np.testing.assert_array_equal(loaded.probability(unseen), trees.probability(unseen))
    # what a linear model cannot: the product of two features
    known = ~np.isnan(unseen[:, 1])
    truth = unseen[known, 0] + unseen[known, 1] * unseen[known, 2] > 0
    assert ((trees.probability(unseen[known]) > 0.5) == truth).mean() > 0.85


def test_one_class_gives_a_constant_and_fitting_is_deterministic():
    rows, labels = _data(200)
    assert (BoostedTrees.fit(rows, np.ones(200, bool)).probability(rows) > 0.99).all()
    assert (BoostedTrees.fit(rows, np.zeros(200, bool)).probability(rows) < 0.01).all()
    assert BoostedTrees.fit(rows, labels).to_dict() == BoostedTrees.fit(rows, labels).to_dict()
