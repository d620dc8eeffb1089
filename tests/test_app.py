"""The web app, started for real, answers through its `/ask` endpoint."""

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SEED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, settings, seed_index):
    port = _free_port()
    corpus = tmp_path_factory.mktemp("app-corpus")
    (corpus / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    env = dict(
        os.environ,
        QA_CACHE_DIR=str(settings.cache_dir),
        QA_PORT=str(port),
        QA_CORPUS_DIR=str(corpus),
        QA_INDEX_DIR=str(tmp_path_factory.mktemp("app-index")),
        QA_UPLOAD_DIR=str(tmp_path_factory.mktemp("app-uploads")),
    )
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert process.poll() is None, "app.py exited during start-up"
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("app.py did not start within 180 s")
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_ask_endpoint_returns_the_cli_json_object(app_url):
    from gradio_client import Client

    reply = Client(app_url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
    assert list(reply) == ["question", "language", "abstained", "answer", "citations", "passages"]
    assert "1961" in reply["citations"][0]["text"]


def test_ask_endpoint_reports_bad_input_as_a_gradio_error(app_url):
    from gradio_client import Client

    with pytest.raises(Exception, match="question is empty"):
        Client(app_url, verbose=False).predict("   ", api_name="/ask")
