"""The web app, started for real, answers through its `/ask` endpoint and guards who may reach it."""

import concurrent.futures
import logging
import socket
import subprocess
import sys
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED, SIXTEEN_QUESTIONS, TREATY_QUESTIONS, _free_port, app_env


def test_ask_endpoint_returns_the_cli_json_object(app_url):
    from gradio_client import Client

    reply = Client(app_url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
    assert list(reply) == [
        "question", "language", "abstained", "status", "confidence", "mode", "llm_error", "overview", "answer", "short",
        "citations", "dropped", "passages",
    ]
    assert "1961" in reply["citations"][0]["text"]


def test_ask_endpoint_names_documents_without_the_servers_folders(app_url):
    from gradio_client import Client

    reply = Client(app_url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
    sources = {item["source"] for key in ("citations", "passages") for item in reply[key]}
    # (other tests of the session may have uploaded documents to this app: names all the same)
    assert SEED.name in sources and all(Path(s).name == s and "\\" not in s for s in sources), sources


def test_the_pages_evidence_and_documents_list_name_documents_not_paths(local, embedder, tmp_path, monkeypatch):
    """What the page sends the browser (evidence kept in its local storage, the documents list)
    names documents; a name two corpus files share still opens the one cited."""
    import app
    from qa.storing.collection import add_documents, list_documents

    for year, text in (("2023", "Le phare de Kervalen a été allumé en 1887."), ("2024", "La digue de Port-Zanthe a été agrandie en 1912.")):
        (local.corpus_dir / year).mkdir()
        (local.corpus_dir / year / "notes.txt").write_text(text, encoding="utf-8")
    for name, folder in (("CORPUS", local.corpus_dir), ("INDEX", local.index_dir), ("UPLOAD", local.upload_dir)):
        monkeypatch.setenv(f"QA_{name}_DIR", str(folder))

    *_, (chat, answers, *_) = app.respond("Quand la digue de Port-Zanthe a-t-elle été agrandie ?", [], [])
    _, saved, _ = app.save_conversation(chat, answers, None, [])
    entry = saved[0]["answers"][0]
    assert {item["source"] for key in ("citations", "passages") for item in entry[key]} <= {"notes.txt", SEED.name}
    assert entry["short"] is None or entry["short"]["source"] == "notes.txt"
    assert entry["status"] == "answered" and f"✓ {app.message(entry['language'], 'status_answered')}</span>" in chat[-1]["content"]["text"]
    assert entry["citations"][0]["source"] == "notes.txt"
    assert str(tmp_path) not in repr(saved)
    cards = app.render_cards(entry, 0)
    assert "<mark>La digue de Port-Zanthe a été agrandie en 1912.</mark>" in cards and "no longer indexed" not in cards
    assert "<mark>La digue de Port-Zanthe a été agrandie en 1912.</mark>" in app.render_document(entry["citations"][0])

    upload = tmp_path / "phare.txt"
    upload.write_text("Le phare de Quorvalde fut allumé en 1887 par la gardienne Ysolde Brannik.", encoding="utf-8")
    add_documents([upload], settings=app._settings())
    listed = app.documents_table()
    assert str(tmp_path) not in listed
    assert [row["remove"] for row in document_rows(listed)] == [None] * 3 + ["phare.txt"]  # what the browser sends back
    status, _ = app.remove("phare.txt")
    assert status == "Removed phare.txt." and "phare.txt" not in [d.name for d in list_documents(settings=app._settings())]


class _Rows(HTMLParser):
    """The Documents list's rows as the browser reads them: each cell's text, and the name a
    row's Yes sends back (its `data-name`), if it has one; every tag seen, besides."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._cell = [], set(), None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "tr" and "data-name" in attrs:
            self.rows.append({"cells": [], "remove": None, "labels": []})
        elif self.rows and tag in ("th", "td"):
            self._cell = ""
        elif self.rows and tag == "button":
            self.rows[-1]["labels"].append(attrs.get("aria-label"))
            if "qa-remove-yes" in attrs.get("class", ""):
                self.rows[-1]["remove"] = attrs["data-name"]

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self.rows:
            self.rows[-1]["cells"].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self.rows[-1]["labels"]:  # a cell's own text, not its buttons'
            self._cell += data


def document_rows(page: str) -> list[dict]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


def test_the_documents_list_gives_each_ones_sections_size_time_and_origin(local, embedder, tmp_path, monkeypatch):
    import os
    from datetime import datetime, timezone

    import app
    from qa.storing.collection import add_documents
    from tests.files import text_pdf_pages

    for name, folder in (("CORPUS", local.corpus_dir), ("INDEX", local.index_dir), ("UPLOAD", local.upload_dir)):
        monkeypatch.setenv(f"QA_{name}_DIR", str(folder))
    written = datetime(2024, 3, 9, 14, 5, tzinfo=timezone.utc).timestamp()
    os.utime(local.corpus_dir / SEED.name, (written, written))
    report = tmp_path / "rapport.pdf"
    report.write_bytes(text_pdf_pages(["Le phare de Quorvalde fut allumé en 1887.", "Il fut électrifié en 1921."]))
    add_documents([report], settings=app._settings())
    added = datetime.fromtimestamp((local.upload_dir / "rapport.pdf").stat().st_mtime, tz=timezone.utc)

    seed, pdf = document_rows(app.documents_table())
    size = f"{(local.corpus_dir / SEED.name).stat().st_size / 1024:.1f} KB"
    assert seed["cells"] == [SEED.name, "", size, "2024-03-09 14:05 UTC", "corpus folder", ""]
    assert seed["labels"] == []  # a corpus document cannot be removed from the app
    pdf_size = report.stat().st_size
    assert pdf["cells"][:2] == ["rapport.pdf", "2 pages"]
    assert pdf["cells"][2] == (f"{pdf_size} B" if pdf_size < 1024 else f"{pdf_size / 1024:.1f} KB")
    assert pdf["cells"][3:5] == [added.strftime("%Y-%m-%d %H:%M UTC"), "upload"]
    assert pdf["labels"] == ["Remove rapport.pdf", "Yes, remove rapport.pdf", "No, keep rapport.pdf"]


def test_a_document_named_like_markup_is_listed_as_its_characters(local, embedder, monkeypatch):
    """A corpus file may bear any name (an upload's name loses `<`, `>` and `"`): the list shows it as text."""
    import app

    hostile = "<img src=x onerror=alert(1)> it's \"q\" &amp;.txt"
    (local.corpus_dir / hostile).write_text("Le phare de Kervalen fut allumé en 1887.", encoding="utf-8")
    for name, folder in (("CORPUS", local.corpus_dir), ("INDEX", local.index_dir), ("UPLOAD", local.upload_dir)):
        monkeypatch.setenv(f"QA_{name}_DIR", str(folder))
    page = app.documents_table()
    parser = _Rows()
    parser.feed(page)
    assert hostile in [row["cells"][0] for row in parser.rows]
    assert "img" not in parser.tags and "<img" not in page


def test_ask_endpoint_reports_bad_input_as_a_gradio_error(app_url):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="question is empty"):
        Client(app_url, verbose=False).predict("   ", api_name="/ask")


def test_sixteen_simultaneous_callers_are_all_answered(app_url):
    from gradio_client import Client

    questions = SIXTEEN_QUESTIONS

    def call(item):
        question, expected = item
        reply = Client(app_url, verbose=False).predict(question, api_name="/ask")
        return expected in " ".join(c["text"] for c in reply["citations"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, questions))
    assert results == [True] * 16


def test_login_is_required_when_qa_auth_is_set(tmp_path_factory, settings):
    import httpx
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    from tests.conftest import start_app

    process, url = start_app(tmp_path_factory, settings, QA_AUTH="reader:s3cret")
    try:
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False).predict("When was the friendship treaty signed?", api_name="/ask")
        # Gradio 6 answers a wrong password with 400, which gradio_client reports as a plain ValueError.
        with pytest.raises(ValueError, match="^Could not login to "):
            Client(url, auth=("reader", "wrong"), verbose=False)
        upload = httpx.post(f"{url}gradio_api/upload", files={"files": ("note.txt", b"Uploaded without a login.")})
        assert upload.status_code == 401
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


def run_app_until_it_exits(tmp_path_factory, settings, **extra_env):
    """Run app.py with no login and no QA_ALLOW_OPEN unless given; returns (finished process, port, seconds)."""
    port = _free_port()
    env = app_env(tmp_path_factory, settings, port, **{"QA_AUTH": "", "QA_ALLOW_OPEN": "", **extra_env})
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    return finished, port, time.monotonic() - started


def assert_refused_to_start(finished, port: int, seconds: float, *words: str) -> None:
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    message = finished.stderr.strip().splitlines()[-1]
    assert message.startswith("ERROR qa.app: ")
    assert all(word in message for word in words), message
    assert "Loading the model" not in finished.stderr  # refused before anything slow loads
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_app_refuses_to_serve_beyond_loopback_without_a_login(tmp_path_factory, settings):
    finished, port, seconds = run_app_until_it_exits(tmp_path_factory, settings, QA_HOST="0.0.0.0")
    assert_refused_to_start(finished, port, seconds, "QA_HOST=0.0.0.0", "QA_AUTH", "QA_ALLOW_OPEN")


def test_app_refuses_an_api_token_without_a_login_for_the_page(tmp_path_factory, settings):
    # The token is checked by the REST API only: alone, it would leave the page and /gradio_api open.
    finished, port, seconds = run_app_until_it_exits(tmp_path_factory, settings, QA_API_TOKEN="t0ken-for-tests")
    assert_refused_to_start(finished, port, seconds, "QA_API_TOKEN", "QA_AUTH=user:password", "/gradio_api")


def test_app_refuses_a_malformed_qa_auth_in_one_line(tmp_path_factory, settings):
    finished, port, seconds = run_app_until_it_exits(tmp_path_factory, settings, QA_AUTH="nocolon")
    assert_refused_to_start(finished, port, seconds, "QA_AUTH", "user:password")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("qa.example.org", False),
    ],
)
def test_loopback_hosts_are_told_from_network_ones(host, loopback):
    from app import is_loopback

    assert is_loopback(host) is loopback


