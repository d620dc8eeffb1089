"""A cited PDF in a real Chromium: the viewer shows its page with a box over the cited
sentence, the text view marks its pages, and the original downloads as it was uploaded."""

import io

import pytest

from tests.serving.test_browser import ARTIFACTS, WAIT_MS, ask, browser, page, upload  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

FIRST_PAGE = "Apples keep for months in a cool cellar, away from the potatoes."
ANSWER = "The Zephyr Peak observatory was inaugurated in 1887 by the astronomer Clara Vidal."


def observatory_pdf() -> bytes:
    """Two A4 pages (reportlab): apples on the first, the observatory on the second, lower down."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    data = io.BytesIO()
    pdf = canvas.Canvas(data, pagesize=A4)
    pdf.drawString(72, 770, FIRST_PAGE)
    pdf.showPage()
    pdf.drawString(72, 770, "Observatories of the Zephyr range")
    pdf.drawString(72, 500, ANSWER)
    pdf.showPage()
    pdf.save()
    return data.getvalue()


def pdfium_box(data: bytes, number: int, text: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of ``text`` on page ``number`` as PDFium finds it, as fractions of the page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    page = document[number - 1]
    text_page = page.get_textpage()
    index, count = text_page.search(text).get_next()
    rects = [text_page.get_rect(i) for i in range(text_page.count_rects(index, count))]
    width, height = page.get_size()
    left, right = min(r[0] for r in rects), max(r[2] for r in rects)
    bottom, top = min(r[1] for r in rects), max(r[3] for r in rects)
    document.close()
    return left / width, 1 - top / height, right / width, 1 - bottom / height


def test_a_cited_pdf_opens_at_its_page_with_the_sentence_boxed_and_downloads(page, tmp_path):
    data = observatory_pdf()
    path = tmp_path / "zephyr-observatory.pdf"
    path.write_bytes(data)
    upload(page, path)
    ask(page, "Who inaugurated the Zephyr Peak observatory?")
    page.click("#qa-cards .qa-card[data-citation='1']")
    page.wait_for_function(
        "() => { const image = document.querySelector('#qa-viewer .qa-page img');"
        " return image && image.complete && image.naturalWidth > 0; }",
        timeout=WAIT_MS,
    )
    assert "zephyr-observatory.pdf" in page.inner_text("#qa-viewer .qa-card-head")
    assert "page 2" in page.inner_text("#qa-viewer .qa-card-head")
    assert page.get_attribute("#qa-viewer .qa-page", "data-page") == "2"
    page.screenshot(path=str(ARTIFACTS / "pdf-page-citation.png"), full_page=False)

    # The box lies over the sentence as PDFium places it, scaled to the image shown.
    image = page.locator("#qa-viewer .qa-page img").bounding_box()
    boxes = [box.bounding_box() for box in page.locator("#qa-viewer .qa-box").all()]
    assert len(boxes) == 1, boxes
    [box] = boxes
    left, top, right, bottom = pdfium_box(data, 2, ANSWER)
    expected = {
        "x": image["x"] + left * image["width"],
        "y": image["y"] + top * image["height"],
        "width": (right - left) * image["width"],
        "height": (bottom - top) * image["height"],
    }
    overlap_x = min(box["x"] + box["width"], expected["x"] + expected["width"]) - max(box["x"], expected["x"])
    overlap_y = min(box["y"] + box["height"], expected["y"] + expected["height"]) - max(box["y"], expected["y"])
    assert overlap_x > 0.9 * expected["width"] and overlap_y > 0.5 * expected["height"], (box, expected)
    assert box["y"] > image["y"] + image["height"] / 3  # the sentence is lower on the page than its title

    # The text view: the sentence highlighted, the pages marked.
    page.click("#qa-viewer label[for='qa-view-text']")
    assert page.inner_text("#qa-viewer .qa-text-view mark") == ANSWER
    assert [s.inner_text() for s in page.locator("#qa-viewer .qa-section").all()] == ["Page 1", "Page 2"]
    assert not page.locator("#qa-viewer .qa-page-view").is_visible()

    # The original downloads as it was uploaded.
    with page.expect_download(timeout=WAIT_MS) as download:
        page.click("#qa-viewer .qa-download")
    assert download.value.suggested_filename == "zephyr-observatory.pdf"
    assert open(download.value.path(), "rb").read() == data
