"""The web app in a real Chromium: cited answers with highlights, uploads, hostile documents,
and the app as people use it at desktop (1400×1100) and phone (390×844) sizes."""

import re
import shutil
import time
from pathlib import Path

import pytest

from qa.text.messages import message
from tests.conftest import ROOT, SEED, TREATY_QUESTIONS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
# How long the browser waits for what the app must show: a guard against a hang, not a
# speed target (an upload took over 2 minutes on a machine loaded 14 deep on 2 cores).
WAIT_MS = 600_000
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
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    yield page
    page.close()


def ask(page, question: str) -> float:
    previous = page.locator("#qa-chat .message").count()
    page.fill("#qa-question textarea", question)
    started = time.perf_counter()
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-chat .message').length >= n + 2", arg=previous, timeout=WAIT_MS
    )
    page.wait_for_selector("#qa-cards .qa-card", timeout=WAIT_MS)
    return time.perf_counter() - started


def upload(page, path) -> None:
    page.click("button[role=tab]:has-text('Documents')")
    page.set_input_files("#qa-upload input[type=file]", str(path))
    page.wait_for_function(
        "() => document.querySelector('#qa-status')?.innerText.includes('searchable now')", timeout=WAIT_MS
    )


def test_question_shows_cited_answer_with_highlighted_excerpt(page):
    elapsed = ask(page, "When was the friendship treaty signed?")
    page.wait_for_selector("#qa-viewer mark", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "cited-answer.png"), full_page=True)
    assert "[1]" in page.inner_text("#qa-chat")
    assert "1961" in page.inner_text("#qa-cards mark")
    assert "1961" in page.inner_text("#qa-viewer mark")
    # The reply's status is a label atop it (kept by the chat's sanitizer), its confidence in the tooltip.
    status = last_reply(page).locator(".qa-reply-head .qa-status")
    assert status.inner_text() == f"✓ {message('en', 'status_answered')}"
    assert "qa-status-answered" in status.get_attribute("class")
    assert re.fullmatch(r"Confidence \d+%", status.get_attribute("title") or "Confidence 0%")
    print(f"Enter to answer: {elapsed:.2f} s")


def test_the_footer_says_how_replies_are_made_and_its_link_opens_the_rest_docs(page):
    footer = page.locator("#qa-footer")
    footer.wait_for(timeout=WAIT_MS)
    assert "no language model connected" in footer.inner_text()
    assert "Use via API" not in page.inner_text("body")  # Gradio's own panel is not offered
    with page.expect_popup() as opened:
        footer.get_by_role("link", name="REST API docs").click()
    docs = opened.value
    docs.wait_for_selector(".swagger-ui .opblock", timeout=WAIT_MS)
    assert "/ask" in docs.inner_text(".swagger-ui") and docs.url.endswith("/api/v1/docs")
    docs.close()


def test_uploaded_document_is_cited(page, tmp_path):
    doc = tmp_path / "observatoire.md"
    doc.write_text("L'observatoire du pic Zéphyr a été inauguré en 1887 par l'astronome Clara Vidal.\n", encoding="utf-8")
    upload(page, doc)
    ask(page, "Qui a inauguré l'observatoire du pic Zéphyr ?")
    page.screenshot(path=str(ARTIFACTS / "uploaded-answer.png"), full_page=True)
    assert "observatoire.md" in page.inner_text("#qa-cards")
    assert "Clara Vidal" in page.inner_text("#qa-cards mark")


# Every toast the page shows from now on (Gradio's red error boxes), by its text.
RECORD_TOASTS = """() => {
  window.qaToasts = [];
  new MutationObserver(records => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const toasts = node.matches('[data-testid=toast-body]') ? [node] : node.querySelectorAll('[data-testid=toast-body]');
      for (const toast of toasts) window.qaToasts.push(toast.innerText);
    }
  }).observe(document.body, {subtree: true, childList: true});
}"""


