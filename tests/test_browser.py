"""The web app in a real Chromium: cited answers with highlights, uploads, hostile documents."""

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (done by .ci/run).")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea", timeout=60000)
    yield page
    page.close()


def ask(page, question: str) -> float:
    previous = page.locator("#qa-chat .message").count()
    page.fill("#qa-question textarea", question)
    started = time.perf_counter()
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-chat .message').length >= n + 2", arg=previous, timeout=60000
    )
    page.wait_for_selector("#qa-cards .qa-card", timeout=60000)
    return time.perf_counter() - started


def upload(page, path) -> None:
    page.click("button[role=tab]:has-text('Documents')")
    page.set_input_files("#qa-upload input[type=file]", str(path))
    page.wait_for_function(
        "() => document.querySelector('#qa-status')?.innerText.includes('searchable now')", timeout=120000
    )


def test_question_shows_cited_answer_with_highlighted_excerpt(page):
    elapsed = ask(page, "When was the friendship treaty signed?")
    page.wait_for_selector("#qa-viewer mark", timeout=10000)
    page.screenshot(path=str(ARTIFACTS / "cited-answer.png"), full_page=True)
    assert "[1]" in page.inner_text("#qa-chat")
    assert "1961" in page.inner_text("#qa-cards mark")
    assert "1961" in page.inner_text("#qa-viewer mark")
    print(f"Enter to answer: {elapsed:.2f} s")


def test_uploaded_document_is_cited(page, tmp_path):
    doc = tmp_path / "observatoire.md"
    doc.write_text("L'observatoire du pic Zéphyr a été inauguré en 1887 par l'astronome Clara Vidal.\n", encoding="utf-8")
    upload(page, doc)
    ask(page, "Qui a inauguré l'observatoire du pic Zéphyr ?")
    page.screenshot(path=str(ARTIFACTS / "uploaded-answer.png"), full_page=True)
    assert "observatoire.md" in page.inner_text("#qa-cards")
    assert "Clara Vidal" in page.inner_text("#qa-cards mark")


# Markdown, HTML and LaTeX a document may hold; a cited sentence must show as these very characters.
FOUNTAIN_QUOTE = (
    "La fontaine Quirinale fut construite en 1642 <script>window.__qa_pwned = 1; alert('script')</script> "
    "par le maçon Orso <img src=x onerror=\"window.__qa_pwned = 2; alert('onerror')\">."
)
MUSEUM_QUOTE = (
    "Le *musée* de Zanthe a ouvert en 1921 ![](http://127.0.0.1:9/pixel.png) [lien](http://127.0.0.1:9/x) "
    "<img src=x onerror=alert(1)> $x^2$ $$y^2$$ `code` __gras__ &lt;  \\(fin\\)."
)
PIXEL_HOST = "http://127.0.0.1:9/"


def last_reply(page):
    return page.locator("#qa-chat .message-row.bot-row").last


def test_document_with_script_is_shown_as_text_and_never_runs(page, tmp_path):
    doc = tmp_path / "hostile.txt"
    doc.write_text(f"{FOUNTAIN_QUOTE}\n", encoding="utf-8")
    upload(page, doc)
    ask(page, "Quand la fontaine Quirinale fut-elle construite ?")
    page.click("button[role=tab]:has-text('Document')")
    page.wait_for_selector("#qa-viewer mark", timeout=10000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "hostile-document.png"), full_page=True)
    assert "<script>" in page.inner_text("#qa-cards")  # shown as text
    assert FOUNTAIN_QUOTE in last_reply(page).inner_text()
    assert page.evaluate("window.__qa_pwned") is None
    assert page.dialogs == []
    assert page.locator("#qa-cards script, #qa-cards img, #qa-viewer script, #qa-viewer img").count() == 0
    assert page.locator("#qa-chat script, #qa-chat img").count() == 0


def test_cited_sentence_shows_in_the_chat_character_for_character(page, tmp_path):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    doc = tmp_path / "zanthe.txt"
    doc.write_text(f"{MUSEUM_QUOTE}\n", encoding="utf-8")
    upload(page, doc)
    ask(page, "Quand le musée de Zanthe a-t-il ouvert ?")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "hostile-chat.png"), full_page=True)
    reply = last_reply(page)
    text = reply.inner_text()
    assert MUSEUM_QUOTE in text
    assert "\n[1] “" in text  # line breaks still break lines, [1] stays [1]
    rendered = "img, a[href^='http://127.0.0.1:9'], em, strong, code, pre, .katex, .latex-block, math"
    assert reply.locator(rendered).count() == 0, reply.inner_html()
    assert page.dialogs == []
    assert page.evaluate("window.__qa_pwned") is None
    assert [url for url in requests if url.startswith(PIXEL_HOST)] == []
