"""The index in Milvus (`QA_STORE=milvus`), against a real Milvus Lite server started on a
loopback port: the same answers as FAISS, replicas that share it, killed builds, a
server that goes away and comes back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace

import httpx
import pytest

import numpy as np

from qa import answer, build_index, document_text
from qa.storing.collection import Collection
from qa.config import Settings
from qa.errors import QAError, StoreRefusedError
from qa.storing.index import Document, Index
from qa.storing.milvus_store import MilvusStore, StoreUnavailableError
from tests.conftest import ROOT, SEED, _free_port, start_app, start_milvus, stop

QUESTIONS = [json.loads(line)["question"] for line in (ROOT.parent / "shared" / "eval" / "seed_qa.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()] if (ROOT.parent / "shared" / "eval" / "seed_qa.jsonl").is_file() else [
    "Qui a invité Poutine en Corée du Nord ?", "When was the friendship treaty signed?", "¿Cuándo viajó Kim al Lejano Oriente ruso?",
]


def milvus_settings(settings: Settings, uri: str, tmp_path, **extra) -> Settings:
    """Settings of a replica on Milvus with its own empty local folders and a fresh prefix."""
    prefix = extra.pop("milvus_prefix", f"t{uuid.uuid4().hex[:10]}")
    (tmp_path / "corpus").mkdir(exist_ok=True)
    return replace(settings, store="milvus", milvus_uri=uri, milvus_prefix=prefix,
                   corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads", **extra)


def cli(env_settings: Settings, *args: str, **popen) -> subprocess.Popen:
    env = dict(
        os.environ,
        QA_CACHE_DIR=str(env_settings.cache_dir),
        QA_STORE="milvus",
        QA_MILVUS_URI=env_settings.milvus_uri,
        QA_MILVUS_PREFIX=env_settings.milvus_prefix,
        QA_CORPUS_DIR=str(env_settings.corpus_dir),
        QA_INDEX_DIR=str(env_settings.index_dir),
        QA_UPLOAD_DIR=str(env_settings.upload_dir),
    )
    return subprocess.Popen([sys.executable, "-m", "qa.serving.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def run_cli(env_settings: Settings, *args: str) -> str:
    process = cli(env_settings, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def test_an_index_copied_into_milvus_gives_the_same_answers_as_faiss(seed_index, settings, milvus_uri, tmp_path):
    store = MilvusStore(milvus_settings(settings, milvus_uri, tmp_path))
    store.save(seed_index)
    from_milvus = store.load()
    assert from_milvus.sources == seed_index.sources and from_milvus.vocabulary == seed_index.vocabulary
    assert from_milvus.sentence_store.kind == "milvus-flat"  # QA_MILVUS_INDEX=FLAT: exact
    for question in QUESTIONS:
        ours, theirs = (answer(question, index=i, settings=settings) for i in (seed_index, from_milvus))
        assert (ours.text, ours.citations, ours.passages) == (theirs.text, theirs.citations, theirs.passages), question
    store.drop_all()


def test_a_word_longer_than_a_milvus_field_is_kept_whole_as_in_faiss(settings, milvus_uri, tmp_path):
    # 70,000 letters in one run (a DNA sequence): one word of the vocabulary, over the
    # 65,535 bytes a Milvus VARCHAR holds. A folder index keeps it whole; so must Milvus.
    sequence = "".join(np.random.default_rng(7).choice(list("acgt"), 70_000))
    path = tmp_path / "gene.txt"
    path.write_text(f"Le gène ZX9 du blé a été séquencé en 2019 à Montpellier.\n\n{sequence}\n\n"
                    "Sa séquence compte 70 000 bases.\n", encoding="utf-8")
    folder = build_index([path], tmp_path / "index", settings=settings)
    assert sequence in folder.vocabulary
    store = MilvusStore(milvus_settings(settings, milvus_uri, tmp_path))
    store.save(folder)
    loaded = store.load()
    assert loaded.vocabulary == folder.vocabulary
    np.testing.assert_array_equal(loaded.word_vectors, folder.word_vectors)
    for question in ("En quelle année le gène ZX9 a-t-il été séquencé ?", f"Que signifie {sequence[:40]} ?"):
        ours, theirs = (answer(question, index=i, settings=settings) for i in (folder, loaded))
        assert (ours.text, ours.citations) == (theirs.text, theirs.citations), question
    store.drop_all()


def test_a_value_milvus_refuses_is_a_refusal_naming_it_not_an_outage(seed_index, settings, milvus_uri, tmp_path):
    # A source of 70,000 characters: Milvus answers and refuses it. Saying "did not
    # answer" (and REST's 503 with Retry-After) would have clients retry what cannot succeed.
    document = seed_index.documents[0]
    odd = Index(
        documents=[Document("/" + "x" * 70_000, document.text)], chunks=seed_index.chunks, sentences=seed_index.sentences,
        sentence_store=seed_index.sentence_store, chunk_sparse=seed_index.chunk_sparse, vocabulary=seed_index.vocabulary,
        word_vectors=seed_index.word_vectors, model=seed_index.model, chunk_size=seed_index.chunk_size,
        chunk_overlap=seed_index.chunk_overlap, precision=seed_index.precision,
    )
    store = MilvusStore(milvus_settings(settings, milvus_uri, tmp_path))
    with pytest.raises(StoreRefusedError) as refused:
        store.save(odd)
    assert not isinstance(refused.value, StoreUnavailableError)
    message = str(refused.value)
    assert milvus_uri in message and "refused to write version v" in message and "'source'" in message
    assert "trying again will not help" in message
    store.save(seed_index)  # the lease was let go, and Milvus still takes what fits
    assert store.load().sources == seed_index.sources
    store.drop_all()


def test_qa_store_copy_moves_a_folder_index_without_embedding(seed_index, settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    out = run_cli(local, "store", "copy", "--from", str(seed_index.directory))
    assert "Copied 1 documents" in out
    loaded = MilvusStore(local).load()
    assert document_text(seed_index.sources[0], index=loaded) == SEED.read_text(encoding="utf-8")
    MilvusStore(local).drop_all()


def ask_replica(url: str, question: str) -> dict:
    response = httpx.post(f"{url}api/v1/ask", json={"question": question, "k": 3}, timeout=120)
    return response.json() | {"status": response.status_code}


def test_two_replicas_with_empty_folders_cite_a_document_added_through_the_cli(
    settings, milvus_uri, tmp_path_factory, tmp_path
):
    prefix = f"t{uuid.uuid4().hex[:10]}"
    environment = dict(QA_STORE="milvus", QA_MILVUS_URI=milvus_uri, QA_MILVUS_PREFIX=prefix)
    replicas = []
    try:
        first, first_url = start_app(tmp_path_factory, settings, **environment)  # seeds Milvus with the article
        replicas.append(first)
        # The second replica's corpus folder is empty: everything it knows comes from Milvus.
        second, second_url = start_app(
            tmp_path_factory, settings, QA_CORPUS_DIR=str(tmp_path_factory.mktemp("empty")), **environment
        )
        replicas.append(second)
        before = [ask_replica(url, "Qui a invité Poutine ?") for url in (first_url, second_url)]
        assert before[0]["citations"] == before[1]["citations"] and before[0]["citations"]
        louvre = tmp_path / "louvre.txt"
        louvre.write_text("Le musée du Louvre a ouvert ses portes en 1793 à Paris. Il accueille la Joconde depuis 1797.\n",
                          encoding="utf-8")
        run_cli(milvus_settings(settings, milvus_uri, tmp_path, milvus_prefix=prefix), "docs", "add", str(louvre))
        for url in (first_url, second_url):
            reply = ask_replica(url, "When did the Louvre open?")
            assert "1793" in reply["citations"][0]["text"], reply
    finally:
        for replica in replicas:
            stop(replica)
        MilvusStore(replace(settings, store="milvus", milvus_uri=milvus_uri, milvus_prefix=prefix)).drop_all()


def test_a_build_killed_with_sigkill_leaves_the_previous_version_answering(settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    (local.corpus_dir / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    store = MilvusStore(local)
    Collection(local).index()
    live = store.live_version()
    big = tmp_path / "long.txt"
    big.write_text("\n\n".join(f"Le paragraphe {i} parle du village numéro {i} et de sa rivière." for i in range(3000)),
                   encoding="utf-8")
    process = cli(local, "docs", "add", str(big))
    client = store.client()
    deadline = time.time() + 240
    while time.time() < deadline:  # kill it once it writes its new version's collections
        if any(n.startswith(f"{local.milvus_prefix}_v") and live not in n for n in client.list_collections()):
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert store.live_version() == live
    result = answer("Qui a invité Poutine en Corée du Nord ?", index=Collection(local).index(), settings=local)
    assert "Kim Jong Un" in " ".join(c.text for c in result.citations)
    # The killed build's lease expires within 60 s (deleted here, not waited for); the next writer drops what it left.
    client.delete(f"{local.milvus_prefix}_lock", filter="id >= 0")
    store.save(store.load())
    versions = {n.split("_")[1] for n in client.list_collections() if n.startswith(f"{local.milvus_prefix}_v")}
    assert len(versions) == 2  # the new live one and the one before it
    store.drop_all()


def test_two_processes_adding_at_once_lose_neither_document(settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    (local.corpus_dir / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    Collection(local).index()
    files = []
    for name, text in (("a.txt", "La tour Eiffel mesure 330 mètres."), ("b.txt", "Le pont du Gard date du Ier siècle.")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    processes = [cli(local, "docs", "add", str(path)) for path in files]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    names = sorted(os.path.basename(d.source) for d in MilvusStore(local).load().documents)
    assert names == ["a.txt", "b.txt", SEED.name]
    MilvusStore(local).drop_all()


# Two writers racing for the lease, the interleaving forced: one writer's Milvus client
# runs a step of the test just before (or after) its next call of one method, as a
# writer that stalls there would let happen.
def _at_call(store: MilvusStore, method: str, step, *, when=lambda *args, **kwargs: True, after: bool = False) -> None:
    """Run ``step`` once, at ``store``'s next ``method`` call (in this thread) that ``when`` accepts."""
    client = store.client()
    real = getattr(client, method)
    ran = []

    def call(*args, **kwargs):
        due = not ran and when(*args, **kwargs)
        if due and not after:
            ran.append(step())
        result = real(*args, **kwargs)
        if due and after:
            ran.append(step())
        return result

    setattr(client, method, call)


