"""A PDF page as an image, and where a cited text stands on it, by PDFium.

The text a citation quotes is the reader's (`qa.reading.formats.pdf`: pypdf's text layer,
pdfplumber's for a page with a table, OCR for a scan), not PDFium's. So the cited text is
looked for in PDFium's text of the page (`PdfTextPage`) by a match that ignores white
space, hyphens and case (`find_in_page_text`), and its characters' rectangles are the
boxes drawn over the page image (`find_boxes`). A table row, which the reader writes as
"City: Tokyo; Daily allowance: 120 EUR.", is found by its cells' values, on one line.
Nothing is fetched: PDFium renders the page where the app runs.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass

from qa.errors import DocumentError

# A page image is this many pixels wide (the viewer's column is narrower: the image stays
# sharp on a high-density screen), within a pixel budget (a page a metre wide would
# otherwise be gigabytes).
PAGE_WIDTH_PX = 1100
MAX_PAGE_PIXELS = 4_000_000

# Characters the match skips, on both sides: a line may be broken at a hyphen (PDFium
# writes a hyphen that ends a line as U+0002), and the two texts put white space apart.
_SKIPPED = frozenset("-\u00ad\u0002\u2010\u2011\ufffe")
# A line as `qa.reading.formats.layout.table_text` writes a table row: "Header: value; Header: value."
_ROW = re.compile(r"[^:;\n]+: [^;\n]*(?:; [^:;\n]+: [^;\n]*)*\.")
_CELL = re.compile(r"(?:^|; )[^:;\n]+: ([^;\n]*?)(?=; |\.$)")


@dataclass(frozen=True)
class PageBox:
    """A rectangle on a page, as fractions of the page's width and height from its top left
    corner (so it scales with the page's image)."""

    left: float
    top: float
    right: float
    bottom: float


def page_count(data: bytes) -> int:
    """How many pages the PDF ``data`` has.

    Raises:
        DocumentError: it is not a PDF PDFium can open.
    """
    document = _open(data)
    try:
        return len(document)
    finally:
        document.close()


def render_page(data: bytes, number: int, *, width: int = PAGE_WIDTH_PX) -> bytes:
    """Page ``number`` (from 1) of the PDF ``data`` as a PNG image ``width`` pixels wide
    (fewer for a huge page: at most `MAX_PAGE_PIXELS`).

    Raises:
        DocumentError: not a PDF PDFium can open, or it has no page ``number``.

    Example:
        >>> import io, pypdfium2
        >>> pdf = pypdfium2.PdfDocument.new()
        >>> _ = pdf.new_page(595, 842)
        >>> saved = io.BytesIO()
        >>> pdf.save(saved)
        >>> render_page(saved.getvalue(), 1, width=300)[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    document = _open(data)
    try:
        page = _page(document, number)
        page_width, page_height = page.get_size()  # in points, 1/72 inch
        scale = min(width / max(1.0, page_width), math.sqrt(MAX_PAGE_PIXELS / max(1.0, page_width * page_height)))
        image = page.render(scale=scale).to_pil()
        png = io.BytesIO()
        image.save(png, "PNG", optimize=False)
        return png.getvalue()
    finally:
        document.close()


def find_boxes(data: bytes, number: int, cited: str, *, near: float | None = None) -> list[PageBox]:
    """Where ``cited`` (text of page ``number``, from 1, as the reader gave it) stands on
    that page: one box per line it covers; [] when PDFium's text of the page does not hold
    it (a scanned page, a text layer that differs) or the page is rotated.

    Args:
        near: where the citation starts in the reader's text of the page, as a fraction of
            it (0 at its top): of several places that hold the text, the nearest is taken.

    Raises:
        DocumentError: not a PDF PDFium can open, or it has no page ``number``.
    """
    document = _open(data)
    try:
        page = _page(document, number)
        if page.get_rotation() % 360:
            return []
        text_page = page.get_textpage()
        try:
            page_text = _page_text(text_page)
            spans = _spans(page_text, cited, near, text_page)
            left, bottom, right, top = page.get_cropbox()
            width, height = max(1e-6, right - left), max(1e-6, top - bottom)
            boxes = []
            for first, last in spans:
                for index in range(text_page.count_rects(first, last - first)):
                    x0, y0, x1, y1 = text_page.get_rect(index)
                    boxes.append(
                        PageBox(
                            _fraction((x0 - left) / width),
                            _fraction((top - y1) / height),
                            _fraction((x1 - left) / width),
                            _fraction((top - y0) / height),
                        )
                    )
            return boxes
        finally:
            text_page.close()
    finally:
        document.close()


def find_in_page_text(page_text: str, cited: str, *, near: float | None = None) -> tuple[int, int] | None:
    """The span of ``page_text`` that holds ``cited``, ignoring white space, hyphens,
    case and compatibility forms (a ligature "ﬁ" is "fi"); None when it holds none.

    Args:
        near: of several places that hold it, the one nearest this fraction of the page
            text (0: its start); the first without it.

    Example:
        >>> page = "Hotel costs are re-\\r\\nfunded on presentation of the invoice."
        >>> start, end = find_in_page_text(page, "costs are refunded on  presentation")
        >>> page[start:end]
        'costs are re-\\r\\nfunded on presentation'
    """
    kept, positions = _comparable(page_text)
    wanted, _ = _comparable(cited)
    if not wanted:
        return None
    starts = [match.start() for match in re.finditer(re.escape(wanted), kept)]
    if not starts:
        return None
    found = starts[0] if near is None else min(starts, key=lambda start: abs(start / max(1, len(kept)) - near))
    return positions[found], positions[found + len(wanted) - 1] + 1


def _comparable(text: str) -> tuple[str, list[int]]:
    """``text`` folded for the match, and for each of its characters the index in ``text``
    of the character it came from."""
    kept, positions = [], []
    for index, character in enumerate(text):
        if character.isspace() or character in _SKIPPED:
            continue
        for folded in unicodedata.normalize("NFKC", character).casefold():
            if not folded.isspace():
                kept.append(folded)
                positions.append(index)
    return "".join(kept), positions


def _spans(page_text: list[str], cited: str, near: float | None, text_page) -> list[tuple[int, int]]:
    """The spans of PDFium's characters (first, past the last) that hold ``cited``: the whole
    text in one place, else each of its lines (a table row by its cells' values)."""
    joined = "".join(page_text)
    whole = find_in_page_text(joined, cited, near=near)
    if whole:
        return [whole]
    spans = []
    for line in cited.split("\n"):
        found = find_in_page_text(joined, line, near=near)
        if found:
            spans.append(found)
        elif _ROW.fullmatch(line.strip()):
            spans += _row_cells(joined, line.strip(), near, text_page)
    return spans


def _row_cells(joined: str, row: str, near: float | None, text_page) -> list[tuple[int, int]]:
    """The cells of a table row on the page, found by their values, all on one line: the
    line of the first value found, the others each at the place nearest it."""
    values = [value for value in _CELL.findall(row) if _comparable(value)[0]]
    spans: list[tuple[int, int]] = []
    line_middle = None
    for value in values:
        places = _all_places(joined, value)
        if not places:
            continue
        if line_middle is None:
            place = places[0] if near is None else min(places, key=lambda span: abs(span[0] / max(1, len(joined)) - near))
        else:
            place = min(places, key=lambda span: abs(_middle(text_page, span) - line_middle))
            if abs(_middle(text_page, place) - line_middle) > _height(text_page, place):
                continue  # not on the row's line
        line_middle = _middle(text_page, place) if line_middle is None else line_middle
        spans.append(place)
    return spans


def _all_places(joined: str, value: str) -> list[tuple[int, int]]:
    kept, positions = _comparable(joined)
    wanted, _ = _comparable(value)
    return [
        (positions[match.start()], positions[match.start() + len(wanted) - 1] + 1)
        for match in re.finditer(re.escape(wanted), kept)
    ]


def _middle(text_page, span: tuple[int, int]) -> float:
    _, bottom, _, top = text_page.get_charbox(span[0])
    return (bottom + top) / 2


def _height(text_page, span: tuple[int, int]) -> float:
    _, bottom, _, top = text_page.get_charbox(span[0])
    return max(1.0, top - bottom)


def _page_text(text_page) -> list[str]:
    """PDFium's text of a page, one item per character of its internal list (so that an
    index into the joined text is a character's index)."""
    count = text_page.count_chars()
    text = text_page.get_text_range(0, count)
    if len(text) == count:
        return list(text)
    # Rare: PDFium's text leaves out or adds characters; read them one by one.
    return [text_page.get_text_range(index, 1)[:1] or " " for index in range(count)]


def _fraction(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 5)


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"Not a PDF that can be shown as pages ({exc}).") from None


def _page(document, number: int):
    if not 1 <= number <= len(document):
        raise DocumentError(f"The PDF has no page {number}: it has {len(document)} page(s), numbered from 1.")
    return document[number - 1]
