import os
import time
from dataclasses import replace

import pytest

from qa import QAError, build_index, load_index
from qa.errors import IndexCorruptError, IndexNotFoundError
from qa.storing.collection import default_index
from qa.storing.storage import CURRENT_FILE
from qa.storing.index import SHORT_SENTENCE_CHARS
from qa.storing.manifest import manifest_of
from tests.conftest import SEED


def test_index_round_trips_through_disk(seed_index):
    loaded = load_index(seed_index.directory)
    assert loaded.sources == [str(SEED)]
    assert manifest_of(loaded) == manifest_of(seed_index)
    assert (loaded.sentence_vectors() == seed_index.sentence_vectors()).all()


def test_passage_offsets_index_the_document_text(seed_index):
    text = SEED.read_text(encoding="utf-8")
    for chunk in range(len(seed_index.chunks)):
        doc, start, end = seed_index.chunks[chunk, :3]
        assert seed_index.chunk_text(chunk) == text[start:end]


def test_load_index_on_a_folder_without_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFoundError, match="holds no qa index"):
        load_index(tmp_path)


def test_damaged_index_file_is_detected(seed_index, tmp_path, settings):
    index = build_index([SEED], tmp_path / "idx", settings=settings)
    version = (tmp_path / "idx" / CURRENT_FILE).read_text().strip()
    target = tmp_path / "idx" / version / "sentence_vectors.faiss"
    target.write_bytes(target.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError, match="sentence_vectors.faiss"):
        load_index(tmp_path / "idx")
    assert index.sources == [str(SEED)]


def test_index_written_under_other_word_lists_is_refused(tmp_path, settings):
    # Its vocabulary was chosen by other stopword or type-word lists: it must be rebuilt.
    import json

    build_index([SEED], tmp_path / "idx", settings=settings)
    manifest_path = tmp_path / "idx" / (tmp_path / "idx" / CURRENT_FILE).read_text().strip() / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["lexicon"] = "0" * 16
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="another version of qa"):
        load_index(tmp_path / "idx")


def test_bad_document_leaves_existing_index_untouched(tmp_path, settings):
    build_index([SEED], tmp_path / "idx", settings=settings)
    before = (tmp_path / "idx" / CURRENT_FILE).read_text()
    binary = tmp_path / "data.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(QAError, match="data.txt"):
        build_index([SEED, binary], tmp_path / "idx", settings=settings)
    assert (tmp_path / "idx" / CURRENT_FILE).read_text() == before
    assert load_index(tmp_path / "idx").sources == [str(SEED)]


def test_default_index_is_built_when_missing_and_rebuilt_when_stale(tmp_path, settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "note.md"
    doc.write_text("Le traité fut signé à Lisbonne en 2007.\n", encoding="utf-8")
    local = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    first = default_index(local)
    assert first.sources == [str(doc)] and (tmp_path / "index" / CURRENT_FILE).exists()
    assert default_index(local) is first  # unchanged documents: no rebuild
    doc.write_text("Le traité fut signé à Rome en 1957.\n", encoding="utf-8")
    os.utime(doc, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    second = default_index(local)
    assert "Rome" in second.document_text(str(doc))
    assert "Rome" in load_index(tmp_path / "index").document_text(str(doc))


def test_another_embedding_model_is_recorded_in_the_index(tmp_path, settings, embedder):
    from qa import retrieve
    from qa.encoding.model_prep import default_model_dir

    local_model = str(default_model_dir(settings.cache_dir))
    other = replace(settings, embedding_model=local_model)
    index = build_index([SEED], tmp_path / "idx", settings=other)
    assert load_index(tmp_path / "idx").model == local_model
    assert index.chunk_sparse.shape[1] == 0  # the sparse head belongs to the default model only
    passages = retrieve("When was the friendship treaty signed?", k=3, index=index, settings=other)
    assert any("1961" in p.text for p in passages)


def test_a_short_sentence_is_embedded_with_its_neighbours_and_cited_alone(tmp_path, settings, embedder):
    import numpy as np

    text = (
        "Le marché couvert de la ville ouvre tous les matins à sept heures. "
        "Il ferme le lundi. "
        "Les producteurs locaux y vendent des fruits, des légumes et du fromage.\n"
    )
    doc = tmp_path / "marche.txt"
    doc.write_text(text, encoding="utf-8")
    index = build_index([doc], tmp_path / "index", settings=settings)
    spans = [text[start:end] for _, start, end in index.sentences.tolist()]
    assert spans[1] == "Il ferme le lundi."
    window, alone = embedder.embed_passages([text.strip(), spans[1]])
    assert float(index.sentence_vectors()[1] @ window) > 0.9999 > float(index.sentence_vectors()[1] @ alone)
    assert float(index.sentence_vectors()[0] @ embedder.embed_passages([spans[0]])[0]) > 0.9999


def test_chunks_pooled_slice_by_slice_equal_chunks_pooled_at_once(settings, embedder, monkeypatch):
    """A build pools each slice's sentences into their chunks as it goes (`_pool_slice`);
    chunks that straddle two slices get the same vector as from all their sentences."""
    import numpy as np

    import qa.storing.building as index_module
    from qa.encoding.sparse import pool_rows

    documents = index_module.read_documents([SEED])
    settings = replace(settings, precision="fp32")  # bf16 rounding differs with a batch's other texts
    index = index_module.encode_documents(documents, embedder, settings)
    monkeypatch.setattr(index_module, "_SLICE", 7)  # slice edges inside most chunks
    sliced = index_module.encode_documents(documents, embedder, settings)
    chunks = index.chunks
    assert len(index.sentences) > 3 * 7 and any(lo // 7 != (hi - 1) // 7 for lo, hi in chunks[:, 3:5])
    texts, spans = index_module._sentence_texts(documents, [tuple(row) for row in index.sentences.tolist()])
    _, sentence_sparse = embedder.encode_sentences(texts, spans, precision=settings.precision)
    at_once = pool_rows(sentence_sparse, chunks[:, 3], chunks[:, 4]).toarray()
    assert np.array_equal(np.nonzero(sliced.chunk_sparse.toarray()), np.nonzero(at_once))
    assert np.allclose(sliced.chunk_sparse.toarray(), at_once, atol=1e-3)
    assert np.allclose(sliced.chunk_sparse.toarray(), index.chunk_sparse.toarray(), atol=1e-3)


def test_a_short_table_row_is_embedded_alone(tmp_path, settings, embedder):
    text = (
        "Staff on a mission abroad receive a daily allowance that depends on the city.\n\n"
        "City: Tokyo; Daily allowance: 120 EUR.\n"
        "City: Oslo; Daily allowance: 95 EUR.\n"
    )
    doc = tmp_path / "allowances.txt"
    doc.write_text(text, encoding="utf-8")
    index = build_index([doc], tmp_path / "index", settings=settings)
    spans = [text[start:end] for _, start, end in index.sentences.tolist()]
    assert spans[1] == "City: Tokyo; Daily allowance: 120 EUR." and len(spans[1]) < SHORT_SENTENCE_CHARS
    alone, window = embedder.embed_passages([spans[1], text.strip()])
    assert float(index.sentence_vectors()[1] @ alone) > 0.9999 > float(index.sentence_vectors()[1] @ window)