def test_a_file_qa_does_not_read_is_refused_once_in_the_status_line(page, tmp_path):
    from qa.reading.documents import SUPPORTED_SUFFIXES

    doc = tmp_path / "fanal.md"
    doc.write_text("Le fanal de Port-Quoril fut allumé en 1905 par le gardien Anselme Trivaz.\n", encoding="utf-8")
    upload(page, doc)  # the status line now says so
    page.evaluate(RECORD_TOASTS)
    archive = tmp_path / "recettes.zip"
    archive.write_bytes(b"PK\x03\x04 an archive of recipes")
    page.set_input_files("#qa-upload input[type=file]", str(archive))
    page.wait_for_function(  # the refusal, in the status line or (as before) in a toast
        "() => document.querySelector('#qa-status')?.innerText.includes('recettes.zip') || window.qaToasts.length",
        timeout=WAIT_MS,
    )
    page.screenshot(path=str(ARTIFACTS / "refused-upload.png"), full_page=True)
    status = page.inner_text("#qa-status").strip()
    expected = f"Nothing was added. recettes.zip: unsupported file type (.zip); qa reads {', '.join(SUPPORTED_SUFFIXES)}."
    assert status == expected  # the older message is gone
    assert page.evaluate("window.qaToasts") == []
    assert page.inner_text("body").count("recettes.zip") == 1  # said once, in one place


CAKE = "Lemon cake. Mix the flour, the sugar and the zest of two lemons. Bake for {} minutes.\n"


def test_a_name_uploaded_again_asks_first_then_replaces_it(page, tmp_path):
    first, edited = tmp_path / "first" / "lemon-cake.txt", tmp_path / "edited" / "lemon-cake.txt"
    for path, minutes in ((first, 40), (edited, 55)):
        path.parent.mkdir()
        path.write_text(CAKE.format(minutes), encoding="utf-8")
    upload(page, first)
    assert "Added lemon-cake.txt" in page.inner_text("#qa-status")
    page.set_input_files("#qa-upload input[type=file]", str(edited))
    page.wait_for_selector("#qa-replace:has-text('lemon-cake.txt exists. Replace it?')", state="visible", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "replace-asked.png"), full_page=True)
    assert "searchable now" not in page.inner_text("#qa-status")  # no older message beside the question
    for button in ("Replace", "Keep both", "Cancel"):
        assert page.locator(f"#qa-replace button:has-text('{button}')").is_visible()
    page.click("#qa-replace-yes")
    page.wait_for_function(
        "() => document.querySelector('#qa-status')?.innerText.includes('Replaced lemon-cake.txt')", timeout=WAIT_MS
    )
    assert page.locator("#qa-replace").is_hidden()
    assert page.inner_text("#qa-status").strip() == "Replaced lemon-cake.txt: searchable now."
    ask(page, "How long do I bake the cake?")
    cards = page.inner_text("#qa-cards")
    assert "55 minutes" in cards and "40 minutes" not in cards


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
    page.click("button[role=tab][data-tab-id='document']")
    page.wait_for_selector("#qa-viewer mark", timeout=WAIT_MS)
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
    # The app's own bold short answer (strong.qa-short) aside, nothing of the document renders.
    rendered = "img, a[href^='http://127.0.0.1:9'], em, strong:not(.qa-short), code, pre, .katex, .latex-block, math"
    assert reply.locator(rendered).count() == 0, reply.inner_html()
    assert page.dialogs == []
    assert page.evaluate("window.__qa_pwned") is None
    assert [url for url in requests if url.startswith(PIXEL_HOST)] == []


# --- the app as people use it, at desktop and phone sizes -------------------------------------

SIZES = {"desktop": {"width": 1400, "height": 1100}, "phone": {"width": 390, "height": 844}}
ANSWERS = "#qa-chat .message-row.bot-row"
TREATY = "When was the friendship treaty signed?"  # one citation, far down the document: 1961
VISIT = "Quand Poutine ira-t-il à Pyongyang ?"  # two citations


def open_app(browser, url: str, size: str):
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.size = size
    page.goto(url)
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    return page


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, app_url):
    page = open_app(browser, app_url, request.param)
    yield page
    page.context.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.size}.png"))


def press(page, target) -> None:
    """Click a selector or locator, or tap it on a phone."""
    target = page.locator(target) if isinstance(target, str) else target
    if page.size == "phone":
        target.tap()
    else:
        target.click()


def ask_in_chat(page, question: str) -> int:
    """Ask and wait for the answer, its evidence, and the chat scrolled to show it; returns
    the answer's number (from 0)."""
    number = page.locator(ANSWERS).count()
    page.fill("#qa-question textarea", question)
    page.press("#qa-question textarea", "Enter")
    page.wait_for_selector(f"#qa-cards .qa-evidence-for[data-answer='{number}']", timeout=WAIT_MS)
    page.wait_for_selector(f"#qa-chat[data-answers='{number + 1}']", timeout=WAIT_MS)
    assert page.locator(ANSWERS).count() == number + 1
    return number


