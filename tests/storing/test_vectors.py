"""The vector store on real FAISS indexes: index type by size, recall, save and load, k past the end."""

from __future__ import annotations

import numpy as np
import pytest

from qa.tools.scale import LANGUAGES, corpus_book
from qa.storing.vectors import EXACT_THRESHOLD, FaissVectorStore, VectorStore

DIMENSION = 64


def clustered(count: int, *, centres: int = 500, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    """L2-normalised points around random centres: neighbourhoods like those of real embeddings."""
    rng = np.random.default_rng(seed)
    middles = rng.standard_normal((centres, DIMENSION), dtype=np.float32)
    points = middles[rng.integers(centres, size=count)] + noise * rng.standard_normal((count, DIMENSION), dtype=np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    import faiss

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    return exact.search(queries, k)[1]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found.tolist(), truth.tolist())]))


@pytest.fixture(scope="module")
def points() -> np.ndarray:
    return clustered(30_000)


@pytest.fixture(scope="module")
def approximate(points) -> FaissVectorStore:
    return FaissVectorStore.from_vectors(points, exact_threshold=10_000)


def test_faiss_store_is_a_vector_store(approximate):
    assert isinstance(approximate, VectorStore)


def test_stores_below_the_threshold_search_exactly(points):
    assert FaissVectorStore.from_vectors(points[:9_999], exact_threshold=10_000).kind == "IndexFlatIP"
    assert FaissVectorStore.from_vectors(points[:1000]).kind == "IndexFlatIP"
    assert EXACT_THRESHOLD > 1000


def test_stores_from_the_threshold_on_are_approximate(points):
    store = FaissVectorStore.from_vectors(points[:10_000], exact_threshold=10_000)
    assert store.kind.startswith("IndexIVFFlat")
    assert len(store) == 10_000


def test_approximate_store_finds_95_percent_of_the_exact_top_10(points, approximate):
    queries = clustered(500, seed=1)
    _, found = approximate.search(queries, 10)
    assert recall(found, exact_neighbours(points, queries, 10)) >= 0.95


def test_approximate_store_similarities_are_exact(points, approximate):
    queries = clustered(20, seed=2)
    similarities, ids = approximate.search(queries, 10)
    expected = np.einsum("qd,qkd->qk", queries, points[ids])
    np.testing.assert_allclose(similarities, expected, rtol=1e-5, atol=1e-5)


def test_approximate_store_returns_its_vectors_in_id_order(points, approximate):
    np.testing.assert_array_equal(approximate.vectors(), points)


@pytest.mark.parametrize("threshold", [10_000, EXACT_THRESHOLD])
def test_saved_store_loads_back_identically(points, tmp_path, threshold):
    store = FaissVectorStore.from_vectors(points[:20_000], exact_threshold=threshold)
    store.save(tmp_path / "store.faiss")
    loaded = FaissVectorStore.load(tmp_path / "store.faiss")
    queries = clustered(50, seed=3)
    assert loaded.kind == store.kind
    np.testing.assert_array_equal(loaded.vectors(), store.vectors())
    for got, expected in zip(loaded.search(queries, 10), store.search(queries, 10)):
        np.testing.assert_array_equal(got, expected)
    ids = np.array([19_999, 3, 7_000, 3])
    np.testing.assert_array_equal(loaded.vectors_of(ids), points[ids])


def test_flat_index_files_written_before_still_load(points, tmp_path):
    import faiss

    index = faiss.IndexFlatIP(DIMENSION)
    index.add(points[:100])
    faiss.write_index(index, str(tmp_path / "sentence_vectors.faiss"))
    store = FaissVectorStore.load(tmp_path / "sentence_vectors.faiss")
    assert store.kind == "IndexFlatIP"
    assert store.search(points[7:8], 1)[1][0, 0] == 7


def test_k_larger_than_the_store_returns_every_vector(points):
    store = FaissVectorStore.from_vectors(points[:3])
    similarities, ids = store.search(points[:1], 10)
    assert sorted(ids[0].tolist()) == [0, 1, 2]
    assert similarities[0, 0] == pytest.approx(1.0)