def test_open_access_beyond_loopback_needs_qa_allow_open_and_warns(settings, caplog):
    from app import check_access
    from qa import QAError

    network = replace(settings, host="0.0.0.0", auth="", allow_open=False)
    with pytest.raises(QAError, match="QA_ALLOW_OPEN"):
        check_access(network)
    check_access(replace(network, auth="reader:s3cret"))
    check_access(replace(network, host="127.0.0.1"))
    assert caplog.records == []
    with caplog.at_level(logging.WARNING, logger="qa.app"):
        check_access(replace(network, allow_open=True))
    assert "anyone who reaches it can upload and remove documents" in caplog.text


def _chat_round_trip(messages: list[dict]) -> list[dict]:
    """Messages as the chatbot sends them to the browser and hands them back to a handler."""
    import gradio as gr

    chatbot = gr.Chatbot(render=False)
    return chatbot.preprocess(chatbot.postprocess(messages))


def test_chat_messages_come_back_as_the_text_they_show():
    from app import _chat_message, _history

    reply = "Voici :\n\n[1] “a\tb  <img src=x> &lt; *x* `c` $$y$$ 'q' \"d\"” (z.txt)"
    history = _chat_round_trip([_chat_message("user", "Qu'est-ce que <b> ?"), _chat_message("assistant", reply)])
    assert _history(history) == [
        {"role": "user", "content": "Qu'est-ce que <b> ?"},
        {"role": "assistant", "content": reply},
    ]