def answer_text(page, number: int) -> str:
    return page.locator(ANSWERS).nth(number).locator(".message-content").inner_text()


def chat_texts(page) -> list[str]:
    return page.locator("#qa-chat .message-row .message-content").all_inner_texts()


def viewer_changed(page, before: str | None) -> None:
    """Wait until the viewer shows a new rendering, scrolled to its highlight."""
    page.wait_for_function(
        """before => {
          const doc = document.querySelector('#qa-viewer .qa-doc');
          return doc && doc.dataset.view !== before && doc.dataset.scrolled === '1';
        }""",
        arg=before,
        timeout=WAIT_MS,
    )


def viewer_view(page) -> str | None:
    return page.evaluate("document.querySelector('#qa-viewer .qa-doc')?.dataset.view ?? null")


# Where "[n]" is drawn in answer `answer`, once the chat (which scrolls itself to new
# messages) has held still for a frame, its box and the page scrolled to show it.
REFERENCE_POINT = """async ([answer, n]) => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const locate = () => {
    const row = document.querySelectorAll('#qa-chat .message-row.bot-row')[answer];
    const walker = document.createTreeWalker(row.querySelector('.message-content'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(`[${n}]`);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at + 1);
      range.setEnd(node, at + 2);
      return range;
    }
    return null;
  };
  document.querySelector('#qa-chat').scrollIntoView({block: 'nearest'});
  let last = null;
  for (let tries = 0; tries < 100; tries++) {
    const range = locate();
    if (!range) return null;
    const wrap = document.querySelector('#qa-chat .bubble-wrap');
    const offset = range.getBoundingClientRect().top - wrap.getBoundingClientRect().top;
    if (offset < 40 || offset > wrap.clientHeight - 40) wrap.scrollTop += offset - 60;
    await frame();
    const box = locate().getBoundingClientRect();
    const point = {x: box.left + box.width / 2, y: box.top + box.height / 2};
    if (last && last.x === point.x && last.y === point.y) return point;
    last = point;
  }
  return null;
}"""


def click_reference(page, answer: int, n: int) -> None:
    point = page.evaluate(REFERENCE_POINT, [answer, n])
    assert point, f"no [{n}] in answer {answer}"
    if page.size == "phone":
        page.touchscreen.tap(point["x"], point["y"])
    else:
        page.mouse.click(point["x"], point["y"])


def put_quote_away(page) -> None:
    """On a phone a citation opens in a sheet over the lower screen: Escape closes it."""
    if page.size == "phone":
        page.wait_for_selector("#qa-sheet[data-ready]", state="visible", timeout=WAIT_MS)
        page.keyboard.press("Escape")
        page.wait_for_selector("#qa-sheet", state="hidden", timeout=WAIT_MS)


def quote_on_screen(page) -> bool:
    """Where the reader looks for a citation opened: the viewer's highlight on a desktop; on a
    phone the sheet's, the page not scrolled away from the chat."""
    if page.size == "desktop":
        return highlight_on_screen(page)
    page.wait_for_selector("#qa-sheet[data-ready]", state="visible", timeout=WAIT_MS)
    return page.evaluate(
        """() => {
          const mark = document.querySelector('#qa-sheet mark').getBoundingClientRect();
          const viewer = document.querySelector('#qa-viewer mark').textContent;
          return mark.top >= 0 && mark.top < window.innerHeight
            && document.querySelector('#qa-sheet mark').textContent === viewer;
        }"""
    )


def highlight_on_screen(page) -> bool:
    """The viewer's highlight is inside the viewer's box and inside the window."""
    return page.evaluate(
        """() => {
          const doc = document.querySelector('#qa-viewer .qa-doc');
          const mark = doc.querySelector('mark').getBoundingClientRect();
          const box = doc.getBoundingClientRect();
          const inBox = mark.top >= box.top - 1 && mark.top < box.bottom;
          return inBox && mark.top >= 0 && mark.top < window.innerHeight;
        }"""
    )


def paragraph_in_seed(start: int) -> int:
    text = SEED.read_text(encoding="utf-8")
    return len(re.findall(r"\n[^\S\n]*\n\s*", text[:start].lstrip())) + 1