def test_approximate_store_pads_missing_neighbours_with_minus_one(points):
    store = FaissVectorStore.from_vectors(points[:10_000], exact_threshold=10_000, nprobe=1)
    _, ids = store.search(points[:1], 10_000)
    found = ids[0][ids[0] >= 0]
    assert 0 < len(found) < 10_000  # one cell holds only part of the vectors
    assert (ids[0][len(found) :] == -1).all()


def test_empty_store_has_no_vectors():
    store = FaissVectorStore.from_vectors(np.zeros((0, DIMENSION), dtype=np.float32))
    assert len(store) == 0
    assert store.vectors().shape == (0, DIMENSION)


needs_corpus = pytest.mark.skipif(
    not all(corpus_book(lang).is_file() for lang in LANGUAGES), reason="needs `apt-get install debian-reference-en debian-reference-fr ...` (see qa.tools.scale)"
)


@needs_corpus
def test_scale_corpus_documents_hold_the_passages_asked_for(tmp_path):
    from qa.reading.chunking import chunk_document
    from qa.tools.scale import corpus_documents

    paths = corpus_documents(600, tmp_path, chunk_size=600, chunk_overlap=120)
    chunks = sum(len(chunk_document(p.read_text(encoding="utf-8"), chunk_size=600, chunk_overlap=120)) for p in paths)
    assert chunks == 600
    assert {p.name.split(".")[1] for p in paths} == {"fr", "en", "de", "es", "it", "pt"}


@needs_corpus
def test_scale_command_reports_recall(tmp_path, capsys, embedder):
    from qa.tools.scale import main

    code = main(
        ["--passages", "0", "--vectors", "20000", "--centres", "40", "--queries", "200"]
        + ["--exact-threshold", "5000", "--cache", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "IndexIVFFlat" in out
    recall_line = next(line for line in out.splitlines() if line.startswith("recall@10"))
    assert float(recall_line.split()[1]) >= 0.95


def test_an_ivf_store_keeps_its_cells_when_rows_are_added_or_removed():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(600, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = FaissVectorStore.from_vectors(vectors[:500], exact_threshold=100)
    centroids = store._index.quantizer.reconstruct_n(0, store._index.nlist)
    grown = store.extended(vectors[500:])
    assert len(store) == 500 and len(grown) == 600
    assert np.array_equal(grown._index.quantizer.reconstruct_n(0, grown._index.nlist), centroids)
    assert np.allclose(grown.vectors(), vectors)
    assert grown.search(vectors[550:551], k=1)[1][0, 0] == 550
    kept = np.arange(0, 600, 2)
    shrunk = grown.subset(kept)
    assert np.array_equal(shrunk._index.quantizer.reconstruct_n(0, shrunk._index.nlist), centroids)
    assert np.allclose(shrunk.vectors(), vectors[kept])
    assert shrunk.search(vectors[550:551], k=1)[1][0, 0] == 275


def test_an_exact_store_that_grows_past_the_threshold_becomes_ivf(monkeypatch):
    import qa.storing.vectors

    monkeypatch.setattr(qa.storing.vectors, "EXACT_THRESHOLD", 100)
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(120, 16)).astype(np.float32)
    store = FaissVectorStore.from_vectors(vectors[:90], exact_threshold=100)
    assert store.kind == "IndexFlatIP"
    assert store.extended(vectors[90:]).kind.startswith("IndexIVFFlat")


@pytest.mark.parametrize("threshold", [10_000, EXACT_THRESHOLD])
def test_a_store_filled_from_spilled_rows_is_the_store_of_the_rows(points, tmp_path, threshold):
    from qa.storing.spill import SpilledRows

    rows = points[:25_000]
    with SpilledRows(DIMENSION, tmp_path) as spilled:
        for start in range(0, len(rows), 7_777):  # appended in uneven parts, read back in others
            spilled.append(rows[start : start + 7_777])
        store = FaissVectorStore.from_spilled(spilled, exact_threshold=threshold)
    expected = FaissVectorStore.from_vectors(rows, exact_threshold=threshold)
    assert store.kind == expected.kind
    np.testing.assert_array_equal(store.vectors(), rows)
    queries = clustered(50, seed=4)
    for got, want in zip(store.search(queries, 10), expected.search(queries, 10)):
        np.testing.assert_array_equal(got, want)

