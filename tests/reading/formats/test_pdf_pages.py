"""A PDF page as an image, and the cited text's boxes on it, checked against where pdfplumber
finds the same words on real PDFs (reportlab)."""

import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from qa.errors import DocumentError
from qa.reading.formats import pdf
from qa.reading.formats.layout import PAGE_BREAK
from qa.reading.formats.pdf_pages import find_boxes, find_in_page_text, page_count, render_page
from tests.files import image_only_pdf, scanned_page, text_pdf_pages
from tests.reading.formats.test_pdf import AFTER_TABLE, ALLOWANCES, BEFORE_TABLE, text_pdf

LONG = (
    "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk to light the lamp, "
    "and wrote the hour, the weather and the ships he saw in a logbook kept on the table of the lamp room."
)


def where_pdfplumber_finds(data: bytes, number: int, words: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of ``words`` on page ``number``, as fractions of the page."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[number - 1]
        [found] = page.search(words, regex=False)[:1]
        return found["x0"] / page.width, found["top"] / page.height, found["x1"] / page.width, found["bottom"] / page.height


def overlaps(box, area) -> bool:
    left, top, right, bottom = area
    return box.left < right and left < box.right and box.top < bottom and top < box.bottom


def covers(box, area, slack=0.01) -> bool:
    left, top, right, bottom = area
    return box.left <= left + slack and right - slack <= box.right and box.top <= top + slack and bottom - slack <= box.bottom


def page_text(data: bytes, number: int) -> str:
    return pdf.read(data, Path("doc.pdf")).split(PAGE_BREAK)[number - 1]


def test_a_page_renders_as_a_png_of_the_width_asked():
    image = Image.open(io.BytesIO(render_page(text_pdf([BEFORE_TABLE]), 1, width=600)))
    assert image.format == "PNG"
    assert image.size == (600, round(600 * 842 / 595))  # A4's proportions


def test_a_page_the_pdf_does_not_have_is_refused_with_its_count():
    data = text_pdf_pages(["One.", "Two."])
    assert page_count(data) == 2
    for number in (0, 3):
        with pytest.raises(DocumentError, match="has 2 page"):
            render_page(data, number)


def test_a_cited_sentence_is_boxed_where_the_page_shows_it():
    data = text_pdf([BEFORE_TABLE, AFTER_TABLE])
    [box] = find_boxes(data, 1, AFTER_TABLE)
    assert covers(box, where_pdfplumber_finds(data, 1, AFTER_TABLE))
    assert not overlaps(box, where_pdfplumber_finds(data, 1, BEFORE_TABLE))


def test_a_sentence_wrapped_over_lines_gets_a_box_a_line():
    data = text_pdf([LONG])
    text = page_text(data, 1)
    cited = text[text.index("The lighthouse") :]
    assert "\n" in cited  # the reader keeps the page's line breaks
    boxes = find_boxes(data, 1, cited)
    assert len(boxes) == cited.count("\n") + 1
    assert [box.top for box in boxes] == sorted(box.top for box in boxes)
    assert overlaps(boxes[0], where_pdfplumber_finds(data, 1, "The lighthouse keeper"))
    assert overlaps(boxes[-1], where_pdfplumber_finds(data, 1, "lamp room."))


def test_on_a_page_with_a_table_the_text_and_a_row_are_boxed():
    data = text_pdf([BEFORE_TABLE, AFTER_TABLE], table=ALLOWANCES)
    text = page_text(data, 1)
    row = "City: Tokyo; Daily allowance: 120 EUR."
    assert row in text.split("\n")  # the reader wrote the row as text the page does not hold
    [after] = find_boxes(data, 1, AFTER_TABLE, near=text.index(AFTER_TABLE) / len(text))
    assert covers(after, where_pdfplumber_finds(data, 1, AFTER_TABLE))
    city, amount = find_boxes(data, 1, row, near=text.index(row) / len(text))
    assert covers(city, where_pdfplumber_finds(data, 1, "Tokyo"))
    assert covers(amount, where_pdfplumber_finds(data, 1, "120 EUR"))
    assert not overlaps(city, where_pdfplumber_finds(data, 1, "Oslo"))


def test_in_a_two_page_pdf_the_citation_is_boxed_on_its_own_page_only():
    data = text_pdf_pages(["The first page speaks of apples.", "The second page speaks of pears."])
    [box] = find_boxes(data, 2, page_text(data, 2))
    assert covers(box, where_pdfplumber_finds(data, 2, "The second page speaks of pears."))
    assert find_boxes(data, 1, page_text(data, 2)) == []


def test_a_scanned_page_has_no_box():
    data = image_only_pdf([scanned_page(["Le phare de Kerbrat a été construit en 1888."])])
    assert find_boxes(data, 1, "Le phare de Kerbrat a été construit en 1888.") == []


def test_of_two_places_holding_the_text_the_nearest_is_taken():
    page = "Total: 5.\r\nSome words between.\r\nTotal: 5."
    assert find_in_page_text(page, "Total: 5.", near=0.0) == (0, 9)
    assert find_in_page_text(page, "Total: 5.", near=0.9) == (len(page) - 9, len(page))


def test_the_match_ignores_spaces_hyphens_case_and_ligatures():
    page = "Ef\ufb01cient re-\r\nfunds ARE paid."
    start, end = find_in_page_text(page, "efficient refunds are paid")
    assert (start, end) == (0, len(page) - 1)
    assert find_in_page_text(page, "refunds were paid") is None