def test_citation_in_an_earlier_answer_opens_the_document_there(sized_page):
    page = sized_page
    ask_in_chat(page, TREATY)
    latest = ask_in_chat(page, VISIT)
    citations = page.locator("#qa-cards .qa-card[data-citation]").count()
    assert citations >= 2
    before = viewer_view(page)
    click_reference(page, 0, 1)
    viewer_changed(page, before)
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']")
    mark = page.inner_text("#qa-viewer mark")
    assert "1961" in mark
    assert f"[1] “{mark}”" in answer_text(page, 0)
    assert page.get_attribute("#qa-cards .qa-card.qa-open", "data-citation") == "1"
    assert quote_on_screen(page)  # beside the chat, or on a phone in a sheet over it
    shoot(page, "citation-earlier-answer")
    put_quote_away(page)

    before = viewer_view(page)
    click_reference(page, latest, citations)
    viewer_changed(page, before)
    page.wait_for_selector(f"#qa-cards .qa-evidence-for[data-answer='{latest}']")
    mark = page.inner_text("#qa-viewer mark")
    assert f"[{citations}] “{mark}”" in answer_text(page, latest)
    assert page.get_attribute("#qa-cards .qa-card.qa-open", "data-citation") == str(citations)


def test_evidence_card_opens_its_citation_and_says_where_to_look(sized_page):
    page = sized_page
    ask_in_chat(page, VISIT)
    card = page.locator("#qa-cards .qa-card[data-citation='2']")
    title = card.get_attribute("title")
    offsets = re.fullmatch(r"characters (\d+)–(\d+) of (.+); click to open the document here", title)
    start, end, name = int(offsets[1]), int(offsets[2]), offsets[3]
    assert name == SEED.name
    where = f"paragraph {paragraph_in_seed(start)}"
    title = SEED.read_text(encoding="utf-8").split("\n", 1)[0]  # the article's headline
    assert len(title) > 90
    head = card.locator(".qa-card-head")  # the document named once, by its file name; its title in the tooltip
    assert [head.locator(part).inner_text() for part in (".qa-card-n", ".qa-card-name", ".qa-card-where")] == [
        "[2]", "poutine-coree-du-nord.txt", f"· {where}"
    ]
    assert head.locator(".qa-card-name").get_attribute("title") == f"{title} — poutine-coree-du-nord.txt"
    assert "characters" not in page.inner_text("#qa-cards")  # offsets only in the tooltip
    before = viewer_view(page)
    press(page, card)
    viewer_changed(page, before)
    assert page.get_attribute("#qa-cards .qa-card.qa-open", "data-citation") == "2"
    assert page.inner_text("#qa-viewer mark") == SEED.read_text(encoding="utf-8")[start:end]
    assert page.inner_text("#qa-viewer .qa-card-head") == f"{title} · poutine-coree-du-nord.txt · {where}"
    assert quote_on_screen(page)
    shoot(page, "evidence-card")


@pytest.mark.parametrize(
    ("size", "control"),
    [("desktop", "#qa-new-chat"), ("phone", "#qa-new-chat"), ("desktop", "#qa-chat button[aria-label='Clear']"),
     ("phone", "#qa-chat button[aria-label='Clear']")],
    ids=["desktop-new-chat", "phone-new-chat", "desktop-trash-icon", "phone-trash-icon"],
)
def test_new_chat_resets_chat_evidence_citations_and_viewer(browser, app_url, size, control):
    page = open_app(browser, app_url, size)
    try:
        ask_in_chat(page, TREATY)
        page.wait_for_selector("#qa-viewer mark")
        press(page, control)
        page.wait_for_function(
            "() => !document.querySelector('#qa-chat .message-row, #qa-cards .qa-card, #qa-cards .qa-evidence-for')"
            " && !document.querySelector('#qa-viewer mark')",
            timeout=WAIT_MS,
        )
        assert page.locator("#qa-passages .qa-card").count() == 0
        assert page.locator("#qa-open input[type=radio]").count() == 0
        assert page.inner_text("#qa-viewer").startswith("Ask a question, then click a citation")
        shoot(page, "cleared")
        assert ask_in_chat(page, TREATY) == 0  # the stored answers went too: numbering starts again
        assert "1961" in page.inner_text("#qa-viewer mark")
    finally:
        page.context.close()


