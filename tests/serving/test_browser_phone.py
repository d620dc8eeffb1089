"""Citations on a phone (390×844) in a real Chromium: a tapped [n] opens its passage in a
sheet over the lower screen and the page stays where the reader is; every target is 44×44
px at least; a card names its document once. At desktop size a citation still opens in the
side viewer."""

import os
import re

import pytest

from tests.conftest import ROOT, SEED
from tests.serving.test_browser import (  # noqa: F401  (browser: the module's Chromium fixture)
    ANSWERS,
    ARTIFACTS,
    REFERENCE_POINT,
    TREATY,
    VISIT,
    WAIT_MS,
    answer_text,
    ask_in_chat,
    browser,
    highlight_on_screen,
    open_app,
    paragraph_in_seed,
    viewer_changed,
    viewer_view,
)

pytestmark = pytest.mark.browser

# `QA_DOCS_SCREENSHOTS=1` also saves the two screenshots docs/web-app.md shows (else they go
# to artifacts/ with the others, and the docs' copies stay as they are).
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DOCS_DATE = "2026-12-06"
TARGET_PX = 44
SHEET = "#qa-sheet"


@pytest.fixture
def phone(browser, app_url):  # noqa: F811
    page = open_app(browser, app_url, "phone")
    yield page
    page.context.close()


@pytest.fixture
def desktop(browser, app_url):  # noqa: F811
    page = open_app(browser, app_url, "desktop")
    yield page
    page.context.close()


def save_screenshot(page, name: str) -> None:
    folder = DOCS_SCREENSHOTS if os.environ.get("QA_DOCS_SCREENSHOTS") == "1" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{DOCS_DATE}.png"))


def reference_box(page, answer: int, n: int) -> dict:
    """The box of "[n]"'s digit in answer `answer`, the chat still."""
    point = page.evaluate(REFERENCE_POINT, [answer, n])
    assert point, f"no [{n}] in answer {answer}"
    return point


def answer_top(page, answer: int) -> float:
    return page.locator(ANSWERS).nth(answer).evaluate("row => row.getBoundingClientRect().top")


def sheet_shows(page, citation: int) -> None:
    page.wait_for_selector(f"{SHEET}[data-citation='{citation}'][data-ready]", state="visible", timeout=WAIT_MS)


