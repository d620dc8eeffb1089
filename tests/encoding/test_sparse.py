"""The sparse head's vectors: each token's strongest features, found the fast way."""

import numpy as np

from qa.encoding.sparse import _strongest


def _activations(embedder, texts):
    head = embedder.sparse
    return [np.maximum(states @ head._weights_t + head._bias, 0.0) for states in embedder.token_states(texts)]


def test_strongest_features_are_those_of_a_full_partition(embedder):
    texts = ["Quand Poutine ira-t-il à Pyongyang ?", "Кто подписал договор о дружбе в 1961 году?", "traité"]
    for activations in _activations(embedder, texts):
        for k in (1, 32, 300):
            full = np.sort(-np.partition(-activations, k - 1, axis=1)[:, :k], axis=1)
            fast = np.sort(np.take_along_axis(activations, _strongest(activations, k), axis=1), axis=1)
            assert np.array_equal(fast, full)


def test_strongest_handles_ties_and_small_rows():
    activations = np.zeros((2, 128), np.float32)
    activations[0, [3, 70, 127]] = [2.0, 1.0, 2.0]
    assert sorted(_strongest(activations, 2)[0]) == [3, 127]
    assert sorted(_strongest(np.arange(10, dtype=np.float32)[None], 3)[0]) == [7, 8, 9]