def test_answer_keeps_the_page_still_and_the_chat_fits_the_screen(sized_page):
    page = sized_page
    ask_in_chat(page, TREATY)
    page.wait_for_selector("#qa-viewer .qa-doc[data-scrolled='1']")
    shoot(page, "answered")
    assert page.evaluate("scrollY") == 0  # no jump to the viewer
    assert page.evaluate("document.querySelector('#qa-viewer .qa-doc').scrollTop") > 0  # its own box scrolled
    if page.size == "desktop":
        assert highlight_on_screen(page)
    height, width = SIZES[page.size]["height"], SIZES[page.size]["width"]
    chat, question = page.locator("#qa-chat").bounding_box(), page.locator("#qa-question").bounding_box()
    buttons = [page.locator(s).bounding_box() for s in ("#qa-more", "#qa-new-chat", "#qa-history-open")]
    assert chat["y"] >= 0 and buttons[0]["y"] + buttons[0]["height"] <= height  # all on one screen
    assert 0 <= question["y"] - (chat["y"] + chat["height"]) <= 24  # the question box right under the chat
    assert len({round(b["y"]) for b in buttons}) == 1  # side by side, not stacked
    assert all(b["width"] < width / 2 for b in buttons)
    # The chat's own buttons and each message's buttons cover no message.
    overlaps = page.evaluate(
        """() => {
          const boxes = sel => [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect());
          const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          const messages = boxes('#qa-chat .message-row .message');
          const controls = boxes('#qa-chat .top-panel, #qa-chat label.float, #qa-chat .message-buttons');
          return messages.flatMap(m => controls.filter(c => meet(m, c))).length;
        }"""
    )
    assert overlaps == 0


def open_history(page) -> None:
    press(page, "#qa-history-open")
    page.wait_for_function(
        "() => { const box = document.querySelector('#qa-past').getBoundingClientRect();"
        " return box.left >= 0 && box.right <= window.innerWidth; }",
        timeout=WAIT_MS,
    )


def past_titles(page) -> list[str]:
    return page.locator("#qa-past .qa-past-title").all_inner_texts()


def test_past_conversations_come_back_from_this_browser_only(sized_page, browser, app_url):
    page = sized_page
    ask_in_chat(page, TREATY)
    page.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length === 1", timeout=WAIT_MS)
    press(page, "#qa-new-chat")
    page.wait_for_function("() => !document.querySelector('#qa-chat .message-row')", timeout=WAIT_MS)
    ask_in_chat(page, VISIT)
    page.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length === 2", timeout=WAIT_MS)
    page.reload()
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length === 2", timeout=WAIT_MS)
    open_history(page)
    assert [t.strip() for t in past_titles(page)] == [VISIT, TREATY]  # newest first
    assert "Kept in this browser only" in page.inner_text("#qa-history")
    shoot(page, "past-conversations")
    press(page, "#qa-past .qa-past-open:has-text('friendship treaty')")
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']:has-text('friendship treaty')", timeout=WAIT_MS)
    assert chat_texts(page)[0] == TREATY
    page.wait_for_selector("#qa-chat[data-answers='1']")
    if page.size == "phone":  # the panel closes over the chat it opened
        page.wait_for_function("() => document.querySelector('#qa-past').getBoundingClientRect().right <= 0")
    before = viewer_view(page)
    click_reference(page, 0, 1)
    viewer_changed(page, before)
    assert "1961" in page.inner_text("#qa-viewer mark")
    if page.size == "phone":
        put_quote_away(page)
        open_history(page)
    press(page, "#qa-past .qa-forget")
    press(page, "#qa-past .qa-yes[data-action='forget']")  # it asks first (tests/serving/test_browser_chats.py)
    page.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length === 0", timeout=WAIT_MS)

    other = open_app(browser, app_url, page.size)  # another browser: nothing comes from the server
    try:
        ask_in_chat(other, TREATY)
        other.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length >= 1", timeout=WAIT_MS)
        assert [t.strip() for t in past_titles(other)] == [TREATY]
    finally:
        other.context.close()