def _uncertain_answer():
    from qa.results import Answer, Citation, ShortAnswer

    quote = Citation("Le <b>traité</b> fut signé en 1961.", "/srv/qa/uploads/a.txt", 7, 42)
    return Answer(
        "Les documents ne répondent peut-être pas directement.\n\n[1] « Le <b>traité</b> fut signé en 1961. »",
        abstained=False,
        language="fr",
        citations=[quote],
        status="uncertain",
        confidence=0.31,
        short=ShortAnswer("<i>1961</i>", quote.source, 36, 47, "when"),
    )


def test_a_replys_status_and_short_answer_top_it_and_stay_out_of_its_text():
    import app
    from qa.serving.web.evidence import evidence_entry

    result = _uncertain_answer()
    entry = evidence_entry("Quand ?", result)
    [reply] = _chat_round_trip([app._reply_message(result.text, entry)])
    shown = reply["content"][0]["text"]
    label = app.message("fr", "status_uncertain")
    assert shown.startswith(
        f"<div class='qa-reply-head'><span class='qa-status qa-status-uncertain' title='Confidence 31%'>⚠ {label}</span>"
        "<strong class='qa-short'>&lt;i&gt;1961&lt;/i&gt;</strong></div>"
    )
    assert "&lt;b&gt;traité&lt;/b&gt;" in shown and "<b>" not in shown and "<i>" not in shown
    assert app._history([reply]) == [{"role": "assistant", "content": result.text}]
    assert entry["short"]["source"] == "a.txt"


@pytest.mark.parametrize(
    ("status", "abstained", "confidence", "label", "title"),
    [
        ("answered", False, 0.724, "✓ Antwort", " title='Confidence 72%'"),
        ("uncertain", False, None, "⚠ Nächstliegende Stellen — vielleicht keine Antwort", ""),
        # No confidence shown for an abstention: there are no quotes it would be about.
        ("abstained", True, 0.02, "∅ Nicht in den Dokumenten", ""),
    ],
)
def test_each_status_has_its_label_icon_and_class(status, abstained, confidence, label, title):
    from qa.serving.web.evidence import render_reply_head

    passages = [{"source": "a.txt", "start": 0, "end": 5, "score": 0.5}]
    entry = {"status": status, "abstained": abstained, "confidence": confidence, "language": "de", "short": None, "passages": passages}
    assert render_reply_head(entry) == (
        f"<div class='qa-reply-head'><span class='qa-status qa-status-{status}'{title}>{label}</span></div>"
    )


def test_a_reply_that_searched_nothing_is_not_labelled_not_in_the_documents(seed_index, settings):
    from qa import answer
    from qa.serving.web.evidence import evidence_entry, render_reply_head

    reply = answer("???", index=seed_index, settings=settings)
    assert reply.status == "abstained" and render_reply_head(evidence_entry("???", reply)) == ""


def test_an_entry_kept_before_replies_stored_their_language_takes_the_questions():
    from qa.serving.web.evidence import valid_entry

    assert valid_entry({"question": "Quand Poutine ira-t-il à Pyongyang ?", "status": "answered"})["language"] == "fr"


def test_an_error_has_no_status_and_a_reply_head_cannot_be_typed_in():
    import app
    from qa.serving.web.evidence import evidence_entry

    assert app._reply_message("The question is empty.", evidence_entry("", error="The question is empty.")) == (
        app._chat_message("assistant", "The question is empty.")
    )
    typed = "<div class='qa-reply-head'>x</div>y"
    assert app._history(_chat_round_trip([app._chat_message("user", typed)])) == [{"role": "user", "content": typed}]


def test_retry_asks_the_last_question_again_in_place_of_its_answer(monkeypatch):
    import app

    asked = []
    monkeypatch.setattr(
        app, "respond", lambda question, chat, answers, k: iter([asked.append((question, app._history(chat), answers))])
    )
    history = _chat_round_trip(
        [
            app._chat_message("user", "Qui a signé le traité ?"),
            app._chat_message("assistant", "[1] “Kim.”"),
            app._chat_message("user", "Et en quelle année ?"),
            app._chat_message("assistant", "[1] “1961.”"),
        ]
    )
    list(app.retry(history, [{"question": "Qui a signé le traité ?"}, {"question": "Et en quelle année ?"}]))
    earlier = [{"role": "user", "content": "Qui a signé le traité ?"}, {"role": "assistant", "content": "[1] “Kim.”"}]
    assert asked == [("Et en quelle année ?", earlier, [{"question": "Qui a signé le traité ?"}])]


def test_new_chat_empties_chat_answers_evidence_viewer_and_starts_a_new_conversation():
    import app

    chat, answers, question, cards, passages, choices, viewer, shown, conversation = app.new_chat()
    assert (chat, answers, question, cards, passages, viewer, shown, conversation) == (
        [], [], "", "", "", app.VIEWER_EMPTY, None, None
    )
    assert choices["choices"] == [] and choices["value"] is None


def test_more_passages_asks_the_last_question_again_from_twice_as_many_up_to_the_limit(monkeypatch):
    import app

    asked = []
    monkeypatch.setattr(app, "respond", lambda question, chat, answers, k: iter([asked.append((question, k)) or ("shown",) * 8]))
    chat = _chat_round_trip([app._chat_message("user", "Qui ?"), app._chat_message("assistant", "[1] “Kim.”")])
    five = {"question": "Qui ?", "passages": [{"source": "a.txt", "start": 0, "end": 1, "score": 0.5}] * 5}
    *_, (*_, opened) = app.more_passages(chat, [five])
    assert asked == [("Qui ?", 10)] and opened.open is True
    assert app.more_k([{**five, "passages": five["passages"] * 8}]) == app.MAX_K  # 80 asked, 50 at most
    assert app.more_k([{**five, "passages": five["passages"] * 10}]) is None  # 50 already: nothing more to ask
    assert app.more_k([{"question": "?", "error": "x", "passages": []}]) == 2 * app._settings().top_k


