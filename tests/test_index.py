import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from qa import QAError, build_index, load_index
from qa.errors import IndexCorruptError, IndexNotFoundError
from qa.index import CURRENT_FILE, default_index
from tests.conftest import ROOT, SEED


def test_index_round_trips_through_disk(seed_index):
    loaded = load_index(seed_index.directory)
    assert loaded.sources == [str(SEED)]
    assert loaded.manifest() == seed_index.manifest()
    assert (loaded.sentence_vectors == seed_index.sentence_vectors).all()


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


def test_killed_build_leaves_previous_index_loadable(tmp_path, settings):
    """SIGKILL a real `qa index` at several points: the previous index always loads."""
    index_dir = tmp_path / "idx"
    build_index([SEED], index_dir, settings=settings)
    docs = []
    for i in range(12):
        doc = tmp_path / f"doc{i}.txt"
        doc.write_text(SEED.read_text(encoding="utf-8").replace("Poutine", f"Poutine{i}"), encoding="utf-8")
        docs.append(str(doc))
    env = dict(os.environ, QA_CACHE_DIR=str(settings.cache_dir))
    command = [sys.executable, "-m", "qa.cli", "index", *docs, "--index", str(index_dir)]

    def start():
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # One full run to learn how long a build takes; then kills spread over it, the
    # last ones falling while the files are written.
    started = time.monotonic()
    assert start().wait(timeout=600) == 0
    duration = time.monotonic() - started
    assert load_index(index_dir).sources == docs
    build_index([SEED], index_dir, settings=settings)
    for fraction in (0.2, 0.6, 0.9, 0.95, 0.98, 0.995):
        process = start()
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        loaded = load_index(index_dir)
        assert loaded.sources in ([str(SEED)], docs)
        assert len(loaded.sentence_vectors) == len(loaded.sentences)


def test_another_embedding_model_is_recorded_in_the_index(tmp_path, settings, embedder):
    from qa import retrieve
    from qa.model_prep import default_model_dir

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
    assert float(index.sentence_vectors[1] @ window) > 0.9999 > float(index.sentence_vectors[1] @ alone)
    assert float(index.sentence_vectors[0] @ embedder.embed_passages([spans[0]])[0]) > 0.9999