# Progress seen while a document is added: the status trackers that show something, the
# indexing panel's lines, and the status line's text as each is drawn.
RECORD_PROGRESS = """() => {
  window.qaProgress = [];
  window.qaPanel = [];
  window.qaStatusWhileIndexing = [];
  new MutationObserver(() => {
    for (const tracker of document.querySelectorAll('[data-testid=status-tracker]:not(.hide)')) {
      const text = tracker.innerText.replace(/\\s+/g, ' ').trim();
      if (text) window.qaProgress.push([tracker.closest('[id]')?.id ?? '', text]);
    }
    const line = document.querySelector('#qa-indexing .qa-indexing-line');
    if (line && line.offsetParent !== null) {
      const text = line.innerText.trim();
      if (window.qaPanel.at(-1) !== text) {  // a new line drawn: what the status line says beside it
        window.qaPanel.push(text);
        window.qaStatusWhileIndexing.push(document.querySelector('#qa-status')?.innerText.trim() ?? '');
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def status_says(page, words: str) -> None:
    page.wait_for_function(
        "words => document.querySelector('#qa-status')?.innerText.includes(words)", arg=words, timeout=WAIT_MS
    )


def lighthouses(path, tag: str, count: int) -> None:
    """A document of ``count`` sentences and about three new words each."""
    path.write_text(
        "\n\n".join(
            f"Le phare {tag} numéro {i} fut allumé par la gardienne Ysolde {tag}{i} en {1800 + i}, "
            f"selon les archives de Vrenmark{i}, du greffier Olbrecht{i} et du notaire Zalmonde{i}."
            for i in range(count)
        ),
        encoding="utf-8",
    )


def test_upload_empties_the_box_and_one_progress_display_moves(sized_page, tmp_path):
    page = sized_page
    tag = "Quorvalde" if page.size == "desktop" else "Brannikor"
    doc = tmp_path / f"phares-{page.size}.md"
    # Long enough (1,500 sentences, about 4,500 new words: several seconds) for the panel
    # to be drawn more than once and give an estimate of the time left.
    lighthouses(doc, tag, 1500)
    press(page, "button[role=tab]:has-text('Documents')")
    page.evaluate(RECORD_PROGRESS)
    page.set_input_files("#qa-upload input[type=file]", str(doc))
    status_says(page, "searchable now")
    shoot(page, "uploaded")
    assert page.locator("#qa-upload .file-preview, #qa-upload table").count() == 0  # the box is empty again
    assert page.locator("#qa-upload input[type=file]").count() == 1
    # One progress display, the indexing panel: no Gradio bar drawn over the status line
    # (on a busy machine Gradio may still show its timer on a component slow to refresh:
    # not a bar), and the status line empty all the while, no older message beside it.
    seen = page.evaluate("window.qaProgress")
    assert not [text for _, text in seen if re.search(r"[\d.]+%", text)], seen
    panel = page.evaluate("window.qaPanel")
    assert panel and all(line.startswith(f"Indexing {doc.name}") for line in panel), panel
    levels = [int(m.group(1)) for line in panel if (m := re.search(r": (\d+)%", line))]
    assert levels == sorted(levels) and len(set(levels)) >= 2, panel
    assert any(re.search(r"about \d+ (s|min) left", line) for line in panel), panel
    assert set(page.evaluate("window.qaStatusWhileIndexing")) == {""}
    page.wait_for_selector("#qa-indexing", state="hidden", timeout=WAIT_MS)  # gone once done

    empty = tmp_path / "blank.txt"
    empty.write_text("   \n", encoding="utf-8")
    page.set_input_files("#qa-upload input[type=file]", str(empty))
    status_says(page, "Nothing was added")
    assert "blank.txt" in page.inner_text("#qa-status")
    assert page.locator("#qa-upload .file-preview, #qa-upload table").count() == 0

    # The upload is listed with its Remove button; a corpus document has none.
    page.wait_for_selector(f"#qa-docs tr[data-name='{doc.name}'] button.qa-remove", timeout=WAIT_MS)
    assert page.locator(f"#qa-docs tr[data-name='{SEED.name}'] button").count() == 0


def test_a_documents_remove_asks_first_then_removes_it_and_the_list_fits_the_screen(sized_page, tmp_path):
    page = sized_page
    doc = tmp_path / f"lemon-cake-{page.size}.txt"
    doc.write_text(CAKE.format(40), encoding="utf-8")
    press(page, "button[role=tab]:has-text('Documents')")
    page.set_input_files("#qa-upload input[type=file]", str(doc))
    status_says(page, "searchable now")
    row = page.locator(f"#qa-docs tr[data-name='{doc.name}']")
    row.wait_for(timeout=WAIT_MS)
    # The whole list within the screen's width: nothing scrolls sideways, nothing is cut.
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth,
                   list: Math.max(...[...document.querySelectorAll('#qa-docs tr, #qa-docs button')]
                                  .map(e => e.getBoundingClientRect().right))})"""
    )
    assert widths["page"] <= widths["screen"] and widths["list"] <= widths["screen"], widths
    assert "upload" in row.inner_text() and re.search(r"\d+ B", row.inner_text())

    remove = page.get_by_role("button", name=f"Remove {doc.name}", exact=True)
    box = remove.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a finger's target
    press(page, remove)
    question = row.get_by_role("group", name=f"Remove {doc.name}?")
    question.wait_for(state="visible")
    assert remove.is_hidden() and row.is_visible()  # asked, nothing removed yet
    assert page.evaluate("document.activeElement.textContent") == "No"  # the safe answer has the focus
    shoot(page, "remove-asked")
    press(page, question.get_by_role("button", name=f"No, keep {doc.name}"))
    assert question.is_hidden() and remove.is_visible()

    press(page, remove)
    press(page, question.get_by_role("button", name=f"Yes, remove {doc.name}"))
    status_says(page, f"Removed {doc.name}.")
    row.wait_for(state="detached", timeout=WAIT_MS)
    assert page.locator(f"#qa-docs tr[data-name='{SEED.name}']").is_visible()
    shoot(page, "removed")


