"""The collection-question detector: fitted values shipped as data, with their cross-validated figures."""

import json

import numpy as np

from qa.answering.collection_questions import COLLECTION_PATH, INTENTS, CollectionQuestionDetector


def test_the_detector_ships_as_data_with_its_cross_validated_figures():
    data = json.loads(COLLECTION_PATH.read_text(encoding="utf-8"))
    figures = data["fitted_on"]["cross_validated"]
    assert data["fitted_on"]["command"] == "python -m qa.tools.fit_collection_questions"
    assert len(data["coef"]) == len(INTENTS) and len(data["coef"][0]) == 384 and 0.5 <= data["threshold"] < 1
    for name in ("listing", "finding"):
        recognised, total = map(int, figures[f"{name} questions recognised"].split("/"))
        assert recognised / total >= 0.6
    taken, others = map(int, figures["other questions taken for collection questions"].split("/"))
    assert others > 2000 and taken / others <= 0.002


def test_a_detector_fits_saves_and_loads_as_plain_json(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(90, 8))
    intents = np.argmax(vectors[:, :3], axis=1)
    detector = CollectionQuestionDetector().fit(vectors, intents, c=10.0).fit_frame(vectors, vectors[:, 4] > 0)
    detector.save(tmp_path / "d.json")
    loaded = CollectionQuestionDetector.load(tmp_path / "d.json")
    assert np.allclose(loaded.probabilities(vectors), detector.probabilities(vectors), atol=1e-5)
    assert (loaded.probabilities(vectors).argmax(axis=1) == intents).mean() >= 0.9
    words = [f"w{i}" for i in range(len(vectors))]
    subject = set(loaded.subject_words(words, vectors))
    assert np.mean([(w in subject) == (v[4] <= 0) for w, v in zip(words, vectors)]) >= 0.9
    assert loaded.subject_words([], vectors[:0]) == []