@pytest.mark.parametrize(
    ("name", "text", "offset", "where"),
    [
        ("a.txt", "Titre\n\nPremier.\n\n\nSecond. Encore.", 20, "paragraph 3"),
        ("a.txt", "Titre\n\nPremier.", 0, "paragraph 1"),
        ("a.txt", "\n\nTitre\n\nPremier.", 9, "paragraph 2"),  # blank lines at the top start no paragraph
        ("a.txt", "une ligne\nune autre\nla troisième", 20, "paragraph 3"),  # no blank line: lines count
        ("a.pdf", "Page un.\n\nSuite.\n\f\nPage deux.\n\nFin.", 34, "page 2 · paragraph 2"),
        ("a.pdf", "Page un.\nligne\n\f\nPage deux.\nligne", 28, "page 2"),  # a PDF's lines are its layout's
        ("a.pdf", "Une page.\nligne", 12, "page 1"),  # a PDF of one page is still paged
    ],
)
def test_citations_are_placed_by_page_and_paragraph(name, text, offset, where):
    from qa.serving.web.evidence import where_in_document

    assert where_in_document(name, text, offset) == where


@pytest.mark.parametrize(
    ("name", "where"),
    [("deck.pptx", "slide 2"), ("report.pdf", "page 2"), ("book.epub", "chapter 2")],
)
def test_citations_are_placed_by_the_documents_own_sections(name, where, monkeypatch):
    from qa.reading.documents import SECTION_KINDS
    from qa.serving.web.evidence import where_in_document

    # Any kind of section a reader declares is shown by its name (e-books are read by another module).
    monkeypatch.setitem(SECTION_KINDS, ".epub", SECTION_KINDS.get(".epub", "chapter"))
    text = "Intro\nHello there.\n\f\nPlan\nFirst the budget.\nThen the dates."
    assert where_in_document(name, text, text.index("Then")) == where


@pytest.mark.parametrize("name", ["travel.xlsx", "travel.ods"])
def test_a_spreadsheet_citation_is_placed_by_sheet_and_row_as_the_spreadsheet_numbers_them(name):
    from qa.serving.web.evidence import heading

    # Sheet 2: its header row 1, Oslo row 2, an empty row 3, Tokyo row 4.
    text = "\nCity: Rome; Rate: 80.\n\f\n\nCity: Oslo; Rate: 95.\n\nCity: Tokyo; Rate: 120."
    assert heading(name, text, text.index("Tokyo")) == f"<b>{name}</b> · sheet 2 · row 4"


def test_a_citation_of_a_single_sheet_is_placed_by_its_row_alone():
    from qa.serving.web.evidence import where_in_document

    text = "\nCity: Oslo; Rate: 95.\n\nCity: Tokyo; Rate: 120."
    assert where_in_document("rates.csv", text, text.index("Tokyo")) == "row 4"
    assert where_in_document("rates.xlsx", text, text.index("Oslo")) == "row 2"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Rapport annuel\n\nLes ventes ont augmenté.", "Rapport annuel"),  # a Markdown heading
        ("\n\nLe traité de 1961\nIl fut signé à Moscou.", "Le traité de 1961"),
        ("\f\nTitre d'un PDF\nTexte.", "Titre d'un PDF"),
        ("Les ventes ont augmenté en mai.\nLes coûts ont baissé.", None),  # a sentence is no title
        ("Résumé :\nLes ventes.", None),
        ("x" * 201 + "\nTexte.", None),  # too long for a title
    ],
)
def test_a_documents_title_is_its_first_line_when_that_reads_as_one(text, title):
    from qa.reading.documents import document_title

    assert document_title(text) == title


def test_a_citation_is_placed_by_title_file_page_and_paragraph():
    from qa.serving.web.evidence import heading

    text = "Le traité d'amitié de 1961 entre l'URSS et la Corée du Nord, renouvelé en 2000\n\nIl fut signé."
    assert heading("docs/traite.txt", text, 81) == (
        "<b>Le traité d&#x27;amitié de 1961 entre l&#x27;URSS et la Corée du Nord, renouvelé en 2000</b>"
        " · traite.txt · paragraph 2"
    )
    cut = heading("docs/traite.txt", text, 81, cut=20)
    assert cut.startswith("<b>Le traité d&#x27;amitié…</b>")  # 19 characters and the ellipsis
    assert heading("a.txt", "Une phrase.\n\nUne autre.", 13) == "<b>a.txt</b> · paragraph 2"
    assert heading("<b>.txt", "Une phrase.", 0) == "<b>&lt;b&gt;.txt</b> · paragraph 1"


def test_a_card_names_its_document_once_by_file_name_with_its_full_name_in_the_tooltip():
    from qa.serving.web.evidence import card_head

    text = "<img src=x onerror=alert(1)> Le traité de 1961\n\nIl fut signé."
    head = card_head("[2]", "docs/<b>'traite'.txt", text, text.index("Il"))
    assert head == (
        "<div class='qa-card-head'><span class='qa-card-n'>[2]</span> <b class='qa-card-name'"
        " title='&lt;img src=x onerror=alert(1)&gt; Le traité de 1961 — &lt;b&gt;&#x27;traite&#x27;.txt'>"
        "&lt;b&gt;&#x27;traite&#x27;.txt</b><span class='qa-card-where'> · paragraph 2</span></div>"
    )
    gone = card_head("[1]", "a.txt", None, 0, where="no longer indexed as it was")
    assert "title='a.txt'>a.txt</b>" in gone and "· no longer indexed as it was" in gone