def test_a_remove_question_stays_open_while_the_list_is_drawn_anew(page, tmp_path):
    asked, added = tmp_path / "lemon-cake-asked.txt", tmp_path / "lemon-cake-added.txt"
    # Texts of their own: the app refuses a text it has indexed under another name.
    for path, minutes in ((asked, 41), (added, 56)):
        path.write_text(CAKE.format(minutes), encoding="utf-8")
    page.click("button[role=tab]:has-text('Documents')")
    page.set_input_files("#qa-upload input[type=file]", str(asked))
    status_says(page, f"Added {asked.name}")
    row = page.locator(f"#qa-docs tr[data-name='{asked.name}']")
    remove = page.get_by_role("button", name=f"Remove {asked.name}", exact=True)
    question = row.get_by_role("group", name=f"Remove {asked.name}?")
    remove.click()
    question.wait_for(state="visible")

    # Another upload ends: the app draws the whole list anew, the new document in it.
    page.set_input_files("#qa-upload input[type=file]", str(added))
    status_says(page, f"Added {added.name}")
    page.locator(f"#qa-docs tr[data-name='{added.name}']").wait_for(timeout=WAIT_MS)
    assert question.is_visible() and remove.is_hidden()  # still asked, still not removed

    question.get_by_role("button", name=f"Yes, remove {asked.name}").click()
    status_says(page, f"Removed {asked.name}.")
    row.wait_for(state="detached", timeout=WAIT_MS)
    page.get_by_role("button", name=f"Remove {added.name}", exact=True).click()
    page.get_by_role("button", name=f"Yes, remove {added.name}").click()
    status_says(page, f"Removed {added.name}.")


def test_a_reply_in_each_language_is_labelled_and_led_in_in_the_askers_language(page):
    from qa.serving.web.evidence import STATUS_ICONS

    heads = {"answered": "lead", "uncertain": "uncertain", "abstained": "abstain"}
    for language, question in TREATY_QUESTIONS.items():
        ask_in_chat(page, question)
        reply = last_reply(page)
        label = reply.locator(".qa-reply-head .qa-status").inner_text()
        labels = {f"{icon} {message(language, f'status_{s}')}": s for s, icon in STATUS_ICONS.items()}
        assert label in labels, (language, label)
        status = labels[label]
        assert message(language, heads[status]) in reply.inner_text(), language
        if language != "en":
            assert message("en", f"status_{status}") not in label, language
    page.screenshot(path=str(ARTIFACTS / "replies-in-28-languages.png"))


def test_japanese_question_is_readable(sized_page):
    page = sized_page
    question = "平壌とモスクワの友好条約はいつ署名されましたか？"
    ask_in_chat(page, question)
    # With a CJK font each character has its own glyph; without one, all are the same box.
    distinct = page.evaluate(
        """() => {
          const font = getComputedStyle(document.querySelector('#qa-chat .user-row .message-content')).fontFamily;
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = 48;
          const pen = canvas.getContext('2d');
          const draw = (text) => {
            pen.clearRect(0, 0, 48, 48);
            pen.font = `32px ${font}`;
            pen.fillText(text, 4, 36);
            return pen.getImageData(0, 0, 48, 48).data.join(',');
          };
          const glyphs = ['平', '壌', '条', '\\uE000'].map(draw);
          return new Set(glyphs).size === glyphs.length;
        }"""
    )
    shoot(page, "japanese-question")
    assert question in chat_texts(page)
    assert distinct, "CJK characters draw as identical boxes: install fonts-noto-cjk (make browser)"


