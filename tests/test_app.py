"""The web app, started for real, answers through its `/ask` endpoint."""

import concurrent.futures

import pytest


def test_ask_endpoint_returns_the_cli_json_object(app_url):
    from gradio_client import Client

    reply = Client(app_url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
    assert list(reply) == ["question", "language", "abstained", "answer", "citations", "passages"]
    assert "1961" in reply["citations"][0]["text"]


def test_ask_endpoint_reports_bad_input_as_a_gradio_error(app_url):
    from gradio_client import Client

    with pytest.raises(Exception, match="question is empty"):
        Client(app_url, verbose=False).predict("   ", api_name="/ask")


def test_sixteen_simultaneous_callers_are_all_answered(app_url):
    from gradio_client import Client

    questions = [
        ("When was the friendship treaty signed?", "1961"),
        ("Qui a invité Poutine en Corée du Nord ?", "Kim Jong Un"),
        ("¿Cuándo viajó Kim al Lejano Oriente ruso?", "septembre 2023"),
        ("Quelle agence de presse officielle a rapporté l'article ?", "TASS"),
    ] * 4

    def call(item):
        question, expected = item
        reply = Client(app_url, verbose=False).predict(question, api_name="/ask")
        return expected in " ".join(c["text"] for c in reply["citations"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, questions))
    assert results == [True] * 16


def test_login_is_required_when_qa_auth_is_set(tmp_path_factory, settings):
    from gradio_client import Client

    from tests.conftest import start_app

    process, url = start_app(tmp_path_factory, settings, QA_AUTH="reader:s3cret")
    try:
        with pytest.raises(Exception):
            Client(url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
        reply = Client(url, auth=("reader", "s3cret"), verbose=False).predict(
            "When was the friendship treaty signed?", api_name="/ask"
        )
        assert "1961" in reply["citations"][0]["text"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_app_binds_loopback_only_by_default():
    from qa.config import Settings

    assert Settings.from_env({}).host == "127.0.0.1"
