"""Conversations, examples and the header in a real Chromium, at desktop (1366×900) and phone
(390×844) sizes: New chat keeps the one before, dated; Rename, Delete, Forget them all (which
asks first); a reload keeps the chat; examples ask at once and follow the documents; the
header names them; More passages in place of Retry without a language model."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.serving.test_browser import (  # noqa: F401  (the fixture `browser`)
    ANSWERS,
    TREATY,
    VISIT,
    WAIT_MS,
    ask_in_chat,
    browser,
    chat_texts,
    press,
)

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = ROOT / "docs" / "screenshots"


def open_page(browser, url: str, size: str):
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.size = size
    page.goto(url)
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    page.wait_for_selector("#qa-ready:has-text('Ready')", timeout=WAIT_MS)
    return page


@pytest.fixture(params=list(SIZES))
def sized(request, browser, app_url):
    page = open_page(browser, app_url, request.param)
    yield page
    page.context.close()


def past_items(page) -> list[str]:
    """The past conversations' titles, newest first."""
    return [t.strip() for t in page.locator("#qa-past .qa-past-title").all_inner_texts()]


def wait_past(page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-past .qa-past-item').length === n", arg=count, timeout=WAIT_MS
    )


def open_history(page) -> None:
    press(page, "#qa-history-open")
    page.wait_for_function(
        "() => { const box = document.querySelector('#qa-past').getBoundingClientRect();"
        " return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth; }",
        timeout=WAIT_MS,
    )


