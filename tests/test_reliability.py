"""Bad input, hostile input, concurrent users and damaged indexes: nothing is lost."""

import json
import os
import subprocess
import sys
import threading

import pytest

from qa import answer
from qa.collection import add_documents
from qa.errors import DocumentError
from qa.index import CURRENT_FILE, default_index
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
    history = [{"role": "user", "content": "traité " * 50_000}, {"role": "assistant", "content": "..."}]
    result = answer("Et en quelle année ?", index=seed_index, history=history, settings=settings)
    assert isinstance(result.abstained, bool)


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
    from qa.collection import Collection

    rebuilt = Collection(local).index()  # as a new process finds it
    assert rebuilt.sources == [str(local.corpus_dir / SEED.name)]
    assert "1961" in answer("When was the friendship treaty signed?", index=rebuilt, settings=local).citations[0].text


def test_sixteen_users_answered_while_a_document_is_added(tmp_path, local):
    default_index(local)
    note = tmp_path / "port.md"
    note.write_text("Le port de Zanthe a été agrandi en 1912 par l'ingénieur Paul Ravel.\n", encoding="utf-8")
    errors, wrong = [], []

    def user():
        try:
            result = answer("When was the friendship treaty signed?", settings=local)
            if "1961" not in " ".join(c.text for c in result.citations):
                wrong.append(result.text)
        except Exception as exc:  # the test reports any failure
            errors.append(repr(exc))

    threads = [threading.Thread(target=user) for _ in range(16)]
    uploader = threading.Thread(target=add_documents, args=([note],), kwargs={"settings": local})
    uploader.start()
    for thread in threads:
        thread.start()
    for thread in threads + [uploader]:
        thread.join(timeout=300)
    assert errors == [] and wrong == []
    after = answer("Qui a agrandi le port de Zanthe ?", settings=local)
    assert "Paul Ravel" in after.citations[0].text
    assert len(default_index(local).documents) == 2


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
        [sys.executable, "-m", "qa.cli", "ask", "Who invited Putin?", "--json", "--index", str(seed_index.directory)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["citations"]
    assert not attempts.exists(), attempts.read_text()


def test_load_test_reports_figures_with_no_errors(app_url):
    from qa.loadtest import run

    figures = run(app_url, callers=8, requests=24, seconds=120)
    print(f"load test: {figures}")
    assert figures["requests"] == 24 and figures["errors"] == 0 and figures["wrong"] == 0
    assert figures["p50_ms"] is not None and figures["throughput_per_s"] > 0


def test_load_test_refuses_other_hosts():
    from qa.loadtest import run

    with pytest.raises(ValueError, match="loopback"):
        run("http://10.0.0.1:7860/", requests=1)
