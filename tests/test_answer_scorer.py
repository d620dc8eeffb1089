"""The fitted answer scorer: named features per candidate, a model that saves as plain data."""

import json

import numpy as np

from qa.answer_scorer import FEATURES, AnswerScorer, candidate_features
from qa.answering import consider, fitted_decision
from qa.pipeline import DEFAULT_PIPELINE


def _considered(seed_index, settings, question="When was the friendship treaty signed?"):
    return consider(question, seed_index, 5, history=None, settings=settings, pipeline=DEFAULT_PIPELINE)


def test_features_are_one_named_row_per_candidate(seed_index, settings):
    considered = _considered(seed_index, settings)
    features = candidate_features(considered)
    assert features.shape == (len(considered.candidates), len(FEATURES))
    dense = features[:, FEATURES.index("dense")]
    assert np.allclose(dense, [c.dense for c in considered.candidates], atol=1e-6)
    assert features[:, FEATURES.index("dense_gap")].min() == 0.0


def test_a_scorer_saves_as_json_and_loads_to_the_same_predictions(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, len(FEATURES)))
    y = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(int)
    scorer = AnswerScorer(C=1.0).fit(X, y)
    scorer.threshold_ = 0.3
    path = tmp_path / "scorer.json"
    scorer.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and data["threshold"] == 0.3
    loaded = AnswerScorer.load(path)
    assert np.allclose(loaded.predict_proba(X), scorer.predict_proba(X))


def test_fitted_decision_orders_by_probability_and_abstains_under_the_threshold(seed_index, settings):
    considered = _considered(seed_index, settings)
    scorer = AnswerScorer()
    n = len(FEATURES)
    scorer.mean_, scorer.scale_, scorer.intercept_ = np.zeros(n), np.ones(n), 0.0
    scorer.coef_ = np.eye(n)[FEATURES.index("grounding")] * 5  # probability rises with grounding
    scorer.threshold_ = 0.0
    ranked = fitted_decision(considered, scorer)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert sorted(c.sentence for c in ranked) == sorted(c.sentence for c in considered.candidates)
    scorer.threshold_ = 1.01
    assert fitted_decision(considered, scorer) == []


def test_the_threshold_keeps_false_abstentions_within_the_limit():
    from qa.fit import Item, choose_threshold

    items = [Item(None, [], answerable, "g", "s", np.zeros((0, 0)), np.zeros(0)) for answerable in [True] * 100 + [False] * 20]
    best = np.concatenate([np.linspace(0.05, 0.95, 100), np.full(20, 0.02)])
    threshold = choose_threshold(items, best, limit=0.05)
    abstained = best < threshold
    assert abstained[:100].sum() <= 5 and abstained[100:].all()