def fits_across(page, selector: str) -> bool:
    """Every box matched lies within the window's width (nothing clipped at 390 px)."""
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)
             .every(e => { const b = e.getBoundingClientRect(); return b.left >= -1 && b.right <= innerWidth + 1; })""",
        selector,
    )


def test_new_chat_keeps_the_old_one_dated_and_it_can_be_renamed_and_deleted(sized):
    page = sized
    ask_in_chat(page, TREATY)
    wait_past(page, 1)
    press(page, "#qa-new-chat")
    page.wait_for_function("() => !document.querySelector('#qa-chat .message-row')", timeout=WAIT_MS)
    ask_in_chat(page, VISIT)
    wait_past(page, 2)
    open_history(page)
    assert past_items(page) == [VISIT, TREATY]
    dates = page.locator("#qa-past .qa-past-date time")
    assert dates.count() == 2 and all(dates.nth(i).get_attribute("data-local") == "1" for i in range(2))  # local time
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", dates.nth(0).get_attribute("title"))  # UTC on hover
    assert fits_across(page, "#qa-past button, #qa-past .qa-past-title")

    older = page.locator("#qa-past .qa-past-item").nth(1)
    press(page, older.locator(".qa-rename"))
    field = older.locator(".qa-rename-input")
    assert field.evaluate("e => e === document.activeElement")
    field.fill("Le traité de 1961")
    field.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#qa-past .qa-past-title')].map(e => e.textContent)[1] === 'Le traité de 1961'"
        " && !document.querySelector('#qa-past [aria-busy]')",
        timeout=WAIT_MS,
    )
    page.reload()  # the name is kept by the browser
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    wait_past(page, 2)
    open_history(page)
    assert past_items(page) == [VISIT, "Le traité de 1961"]

    older = page.locator("#qa-past .qa-past-item").nth(1)
    press(page, older.locator(".qa-delete"))
    assert older.locator(".qa-ask .qa-no").evaluate("e => e === document.activeElement")  # the focus on No
    assert "Delete “Le traité de 1961”?" in older.inner_text()
    press(page, older.locator(".qa-ask .qa-yes"))
    wait_past(page, 1)
    assert past_items(page) == [VISIT]
    assert chat_texts(page)[0] == VISIT  # the conversation on screen stays


def test_a_rename_under_way_stays_when_the_list_is_drawn_anew(browser, app_url):
    page = open_page(browser, app_url, "desktop")
    ask_in_chat(page, TREATY)
    wait_past(page, 1)
    open_history(page)
    item = page.locator("#qa-past .qa-past-item").nth(0)
    press(page, item.locator(".qa-rename"))
    item.locator(".qa-rename-input").fill("Le traité")

    # A new chat and a reply: the app draws the whole list anew, the new conversation first.
    press(page, "#qa-new-chat")
    page.wait_for_function("() => !document.querySelector('#qa-chat .message-row')", timeout=WAIT_MS)
    ask_in_chat(page, VISIT)
    wait_past(page, 2)
    item = page.locator("#qa-past .qa-past-item").nth(1)
    field = item.locator(".qa-rename-input")
    assert field.is_visible() and field.input_value() == "Le traité"  # still open, nothing typed lost
    field.fill("Le traité de 1961")
    field.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#qa-past .qa-past-title')].map(e => e.textContent)[1] === 'Le traité de 1961'",
        timeout=WAIT_MS,
    )
    page.context.close()


def test_forget_them_all_asks_first_and_no_keeps_them(sized):
    page = sized
    ask_in_chat(page, TREATY)
    wait_past(page, 1)
    open_history(page)
    press(page, "#qa-past .qa-forget")
    ask = page.locator("#qa-past .qa-past-forget .qa-ask")
    assert ask.is_visible() and "Forget all 1 conversation kept in this browser?" in ask.inner_text()
    assert ask.locator(".qa-no").evaluate("e => e === document.activeElement")
    assert fits_across(page, "#qa-past .qa-past-forget button")
    press(page, ask.locator(".qa-no"))
    assert not ask.is_visible() and past_items(page) == [TREATY]
    press(page, "#qa-past .qa-forget")
    page.keyboard.press("Escape")  # Escape is No too
    assert not ask.is_visible() and past_items(page) == [TREATY]
    press(page, "#qa-past .qa-forget")
    press(page, ask.locator(".qa-yes"))
    wait_past(page, 0)
    page.wait_for_function("() => !document.querySelector('#qa-chat .message-row')", timeout=WAIT_MS)
    page.reload()
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    page.wait_for_selector("#qa-past .qa-past-empty", state="attached", timeout=WAIT_MS)
    assert page.locator("#qa-chat .message-row").count() == 0


def test_a_reload_keeps_the_chat_and_its_evidence(sized):
    page = sized
    ask_in_chat(page, TREATY)
    ask_in_chat(page, VISIT)
    wait_past(page, 1)
    chat = chat_texts(page)
    page.reload()
    page.wait_for_selector("#qa-question textarea", timeout=WAIT_MS)
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='1']", timeout=WAIT_MS)
    assert chat_texts(page) == chat
    assert page.locator("#qa-cards .qa-card[data-citation]").count() >= 2
    ask_in_chat(page, "Qui a invité Poutine ?")  # it goes on in the same conversation
    wait_past(page, 1)
    assert len(chat_texts(page)) == 6


def test_an_example_is_asked_at_once(sized):
    page = sized
    example = page.locator("#qa-examples button, #qa-examples .gallery-item").filter(has_text=TREATY).first
    press(page, example)
    page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']", timeout=WAIT_MS)
    page.wait_for_selector("#qa-chat[data-answers='1']", timeout=WAIT_MS)
    assert chat_texts(page)[0] == TREATY and "1961" in page.locator(ANSWERS).first.inner_text()
    assert fits_across(page, "#qa-examples button, #qa-actions button")


def test_more_passages_asks_again_from_more_and_retry_is_not_offered(sized):
    page = sized
    assert page.locator("#qa-retry").count() == 0 or not page.locator("#qa-retry").is_visible()
    ask_in_chat(page, TREATY)
    press(page, page.get_by_text("All retrieved passages"))  # (its content is drawn once opened)
    passages = page.locator("#qa-passages .qa-card")
    passages.first.wait_for(timeout=WAIT_MS)
    before = passages.count()
    assert before == 5
    press(page, "#qa-more")
    page.wait_for_function(
        "n => document.querySelectorAll('#qa-passages .qa-card').length > n", arg=before, timeout=WAIT_MS
    )
    assert passages.count() == 10 and passages.first.is_visible()  # the list is opened
    assert chat_texts(page)[0] == TREATY and len(chat_texts(page)) == 2  # the answer replaced, not added


def test_after_an_upload_the_header_names_it_and_an_example_asks_about_it(browser, app_url, tmp_path):
    from tests.serving.test_browser import upload

    path = tmp_path / "phares-du-ponant.txt"
    path.write_text(
        "Les phares du Ponant.\n\nLe phare de Kervalen a été allumé en 1887 au large de Molène. "
        "La gardienne Ysolde Brannik y vécut trente ans et tint le journal des naufrages.\n",
        encoding="utf-8",
    )
    for size in ("desktop", "phone"):
        page = open_page(browser, app_url, size)
        try:
            if size == "desktop":
                upload(page, path)
            page.wait_for_selector("#qa-examples :text('Summarize the document phares du ponant.')", timeout=WAIT_MS)
            ready = page.inner_text("#qa-ready")
            if page.locator("#qa-ready .qa-open-documents").count():  # other tests of the session uploaded more
                press(page, "#qa-ready .qa-open-documents")
                page.wait_for_selector("#qa-docs tr[data-name='phares-du-ponant.txt']", timeout=WAIT_MS)
                press(page, "button[role=tab][data-tab-id='document']")
            else:
                assert "phares-du-ponant.txt" in ready
            press(page, page.locator("#qa-examples :text('Summarize the document phares du ponant.')").first)
            page.wait_for_selector("#qa-cards .qa-evidence-for[data-answer='0']", timeout=WAIT_MS)
            assert "phares-du-ponant.txt" in page.inner_text("#qa-cards")
            assert fits_across(page, "#qa-ready, #qa-examples button, #qa-actions button")
            ask_in_chat(page, "Qui vécut trente ans au phare de Kervalen ?")
            page.wait_for_function("() => document.querySelectorAll('#qa-past .qa-past-item').length >= 1")
            if size == "phone":
                page.evaluate("scrollTo(0, 0)")
            else:
                open_history(page)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"chats-{size}-2026-12-06.png"))
        finally:
            page.context.close()
