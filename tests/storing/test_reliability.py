"""Bad input, hostile input, concurrent users and damaged indexes: nothing is lost."""

import json
import os
import subprocess
import sys
import threading

import pytest

from qa import answer
from qa.storing.collection import add_documents
from qa.errors import DocumentError
from qa.storing.collection import default_index
from qa.storing.storage import CURRENT_FILE
from qa.storing.storage import load_index
from tests.conftest import ROOT, SEED


def test_huge_question_is_cut_and_answered(seed_index, settings):
    question = "When was the friendship treaty signed? " + "blah " * 40_000
    assert len(question) > 200_000
    result = answer(question, index=seed_index, settings=settings)
    assert result.language == "en"
    assert len(result.passages) == 5


def test_control_characters_and_mixed_scripts_are_handled(seed_index, settings):
    result = answer("Когда\x00 был\x07 подписан договор о дружбе (友好条约)?\x1b[31m", index=seed_index, settings=settings)
    assert isinstance(result.text, str) and result.language in ("ru", "zh", "ja")


def test_huge_history_is_cut_too(seed_index, settings):
    """Only the last `max_question_chars` of a follow-up's context are searched: what lies
    before them (here, 600,000 characters about other things) changes nothing. Uncut, the
    model would read the start of the history, Moscow and Pyongyang, not the treaty."""
    kept = "traité d'amitié " * 200  # more than the 2,000 characters kept
    huge = [{"role": "user", "content": "Moscou Pyongyang soldats satellite " * 20_000 + kept}, {"role": "assistant", "content": "..."}]
    short = [{"role": "user", "content": kept}, {"role": "assistant", "content": "..."}]
    result = answer("Et en quelle année ?", index=seed_index, history=huge, settings=settings)
    expected = answer("Et en quelle année ?", index=seed_index, history=short, settings=settings)
    assert len(huge[0]["content"]) > 100 * settings.max_question_chars
    assert result.passages == expected.passages and result.citations == expected.citations


def test_duplicate_upload_is_refused_and_changes_nothing(tmp_path, local):
    copy = tmp_path / "same.txt"
    copy.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    with pytest.raises(DocumentError, match="already indexed"):
        add_documents([copy], settings=local)
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer


def test_misnamed_word_file_is_refused_by_name(tmp_path, local):
    fake = tmp_path / "notes.txt"
    fake.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml")
    with pytest.raises(DocumentError, match="notes.txt.*binary"):
        add_documents([fake], settings=local)


def test_damaged_default_index_is_rebuilt_from_the_documents(local):
    default_index(local)
    version = (local.index_dir / CURRENT_FILE).read_text().strip()
    (local.index_dir / version / "sentence_vectors.faiss").write_bytes(b"garbage")
    from qa.storing.collection import Collection

    rebuilt = Collection(local).index()  # as a new process finds it
    assert rebuilt.sources == [str(local.corpus_dir / SEED.name)]
    assert "1961" in answer("When was the friendship treaty signed?", index=rebuilt, settings=local).citations[0].text


ZANTHE = "Le port de Zanthe a été agrandi en 1912 par l'ingénieur Paul Ravel.\n"
ZANTHE_QUESTION = "Qui a agrandi le port de Zanthe ?"


def _paused(function, started: threading.Event, release: threading.Event):
    """``function``, made to stop at its start until ``release`` is set."""

    def wrapper(*args, **kwargs):
        started.set()
        assert release.wait(timeout=300), "the test never released the paused step"
        return function(*args, **kwargs)

    return wrapper


def _ask_in_threads(questions, settings):
    """Ask every question in its own thread; returns the threads and {question: Answer or error}."""
    results = {}

    def ask(question):
        try:
            results[question] = answer(question, settings=settings)
        except Exception as exc:  # reported by the test
            results[question] = exc

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    return threads, results


def test_sixteen_users_are_answered_from_the_old_index_while_an_upload_is_embedded(tmp_path, local, monkeypatch):
    import qa.storing.collection

    default_index(local)
    encode_calls = []
    real_encode = qa.storing.collection.encode_documents
    started, release = threading.Event(), threading.Event()

    def encode(*args, **kwargs):
        encode_calls.append(args[0])
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(qa.storing.collection, "encode_documents", _paused(encode, started, release))
    note = tmp_path / "port.md"
    note.write_text(ZANTHE, encoding="utf-8")
    uploader = threading.Thread(target=add_documents, args=([note],), kwargs={"settings": local})
    uploader.start()
    assert started.wait(timeout=300)
    # The upload is paused mid-embedding, holding the write lock: questions must not wait for it.
    questions = [f"When was the friendship treaty signed?{' ' * i}" for i in range(15)] + [ZANTHE_QUESTION]
    threads, results = _ask_in_threads(questions, local)
    for thread in threads:
        thread.join(timeout=300)
    answered_during_upload = not any(thread.is_alive() for thread in threads)
    release.set()
    uploader.join(timeout=300)
    assert answered_during_upload, "questions waited for the upload's embedding"
    assert all("1961" in results[q].citations[0].text for q in questions[:15])
    assert results[ZANTHE_QUESTION].abstained  # the upload was not searchable yet
    after = answer(ZANTHE_QUESTION, settings=local)
    assert "Paul Ravel" in after.citations[0].text
    assert [len(documents) for documents in encode_calls] == [1]  # the upload alone: nothing rebuilt