def size_of(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["width"], box["height"]


def test_a_tapped_citation_opens_its_passage_in_place_and_the_page_stays(phone):
    page = phone
    answer = ask_in_chat(page, VISIT)
    point = reference_box(page, answer, 1)
    scrolled, top = page.evaluate("scrollY"), answer_top(page, answer)
    page.touchscreen.tap(point["x"], point["y"])
    sheet_shows(page, 1)
    save_screenshot(page, "phone-citation")
    assert page.evaluate("scrollY") == scrolled  # no jump to the viewer
    assert answer_top(page, answer) == top and 0 <= top < page.evaluate("innerHeight")
    sheet = page.locator(SHEET)
    mark = sheet.locator(".qa-passage mark").inner_text()
    assert f"[1] “{mark}”" in answer_text(page, answer)  # the quote, highlighted inside its passage
    assert len(sheet.locator(".qa-passage").inner_text()) > len(mark)
    assert sheet.locator(".qa-card-name").inner_text() == SEED.name
    offset = SEED.read_text(encoding="utf-8").index(mark)
    assert sheet.locator(".qa-card-where").inner_text() == f"· paragraph {paragraph_in_seed(offset)}"
    box = page.evaluate("document.querySelector('#qa-sheet mark').getBoundingClientRect().toJSON()")
    assert 0 <= box["top"] < page.evaluate("innerHeight")  # the quote on screen, in the sheet


def test_the_passage_closes_with_its_button_escape_or_a_tap_elsewhere(phone):
    page = phone
    answer = ask_in_chat(page, VISIT)
    buttons = page.locator(ANSWERS).nth(answer).locator(".qa-cite-button")
    buttons.last.scroll_into_view_if_needed()
    scrolled = page.evaluate("scrollY")
    buttons.nth(1).tap()
    sheet_shows(page, 2)
    page.locator(f"{SHEET} .qa-sheet-close").tap()
    page.wait_for_selector(SHEET, state="hidden", timeout=WAIT_MS)

    buttons.first.tap()
    sheet_shows(page, 1)
    page.keyboard.press("Escape")
    page.wait_for_selector(SHEET, state="hidden", timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Open quote 1"  # back where it was
    assert page.evaluate("scrollY") == scrolled

    buttons.first.tap()
    sheet_shows(page, 1)
    page.locator("#qa-intro h1").tap()  # a tap elsewhere
    page.wait_for_selector(SHEET, state="hidden", timeout=WAIT_MS)

def test_the_passage_leads_to_the_whole_document_when_asked(phone):
    page = phone
    answer = ask_in_chat(page, VISIT)
    before = viewer_view(page)
    page.locator(ANSWERS).nth(answer).locator(".qa-cite-button").first.tap()
    sheet_shows(page, 1)
    viewer_changed(page, before)
    page.locator(f"{SHEET} .qa-sheet-document").tap()  # the one move of the page, asked for
    page.wait_for_selector(SHEET, state="hidden", timeout=WAIT_MS)
    assert highlight_on_screen(page)


def test_every_citation_target_and_the_close_control_are_44_px_at_least(phone):
    page = phone
    answer = ask_in_chat(page, VISIT)
    text = answer_text(page, answer)
    numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    buttons = page.locator(ANSWERS).nth(answer).locator(".qa-cite-button")
    assert [int(b) for b in buttons.evaluate_all("bs => bs.map(b => b.dataset.citation)")] == numbers
    assert buttons.all_inner_texts() == [f"[{n}]" for n in numbers]  # what they open, said on them
    for button in buttons.all():
        width, height = size_of(button)
        assert width >= TARGET_PX and height >= TARGET_PX
    # The [n] in the text is a 44×44 target too: a tap 20 px below its glyphs' middle opens it.
    point = reference_box(page, answer, 1)
    page.touchscreen.tap(point["x"], point["y"] + 20)
    sheet_shows(page, 1)
    for control in (f"{SHEET} .qa-sheet-close", f"{SHEET} .qa-sheet-document"):
        width, height = size_of(page.locator(control))
        assert width >= TARGET_PX and height >= TARGET_PX
    page.keyboard.press("Escape")
    for card in page.locator("#qa-cards .qa-card[data-citation]").all():  # a card is its own control
        width, height = size_of(card)
        assert width >= TARGET_PX and height >= TARGET_PX


def test_a_card_names_its_document_once_on_one_line(phone):
    page = phone
    ask_in_chat(page, VISIT)
    card = page.locator("#qa-cards .qa-card[data-citation='2']")
    start = int(re.match(r"characters (\d+)–", card.get_attribute("title"))[1])
    title = SEED.read_text(encoding="utf-8").split("\n", 1)[0]  # the article's 140-character headline
    head = card.locator(".qa-card-head")
    name = head.locator(".qa-card-name")
    assert name.inner_text() == SEED.name
    assert name.get_attribute("title") == f"{title} — {SEED.name}"  # the full name, in its tooltip
    assert head.locator(".qa-card-where").inner_text() == f"· paragraph {paragraph_in_seed(start)}"
    assert title not in head.inner_text() and head.inner_text().count(SEED.name) == 1
    line = head.evaluate("h => parseFloat(getComputedStyle(h).lineHeight) || 20")
    assert size_of(head)[1] < 1.5 * line  # one line
    assert name.evaluate("n => getComputedStyle(n).textOverflow") == "ellipsis"  # a longer name is cut, not wrapped

    card.scroll_into_view_if_needed()
    scrolled = page.evaluate("scrollY")
    card.tap()  # a card opens its passage in place as well
    sheet_shows(page, 2)
    assert page.evaluate("scrollY") == scrolled


def test_on_a_desktop_a_citation_opens_in_the_side_viewer(desktop):
    page = desktop
    ask_in_chat(page, TREATY)
    answer = ask_in_chat(page, VISIT)
    before = viewer_view(page)
    point = reference_box(page, 0, 1)
    page.mouse.click(point["x"], point["y"])
    viewer_changed(page, before)
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']")
    save_screenshot(page, "desktop-citation")
    mark = page.inner_text("#qa-viewer mark")
    assert f"[1] “{mark}”" in answer_text(page, 0)
    assert highlight_on_screen(page)
    assert page.locator(SHEET).is_hidden()
    assert page.locator(f"{ANSWERS} .qa-cite-button").first.is_hidden()  # the [n] in the text are the targets
    assert answer == 1