# --- generated answers (QA_LLM_URL): a real llama.cpp server with SmolLM2 ---------------------


@pytest.fixture(scope="module")
def llm_app_url(tmp_path_factory, settings, seed_index, llm_url):
    from tests.conftest import start_app

    process, url = start_app(tmp_path_factory, settings, QA_LLM_URL=llm_url, QA_LLM_TIMEOUT_S="600")
    yield url
    process.terminate()
    process.wait(timeout=30)


WRITING = "▍"


def last_answer_text(page) -> str:
    texts = page.locator(ANSWERS).all_inner_texts()
    return texts[-1] if texts else ""


@pytest.mark.parametrize("size", list(SIZES))
def test_a_generated_reply_streams_then_gives_way_to_the_checked_answer(browser, llm_app_url, size):
    page = open_app(browser, llm_app_url, size)
    page.fill("#qa-question textarea", "In which North Korean newspaper did Putin publish his article?")
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(f"() => [...document.querySelectorAll('{ANSWERS}')].some(m => m.innerText.includes('{WRITING}'))",
                           timeout=WAIT_MS)
    shoot(page, "llm-streaming")
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']", timeout=WAIT_MS)
    final = last_answer_text(page)
    shoot(page, "llm-checked")
    assert WRITING not in final and "[1]" in final
    assert "“" in final  # the cited excerpts are quoted under the answer, generated or not
    page.context.close()


def test_stop_cancels_a_reply_being_written_and_shows_the_quoted_answer(browser, llm_app_url):
    page = open_app(browser, llm_app_url, "desktop")
    page.fill("#qa-question textarea", "Qui a invité Poutine en Corée du Nord ?")
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(f"() => [...document.querySelectorAll('{ANSWERS}')].some(m => m.innerText.includes('{WRITING}'))",
                           timeout=WAIT_MS)
    page.click("#qa-stop")
    stopped = message("fr", "stopped")  # said in the question's language
    page.wait_for_function(
        "([selector, text]) => [...document.querySelectorAll(selector)].some(m => m.innerText.includes(text))",
        arg=[ANSWERS, stopped], timeout=WAIT_MS,
    )
    shoot(page, "llm-stopped")
    final = last_answer_text(page)
    assert WRITING not in final and "“" in final and "Kim Jong Un" in final
    time.sleep(3)  # a cancelled stream must not come back and overwrite the stopped answer
    assert last_answer_text(page) == final
    page.context.close()


def test_every_tab_shows_the_indexing_and_its_cancel_leaves_the_documents(browser, app_url, tmp_path):
    """One tab uploads a long document; another, on the chat, is told of it and cancels it."""
    uploading, watching = open_app(browser, app_url, "desktop"), open_app(browser, app_url, "desktop")
    try:
        doc = tmp_path / "phares-longs.md"
        lighthouses(doc, "Vellmarque", 20000)  # minutes of work: the cancel comes long before its end
        press(uploading, "button[role=tab]:has-text('Documents')")
        uploading.set_input_files("#qa-upload input[type=file]", str(doc))
        # The other tab, without opening Documents: the line under the title says it.
        watching.wait_for_function(
            "() => document.querySelector('#qa-ready')?.innerText.includes('indexing phares-longs.md')", timeout=WAIT_MS
        )
        press(watching, "button[role=tab]:has-text('Documents')")
        watching.wait_for_function(
            "() => /Indexing phares-longs.md: \\d+%/.test(document.querySelector('#qa-indexing')?.innerText ?? '')",
            timeout=WAIT_MS,
        )
        shoot(watching, "indexing-other-tab")
        press(watching, "#qa-indexing-cancel")
        status_says(uploading, "Cancelled: nothing was added")
        for page in (uploading, watching):
            page.wait_for_selector("#qa-indexing", state="hidden", timeout=WAIT_MS)
            page.wait_for_function(
                "() => !document.querySelector('#qa-ready')?.innerText.includes('indexing')", timeout=WAIT_MS
            )
        names = uploading.eval_on_selector_all("table tbody tr td:first-child", "cells => cells.map(c => c.innerText)")
        assert "phares-longs.md" not in names
    finally:
        uploading.context.close()
        watching.context.close()