def test_a_question_between_the_file_and_the_index_of_an_upload_does_not_wait_or_rebuild(tmp_path, local, monkeypatch):
    import qa.storing.collection
    import qa.storing.storage

    default_index(local)
    started, release = threading.Event(), threading.Event()
    monkeypatch.setattr(qa.storing.storage, "save_index", _paused(qa.storing.storage.save_index, started, release))
    rebuilds = []
    real_rebuild = qa.storing.collection.Collection._rebuild
    monkeypatch.setattr(qa.storing.collection.Collection, "_rebuild", lambda self, **kw: rebuilds.append(1) or real_rebuild(self, **kw))
    note = tmp_path / "port.md"
    note.write_text(ZANTHE, encoding="utf-8")
    uploader = threading.Thread(target=add_documents, args=([note],), kwargs={"settings": local})
    uploader.start()
    assert started.wait(timeout=300)
    assert (local.upload_dir / "port.md").is_file()  # on disk, not yet in the saved index
    threads, results = _ask_in_threads([ZANTHE_QUESTION], local)
    threads[0].join(timeout=300)
    answered_before_the_save = not threads[0].is_alive()
    release.set()
    uploader.join(timeout=300)
    assert answered_before_the_save, "a question waited for the upload"
    assert results[ZANTHE_QUESTION].abstained  # the index as it was
    assert rebuilds == []
    assert "Paul Ravel" in answer(ZANTHE_QUESTION, settings=local).citations[0].text
    assert load_index(local.index_dir).sources == [str(local.corpus_dir / SEED.name), str(local.upload_dir / "port.md")]


def test_an_upload_from_another_process_waits_for_this_one_and_both_are_kept(tmp_path, local, monkeypatch):
    import qa.storing.collection

    default_index(local)
    started, release = threading.Event(), threading.Event()
    monkeypatch.setattr(qa.storing.collection, "encode_documents", _paused(qa.storing.collection.encode_documents, started, release))
    mine, theirs = tmp_path / "port.md", tmp_path / "phare.md"
    mine.write_text(ZANTHE, encoding="utf-8")
    theirs.write_text("Le phare d'Ysolde a été construit en 1888 sur un îlot rocheux.\n", encoding="utf-8")
    uploader = threading.Thread(target=add_documents, args=([mine],), kwargs={"settings": local})
    uploader.start()
    assert started.wait(timeout=300)
    env = dict(
        os.environ,
        QA_CACHE_DIR=str(local.cache_dir),
        QA_CORPUS_DIR=str(local.corpus_dir),
        QA_INDEX_DIR=str(local.index_dir),
        QA_UPLOAD_DIR=str(local.upload_dir),
    )
    cli = subprocess.Popen(
        [sys.executable, "-m", "qa.serving.cli", "docs", "add", str(theirs)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # The CLI says it waits for the lock; on its own it would finish without waiting.
    first_line = cli.stderr.readline()
    release.set()
    uploader.join(timeout=300)
    out, err = cli.communicate(timeout=300)
    assert "Another qa process is updating the index" in first_line, first_line + err
    assert cli.returncode == 0, err
    both = [str(local.corpus_dir / SEED.name), str(local.upload_dir / "port.md"), str(local.upload_dir / "phare.md")]
    assert load_index(local.index_dir).sources == both
    assert default_index(local).sources == both  # this process sees the other's upload at once
    assert "1888" in answer("Quand le phare d'Ysolde a-t-il été construit ?", settings=local).citations[0].text


def test_the_write_lock_holds_across_processes(local):
    from qa.storing.locking import folder_lock

    probe = (
        "import sys; from qa.storing.locking import folder_lock; "
        "lock = folder_lock(sys.argv[1]); print(lock.acquire(blocking=False))"
    )
    command = [sys.executable, "-c", probe, str(local.index_dir)]
    with folder_lock(local.index_dir):
        held = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    free = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (held.stdout.strip(), free.stdout.strip()) == ("False", "True")


def test_no_outside_network_calls_at_run_time(seed_index, settings, tmp_path):
    """`qa ask` runs with every non-loopback connection refused and recorded."""
    guard = tmp_path / "guard"
    guard.mkdir()
    attempts = tmp_path / "attempts.log"
    (guard / "sitecustomize.py").write_text(
        "import socket, ipaddress\n"
        "_connect = socket.socket.connect\n"
        "def connect(self, address):\n"
        "    host = address[0] if isinstance(address, tuple) else ''\n"
        "    try:\n"
        "        local = ipaddress.ip_address(host).is_loopback\n"
        "    except ValueError:\n"
        "        local = host in ('localhost', '')\n"
        "    if not local and self.family in (socket.AF_INET, socket.AF_INET6):\n"
        f"        open({str(attempts)!r}, 'a').write(repr(address) + '\\n')\n"
        "        raise OSError('outside network blocked by test')\n"
        "    return _connect(self, address)\n"
        "socket.socket.connect = connect\n",
        encoding="utf-8",
    )
    env = dict(os.environ, QA_CACHE_DIR=str(settings.cache_dir), PYTHONPATH=str(guard))
    done = subprocess.run(
        [sys.executable, "-m", "qa.serving.cli", "ask", "Who invited Putin?", "--json", "--index", str(seed_index.directory)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["citations"]
    assert not attempts.exists(), attempts.read_text()


def test_load_test_reports_figures_with_no_errors(app_url):
    from qa.tools.loadtest import run

    figures = run(app_url, callers=8, requests=24, seconds=120)
    print(f"load test: {figures}")
    assert figures["requests"] == 24 and figures["errors"] == 0 and figures["wrong"] == 0
    assert figures["p50_ms"] is not None and figures["throughput_per_s"] > 0


def test_load_test_refuses_other_hosts():
    from qa.tools.loadtest import run

    with pytest.raises(ValueError, match="loopback"):
        run("http://10.0.0.1:7860/", requests=1)