def test_the_indexing_panel_says_what_how_far_and_the_time_left():
    from qa.serving.web.progress import describe, render_indexing
    from qa.storing.progress import IndexingStatus

    assert describe(IndexingStatus(1, "big.txt", "reading", 0.0, None)) == "Indexing big.txt: reading the file"
    assert describe(IndexingStatus(1, "big.txt", "embedding", 0.0, None)) == "Indexing big.txt: 0% · estimating the time left"
    assert describe(IndexingStatus(1, "big.txt", "embedding", 0.485, 960)) == "Indexing big.txt: 48% · about 16 min left"
    assert describe(IndexingStatus(1, "big.txt", "saving", 1.0, None)) == "Indexing big.txt: saving the index"
    assert describe(IndexingStatus(1, "big.txt", "cancelling", 0.5, None)) == "Cancelling the indexing of big.txt"
    panel = render_indexing(IndexingStatus(1, "<b>.txt", "embedding", 0.25, 30))
    assert "&lt;b&gt;.txt" in panel and "<b>.txt" not in panel  # a name is text, never markup
    assert 'value="250"' in panel and 'max="1000"' in panel


def test_an_upload_reports_its_progress_from_reading_to_the_last_word(local, embedder, tmp_path):
    from qa.storing.collection import add_documents

    local = replace(local, corpus_dir=tmp_path / "no-corpus")  # only the upload is embedded
    doc = tmp_path / "phare.md"
    doc.write_text("Le phare de Quorvalde fut allumé en 1887 par la gardienne Ysolde Brannik.\n", encoding="utf-8")
    calls = []
    add_documents([doc], settings=local, progress=lambda step, done, total: calls.append((step, done, total)))
    assert calls[0] == ("documents", 1, 1)
    sentence_tokens, word_tokens = calls[1][2], calls[2][2]  # the plan, in tokens, announced first
    assert calls[1:3] == [("sentences", 0, sentence_tokens), ("words", 0, word_tokens)]
    assert sentence_tokens > 10 and word_tokens > 10  # tokens, not the one sentence or the dozen words
    assert calls[-2:] == [("sentences", sentence_tokens, sentence_tokens), ("words", word_tokens, word_tokens)]


def test_every_tab_is_shown_the_add_under_way_and_any_may_cancel_it(local, embedder, tmp_path, monkeypatch):
    """An upload of one tab waits for the index's lock (held here): meanwhile another tab's
    tick shows it, and its Cancel stops it; the uploading tab then says nothing was added."""
    import threading
    import time

    from qa.storing.collection import default_collection

    app = _in_panel(local, monkeypatch)
    collection = default_collection(app._settings())
    collection.index()
    shown = []
    with collection._lock:
        uploading = threading.Thread(
            target=lambda: shown.extend(app.upload([_cake_file(tmp_path, CAKE_40, "first")])), daemon=True
        )
        uploading.start()
        deadline = time.monotonic() + 120  # a hang guard: the file is read in a child process first
        while collection.indexing is None:
            assert time.monotonic() < deadline and uploading.is_alive()
            time.sleep(0.05)
        box, text, cancel, ready, listed, job = app.indexing_tick(None)
        assert box["visible"] and "Indexing lemon-cake.txt" in text and cancel["interactive"]
        assert "indexing lemon-cake.txt" in ready  # the line under the title, in every view
        assert job[0] == collection.indexing.id
        assert app.indexing_tick(job)[3:5] == (app.gr.skip(),) * 2  # the same job: the list not sent again
        assert "Cancelling the indexing of lemon-cake.txt" in app.cancel_indexing()
    uploading.join(timeout=300)
    status, listed, *_ = shown[-1]
    assert status == "Cancelled: nothing was added; the documents are as they were."
    assert [row["cells"][0] for row in document_rows(listed)] == [SEED.name]
    assert not (local.upload_dir / "lemon-cake.txt").exists()
    box, text, _, ready, listed, job = app.indexing_tick(job)  # the tick after it ended
    assert (box["visible"], text, job[0]) == (False, "", None) and ready.startswith("Ready")
    assert app.indexing_tick(job) == (app.gr.skip(),) * 6  # nothing runs, nothing changed: nothing sent
    assert app.indexing_tick(None)[:5] == (app.gr.skip(),) * 5  # a page's first tick: only what it sees


def test_every_tab_lists_a_document_removed_elsewhere_at_its_next_tick(local, embedder, tmp_path, monkeypatch):
    from qa.storing.collection import add_documents, remove_document

    app = _in_panel(local, monkeypatch)
    add_documents([_cake_file(tmp_path, CAKE_40, "first")], settings=app._settings())
    seen = app.indexing_tick(None)[5]  # a page open with lemon-cake.txt listed
    assert app.indexing_tick(seen) == (app.gr.skip(),) * 6
    remove_document(str(local.upload_dir / "lemon-cake.txt"), settings=app._settings())  # by another tab, or REST
    _, _, _, ready, listed, _ = app.indexing_tick(seen)
    assert [row["cells"][0] for row in document_rows(listed)] == [SEED.name]
    assert "lemon-cake" not in ready