def _lease_table(name, *args, **kwargs) -> bool:
    return name.endswith("_lock")


def _expire_every_lease(store: MilvusStore) -> None:
    """What a writer stalled longer than its lease (60 s) finds on waking: its lease run out."""
    client, table = store.client(), f"{store.prefix}_lock"
    rows = client.query(table, filter="id >= 0", output_fields=["owner", "expires"], limit=100, consistency_level="Strong")
    client.upsert(table, [dict(row, expires=0, _=[0.0, 0.0]) for row in rows])


def test_a_writer_whose_lease_ran_out_cannot_delete_the_next_writers_lease(settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    stalled, second, third, admin = (MilvusStore(local) for _ in range(4))
    assert stalled.lock.acquire(blocking=False)

    def taken_over():  # the stalled writer lets go late: its lease ran out and another took one
        _expire_every_lease(admin)
        assert second.lock.acquire(blocking=False)

    _at_call(stalled, "delete", taken_over)
    stalled.lock.release()
    assert not third.lock.acquire(blocking=False)  # the second writer still holds the lease
    second.lock.renew()
    second.lock.release()
    assert third.lock.acquire(blocking=False)
    third.lock.release()
    admin.drop_all()


def test_of_two_writers_that_both_saw_the_lease_free_one_takes_it(settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    first, second = MilvusStore(local), MilvusStore(local)
    second_saw_it_free, first_done, taken = threading.Event(), threading.Event(), {}

    def second_takes():
        def wait_for_first():
            second_saw_it_free.set()
            first_done.wait(120)

        _at_call(second, "upsert", wait_for_first, when=_lease_table)  # about to write its claim
        taken["second"] = second.lock.acquire(blocking=False)

    thread = threading.Thread(target=second_takes)
    thread.start()
    assert second_saw_it_free.wait(120)
    taken["first"] = first.lock.acquire(blocking=False)  # all of it while the second waits to write
    first_done.set()
    thread.join(120)
    assert taken == {"first": True, "second": False}
    first.lock.release()
    assert second.lock.acquire(blocking=False)
    second.lock.release()
    second.drop_all()


def test_two_writers_that_claim_the_lease_at_once_both_step_back_and_leave_it_free(settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    writers = [MilvusStore(local), MilvusStore(local)]
    both_saw_it_free, both_wrote, taken = threading.Barrier(2, timeout=120), threading.Barrier(2, timeout=120), {}

    def take(writer: MilvusStore) -> None:
        _at_call(writer, "upsert", both_saw_it_free.wait, when=_lease_table)  # its claim: written...
        _at_call(writer, "upsert", both_wrote.wait, when=_lease_table, after=True)  # ...then read back
        taken[writer] = writer.lock.acquire(blocking=False)

    threads = [threading.Thread(target=take, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert list(taken.values()) == [False, False]
    assert writers[0].lock.acquire(blocking=False)  # neither left its claim behind
    writers[0].lock.release()
    writers[0].drop_all()


def test_a_writer_whose_lease_was_taken_over_cannot_make_its_version_live(seed_index, settings, milvus_uri, tmp_path):
    local = milvus_settings(settings, milvus_uri, tmp_path)
    stalled, next_writer, reader = MilvusStore(local), MilvusStore(local), MilvusStore(local)
    saved = {}

    def taken_over():  # just before the stalled writer's swap, its lease runs out and another writer saves
        _expire_every_lease(reader)
        saved["version"] = next_writer.save(seed_index)

    _at_call(stalled, "upsert", taken_over, when=lambda name, rows, **kwargs: name.endswith("_current") and rows[0]["version"])
    with pytest.raises(StoreUnavailableError, match="not saved"):
        stalled.save(seed_index)
    assert reader.live_version() == saved["version"]
    assert reader.load().sources == seed_index.sources  # the live version whole: none of its collections dropped
    reader.drop_all()


def test_an_unreachable_milvus_is_one_clear_error_naming_the_uri(settings, tmp_path):
    uri = f"http://127.0.0.1:{_free_port()}"
    local = milvus_settings(settings, uri, tmp_path)
    with pytest.raises(StoreUnavailableError, match=uri.replace(".", r"\.")):
        answer("Qui a invité Poutine ?", settings=local)


def test_milvus_stopped_mid_session_gives_an_error_then_answers_once_back(settings, tmp_path):
    port = _free_port()
    data = tmp_path / "milvus-data"
    server = start_milvus(data, port)
    local = milvus_settings(settings, f"http://127.0.0.1:{port}", tmp_path)
    (local.corpus_dir / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        assert not answer("Qui a invité Poutine ?", settings=local).abstained
        stop(server)
        with pytest.raises(QAError, match="did not answer"):
            answer("Qui a invité Poutine ?", settings=local)
        server = start_milvus(data, port)
        assert not answer("Qui a invité Poutine ?", settings=local).abstained
    finally:
        stop(server)


@pytest.mark.parametrize(
    ("environ", "words"),
    [({"QA_STORE": "postgres"}, "faiss, milvus"), ({"QA_MILVUS_PREFIX": "qa-prod"}, "letters")],
)
def test_bad_store_settings_are_one_clear_error(environ, words):
    with pytest.raises(QAError, match=words):
        Settings.from_env(environ)


def test_an_app_started_while_milvus_is_down_says_so_and_answers_once_it_is_up(settings, tmp_path_factory):
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    server = app = None
    try:
        app, url = start_app(tmp_path_factory, settings, QA_STORE="milvus", QA_MILVUS_URI=uri, QA_MILVUS_PREFIX="down")
        refused = ask_replica(url, "Qui a invité Poutine ?")
        assert refused["status"] == 503 and uri in json.dumps(refused) and "Traceback" not in json.dumps(refused)
        server = start_milvus(tmp_path_factory.mktemp("late-milvus"), port)
        reply = ask_replica(url, "Qui a invité Poutine ?")
        assert reply["status"] == 200 and "Kim Jong Un" in " ".join(c["text"] for c in reply["citations"])
    finally:
        for process in (app, server):
            if process is not None:
                stop(process)


def test_an_upload_of_a_name_taken_is_refused_or_replaced_in_milvus(settings, milvus_uri, tmp_path):
    from qa.errors import DocumentExistsError

    local = milvus_settings(settings, milvus_uri, tmp_path)
    (local.corpus_dir / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    collection = Collection(local)
    first, edited = tmp_path / "first" / "lemon-cake.txt", tmp_path / "edited" / "lemon-cake.txt"
    for path, minutes in ((first, 40), (edited, 55)):
        path.parent.mkdir()
        path.write_text(f"Lemon cake. Mix the flour and the lemons. Bake for {minutes} minutes.\n", encoding="utf-8")
    try:
        collection.add([first])
        with pytest.raises(DocumentExistsError, match="lemon-cake.txt exists"):
            collection.add([edited])  # no file marks the name in Milvus: the indexed sources do
        collection.add([edited], replace=True)
        replica = Collection(local).index()  # as another replica sees it
        cakes = [s for s in replica.sources if s.endswith("lemon-cake.txt")]
        assert len(cakes) == 1 and "55 minutes" in replica.document_text(cakes[0])
        quoted = " ".join(c.text for c in answer("How long do I bake the cake?", index=replica, settings=local).citations)
        assert "55 minutes" in quoted and "40 minutes" not in quoted
    finally:
        MilvusStore(local).drop_all()