class _PastRows(HTMLParser):
    """The past conversations panel as the browser reads it: per conversation its id, title,
    date (the `datetime` the page shows in the reader's time zone) and whether it is the one
    on screen; every tag seen, besides."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._in = [], set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "li":
            self.rows.append({"id": attrs["data-id"], "title": "", "date": None, "current": "aria-current" in attrs})
        elif tag == "time" and self.rows:
            self.rows[-1]["date"] = attrs["datetime"]
        elif tag == "span" and attrs.get("class") == "qa-past-title":
            self._in = "title"

    def handle_endtag(self, tag):
        if tag == "span":
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.rows[-1]["title"] += data


def past_rows(page: str) -> list[dict]:
    parser = _PastRows()
    parser.feed(page)
    return parser.rows


def _chosen(app, saved, conversation=None, **sent):
    """What the panel does with what the page sent (`conversation_chosen`)."""
    return app.conversation_chosen(app.gr.EventData(None, sent), conversation, saved)


def _two_saved(app):
    first, saved, _ = app.save_conversation(*_conversation(app, "Quand ?", "[1] “1961.”", []), None, [])
    second, saved, _ = app.save_conversation(*_conversation(app, "Qui ?", "[1] “Kim.”", []), None, saved)
    return first, second, saved


def test_a_saved_conversation_is_listed_with_the_time_it_was_last_answered():
    import app
    from datetime import datetime, timedelta, timezone

    _, saved, past = app.save_conversation(*_conversation(app, "Quand ?", "[1] “1961.”", []), None, [])
    when = datetime.fromisoformat(past_rows(past)[0]["date"])
    assert abs(datetime.now(timezone.utc) - when) < timedelta(hours=1)  # a time, in UTC (not a speed check)
    assert when.utcoffset() == timedelta(0) and saved[0]["updated"] == when.isoformat()


def test_a_renamed_conversation_keeps_its_name_when_answered_again():
    import app

    first, second, saved = _two_saved(app)
    *screen, saved, past = _chosen(app, saved, second, rename=first, title="  Le   traité ")
    assert screen == [app.gr.skip()] * 8  # the chat on screen stays
    assert [row["title"] for row in past_rows(past)] == ["Qui ?", "Le traité"]
    chat, answers = _conversation(app, "Quand ?", "[1] “1961.”", [])
    _, saved, past = app.save_conversation(chat + chat, answers, first, saved)
    assert [row["title"] for row in past_rows(past)] == ["Le traité", "Qui ?"]
    *_, unchanged, _ = _chosen(app, saved, rename=first, title="   ")
    assert [c["title"] for c in unchanged] == ["Le traité", "Qui ?"]  # a blank name changes nothing


def test_deleting_a_conversation_keeps_the_others_and_the_one_on_screen_unless_it_is_that_one():
    import app

    first, second, saved = _two_saved(app)
    *screen, kept, past = _chosen(app, saved, second, delete=first)
    assert screen == [app.gr.skip()] * 8 and [c["id"] for c in kept] == [second]
    assert [(row["id"], row["current"]) for row in past_rows(past)] == [(second, True)]
    chat, answers, conversation, *_, kept, past = _chosen(app, saved, second, delete=second)
    assert (chat, answers, conversation) == ([], [], None)  # deleted while on screen: a new chat
    assert [c["id"] for c in kept] == [first]


def test_forget_them_all_empties_the_list_and_the_page_asks_first():
    import app

    first, second, saved = _two_saved(app)
    before = app.past_list(saved, second)
    assert "Forget all 2 conversations kept in this browser?" in before
    assert "class='qa-yes' data-action='forget'" in before and "class='qa-no'" in before
    chat, answers, conversation, *_, kept, past = _chosen(app, saved, second, forget=1)
    assert (chat, answers, conversation, kept, past_rows(past)) == ([], [], None, [], [])


def test_the_panel_ignores_ids_it_did_not_make():
    import app

    first, second, saved = _two_saved(app)
    for sent in ({"open": "../etc"}, {"delete": "<script>"}, {"rename": 3, "title": "x"}, {}):
        *screen, kept, past = _chosen(app, saved, second, **sent)
        assert screen == [app.gr.skip()] * 8 and kept == app.gr.skip()
        assert [row["id"] for row in past_rows(past)] == [second, first]
    assert app.conversations([{"id": "<b>", "title": "x"}, *saved]) == saved


def test_a_conversations_title_is_shown_as_its_characters():
    import app

    _, saved, past = app.save_conversation(*_conversation(app, "<img src=x onerror=alert(1)>?", "Non.", []), None, [])
    parser = _PastRows()
    parser.feed(past)
    assert parser.rows[0]["title"] == "<img src=x onerror=alert(1)>?" and "img" not in parser.tags


def test_a_reload_brings_back_the_conversation_on_screen_with_its_evidence(monkeypatch):
    import app
    from qa.serving.web import evidence

    monkeypatch.setattr(evidence, "_document", lambda item: "Le traité fut signé en 1961.")
    entry = {"question": "Quand ?", "citations": [{"source": "a.txt", "start": 0, "end": 28, "text": "Le traité fut signé en 1961."}], "passages": []}
    chat, answers = _conversation(app, "Quand ?", "[1] “Le traité fut signé en 1961.”", [entry])
    conversation, saved, _ = app.save_conversation(chat, answers, None, [])
    chat, answers, restored, cards, *_, shown, past = app.restore_conversation(conversation, saved)
    assert (restored, shown) == (conversation, 0) and app._history(chat)[0]["content"] == "Quand ?"
    assert "<mark>Le traité fut signé en 1961.</mark>" in cards and past_rows(past)[0]["current"]
    chat, answers, restored, *_ = app.restore_conversation(conversation, [])  # forgotten in another tab
    assert (chat, answers, restored) == ([], [], None)


def test_the_examples_ask_about_the_newest_documents_then_the_seed_articles_questions(local, embedder, tmp_path, monkeypatch):
    from qa.serving.web.examples import SEED_EXAMPLES
    from qa.storing.collection import add_documents

    app = _in_panel(local, monkeypatch)
    assert [q for [q] in app.examples_now()["samples"]] == list(SEED_EXAMPLES[SEED.name])
    cake = tmp_path / "lemon-cake.txt"
    cake.write_text(CAKE_40, encoding="utf-8")
    add_documents([cake], settings=app._settings())
    examples = app.examples_now()
    assert [q for [q] in examples["samples"]][:2] == ["Summarize the document lemon cake.", SEED_EXAMPLES[SEED.name][0]]
    assert len(examples["samples"]) == 5 and examples["visible"]


def test_the_header_names_one_or_two_documents_and_counts_more(local, embedder, tmp_path, monkeypatch):
    from qa.storing.collection import add_documents

    app = _in_panel(local, monkeypatch)
    assert app.status_line().startswith(f"Ready · <span class='qa-name'>{SEED.name}</span> indexed<span class='qa-model'> · model: ")
    (local.corpus_dir / "lemon<cake>.txt").write_text(CAKE_40, encoding="utf-8")  # (an upload's name loses <>)
    assert f"{SEED.name}</span> and <span class='qa-name'>lemon&lt;cake&gt;.txt</span> indexed" in app.status_line()
    (tmp_path / "b.txt").write_text(CAKE_55, encoding="utf-8")
    add_documents([tmp_path / "b.txt"], settings=app._settings())
    assert ">3 documents</button> indexed" in app.status_line() and "lemon" not in app.status_line()


def _conversation(app, question: str, reply: str, answers: list[dict]):
    chat = _chat_round_trip([app._chat_message("user", question), app._chat_message("assistant", reply)])
    return chat, answers


def test_a_saved_conversation_comes_back_with_its_evidence(monkeypatch):
    import app
    from qa.serving.web import evidence

    text = "Titre\n\nLe traité fut signé en 1961. Il dure."
    monkeypatch.setattr(evidence, "_document", lambda item: text if item["source"] == "a.txt" else None)
    entry = {
        "question": "Quand ?",
        "citations": [{"source": "a.txt", "start": 7, "end": 35, "text": "Le traité fut signé en 1961."}],
        "passages": [{"source": "a.txt", "start": 7, "end": 45, "score": 0.9}],
    }
    chat, answers = _conversation(app, "Quand ?", "[1] “Le traité fut signé en 1961.”", [entry])
    old = "0123456789abcdef"
    conversation, saved, past = app.save_conversation(chat, answers, None, [{"id": old, "title": "Avant"}])
    assert [c["id"] for c in saved] == [conversation, old]  # the newest first
    assert [row["title"] for row in past_rows(past)] == ["Quand ?", "Avant"]
    assert [row["current"] for row in past_rows(past)] == [True, False]
    chat, answers, loaded, cards, _, _, viewer, shown = app.load_conversation(conversation, saved)
    assert (loaded, shown) == (conversation, 0)
    assert app._history(chat) == [
        {"role": "user", "content": "Quand ?"},
        {"role": "assistant", "content": "[1] “Le traité fut signé en 1961.”"},
    ]
    assert "Titre\n\n<mark>Le traité fut signé en 1961.</mark> Il dure." in viewer
    assert "<b>Titre</b> · a.txt · paragraph 2" in viewer and "title='characters 7–35'" in viewer
    assert "<div class='qa-passage'><mark>Le traité fut signé en 1961.</mark> Il dure.</div>" in cards


def test_a_saved_conversation_comes_back_with_each_replys_status(monkeypatch):
    import app
    from qa.serving.web import evidence

    monkeypatch.setattr(evidence, "_document", lambda item: None)
    result = _uncertain_answer()
    chat = _chat_round_trip(
        [
            app._chat_message("user", "Quand ?"),
            app._reply_message(result.text, evidence.evidence_entry("Quand ?", result)),
            app._chat_message("user", "Et alors ?"),
            app._chat_message("assistant", "The question is empty."),
        ]
    )
    answers = [evidence.evidence_entry("Quand ?", result), evidence.evidence_entry("Et alors ?", error="(error)")]
    conversation, saved, _ = app.save_conversation(chat, answers, None, [])
    assert [t["text"] for t in saved[0]["turns"]][1] == result.text  # the text, without its head
    loaded_chat, loaded, *_ = app.load_conversation(conversation, saved)
    assert _chat_round_trip(loaded_chat) == chat
    assert (loaded[0]["status"], loaded[0]["confidence"], loaded[0]["short"]["text"]) == ("uncertain", 0.31, "<i>1961</i>")
    assert loaded[1]["status"] is None


@pytest.mark.parametrize(
    ("stored", "status", "confidence", "short"),
    [
        ({"abstained": True, "status": "uncertain", "confidence": 2.0}, "abstained", None, None),
        ({"status": "<script>", "confidence": True, "short": {"text": 1961}}, "answered", None, None),
        ({"confidence": float("nan"), "short": {"text": "1961", "source": "a.txt", "start": 5, "end": 1, "kind": "when"}}, "answered", None, None),
        ({"status": "uncertain", "confidence": 1, "short": {"text": "x", "source": "a.txt", "start": 0, "end": 1, "kind": "who", "more": 1}},
         "uncertain", 1.0, {"text": "x", "source": "a.txt", "start": 0, "end": 1, "kind": "who"}),
    ],
)
def test_a_status_from_the_browser_is_kept_only_when_well_formed(stored, status, confidence, short):
    import app
    from qa.serving.web.evidence import valid_entry

    entry = valid_entry({"question": "?", "language": ["fr"], **stored})
    assert (entry["status"], entry["confidence"], entry["short"], entry["language"]) == (status, confidence, short, "en")
    assert "<script>" not in app.render_reply_head(entry)


def test_citations_from_the_browser_open_only_indexed_documents(monkeypatch):
    import app
    from qa.serving.web import evidence

    monkeypatch.setattr(evidence, "_document", lambda item: None)  # /etc/passwd is not indexed
    passwd = {"source": "/etc/passwd", "start": 0, "end": 4, "text": "root"}
    entry = evidence.valid_entry({"question": "?", "citations": [passwd]})
    viewer = app.render_document(entry["citations"][0])
    assert viewer == "<p>passwd is no longer indexed as it was when this answer was given: ask again.</p>"
    assert evidence.valid_entry({"citations": [{"source": 1, "start": "x"}], "passages": "no"})["citations"] == []
    assert app.show_citation("0:1", [entry], None)[3] == viewer
    assert app.show_citation("9:1", [entry], None) == app.show_citation("0; alert(1)", [entry], None)


@pytest.mark.parametrize("k", [0, 51])
def test_ask_endpoint_refuses_k_out_of_range(app_url, k):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="k must be a whole number from 1 to 50"):
        Client(app_url, verbose=False).predict("When was the friendship treaty signed?", k, api_name="/ask")


def test_a_reply_left_half_written_keeps_its_quoted_answer_with_a_note():
    import app

    chat = [app._chat_message("user", "Qui a invité Poutine ?"), app._chat_message("assistant", "Kim Jong" + app.WRITING_MARK)]
    pending = {"question": "Qui a invité Poutine ?", "citations": [], "passages": [], "pending_reply": "[1] “Kim Jong Un.”"}
    settled_chat, settled_answers = app._settled(_chat_round_trip(chat), [pending])
    assert app._message_text(settled_chat[-1]) == "[1] “Kim Jong Un.”\n\n(" + app.message("fr", "stopped") + ")"
    assert "pending_reply" not in settled_answers[-1] and settled_answers[-1]["question"] == pending["question"]
    assert app._settled(settled_chat, settled_answers) is None  # nothing is pending any more


# --- the documents panel: a name uploaded again, a file qa does not read ---------------------------

CAKE_40 = "Lemon cake. Mix the flour, the sugar and the zest of two lemons. Bake for 40 minutes.\n"
CAKE_55 = "Lemon cake. Mix the flour, the sugar and the zest of two lemons. Bake for 55 minutes.\n"


def _outcome(handler):
    """What a panel handler shows in the end (the last of what it yields); the first thing
    it yields, when it yields more, empties the status line while the files are indexed."""
    shown = list(handler)
    if len(shown) > 1:
        assert shown[0][0] == ""  # no older message stays beside the indexing panel
    return shown[-1]


def _in_panel(local, monkeypatch):
    import app

    for name, folder in (("CORPUS", local.corpus_dir), ("INDEX", local.index_dir), ("UPLOAD", local.upload_dir)):
        monkeypatch.setenv(f"QA_{name}_DIR", str(folder))
    return app


def _cake_file(tmp_path, text: str, folder: str) -> str:
    path = tmp_path / folder / "lemon-cake.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_name_uploaded_again_is_asked_about_then_replaced(local, embedder, tmp_path, monkeypatch):
    from qa import answer

    app = _in_panel(local, monkeypatch)
    status, *_, waiting, box, question = _outcome(app.upload([_cake_file(tmp_path, CAKE_40, "first")]))
    assert (status, waiting, box["visible"]) == ("Added lemon-cake.txt: searchable now.", None, False)
    status, _, _, _, emptied, waiting, box, question = _outcome(app.upload([_cake_file(tmp_path, CAKE_55, "edited")]))
    assert (status, emptied, box["visible"], question) == ("", None, True, "lemon-cake.txt exists. Replace it?")
    assert "40 minutes" in answer("How long do I bake the cake?", settings=app._settings()).citations[0].text
    status, table, *_, waiting, box, question = _outcome(app.replace_pending(waiting))
    assert (status, waiting, box["visible"]) == ("Replaced lemon-cake.txt: searchable now.", None, False)
    assert [row["cells"][0] for row in document_rows(table)].count("lemon-cake.txt") == 1
    quoted = " ".join(c.text for c in answer("How long do I bake the cake?", settings=app._settings()).citations)
    assert "55 minutes" in quoted and "40 minutes" not in quoted


def test_cancel_keeps_the_document_and_keep_both_adds_the_new_one_under_a_free_name(
    local, embedder, tmp_path, monkeypatch
):
    app = _in_panel(local, monkeypatch)
    _outcome(app.upload([_cake_file(tmp_path, CAKE_40, "first")]))
    *_, waiting, _, _ = _outcome(app.upload([_cake_file(tmp_path, CAKE_55, "edited")]))
    status, *_, left, box, _ = app.cancel_pending(waiting)
    assert (status, left, box["visible"]) == ("Nothing was added: lemon-cake.txt is kept as it was.", None, False)
    assert (local.upload_dir / "lemon-cake.txt").read_text(encoding="utf-8") == CAKE_40
    status, table, *_ = _outcome(app.keep_both(waiting))
    assert status == "Added lemon-cake-1.txt: searchable now. lemon-cake.txt is kept as it was."
    assert [row["remove"] for row in document_rows(table) if row["remove"]] == ["lemon-cake.txt", "lemon-cake-1.txt"]


def test_a_file_qa_does_not_read_is_refused_in_the_status_line_with_what_it_reads(local, tmp_path, monkeypatch):
    from qa.reading.documents import SUPPORTED_SUFFIXES

    app = _in_panel(local, monkeypatch)
    archive = tmp_path / "recipes.zip"
    archive.write_bytes(b"PK\x03\x04 an archive")
    status, *_, waiting, box, _ = _outcome(app.upload([str(archive)]))
    assert status == f"Nothing was added. recipes.zip: unsupported file type (.zip); qa reads {', '.join(SUPPORTED_SUFFIXES)}."
    assert (waiting, box["visible"]) == (None, False)


def test_the_footer_says_which_mode_answers_and_links_the_rest_docs():
    import app
    from qa.config import Settings

    quoting = app.footer(Settings())
    assert "no language model connected" in quoting and "QA_LLM_URL" in quoting
    assert "href='api/v1/docs'" in quoting
    writing = app.footer(Settings(llm_url="http://key:secret@127.0.0.1:8080/v1", llm_model="<b>tiny</b>"))
    assert "&lt;b&gt;tiny&lt;/b&gt; at 127.0.0.1:8080" in writing and "<b>" not in writing
    assert "secret" not in writing and "QA_LLM_URL" not in writing


def test_a_question_in_each_language_gets_its_reply_in_that_language(app_url):
    import httpx

    from qa.text.language import DETECTED_LANGUAGES
    from qa.text.messages import message

    assert sorted(TREATY_QUESTIONS) == sorted(DETECTED_LANGUAGES)
    heads = {"answered": "lead", "uncertain": "uncertain", "abstained": "abstain"}
    for language, question in TREATY_QUESTIONS.items():
        reply = httpx.post(f"{app_url}api/v1/ask", json={"question": question}, timeout=600).json()
        assert reply["language"] == language, (question, reply["language"])
        assert reply["answer"].startswith(message(language, heads[reply["status"]])), (language, reply["answer"][:80])
        if language != "en":
            assert not reply["answer"].startswith(message("en", heads[reply["status"]])), language
