"""PDF: each page's text, pages separated by `PAGE_BREAK`; tables as rows, scans by OCR.

- A page with a text layer reads as pypdf extracts it.
- A page with a ruled table reads through pdfplumber instead: its lines outside the
  tables in order from the top, each table where it stands as `table_text` rows
  ("City: Tokyo; Daily allowance: 120 EUR."). Finding tables costs pdfplumber about
  0.4 s a page against pypdf's 0.02 s, so it looks only at pages that draw lines or
  rectangles (counted by PDFium, 3 ms a page).
- A page without a text layer (a scan) is rendered at 300 DPI by PDFium and read by
  OCR (`qa.reading.formats.ocr`).
"""

from __future__ import annotations

import io
import logging
import math
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import PAGE_BREAK, table_text
from qa.reading.formats.ocr import HOW_TO_INSTALL, PageReader, tessdata_dir

logger = logging.getLogger(__name__)

# Scans are rendered at the resolution Tesseract reads best, within a pixel budget (a
# page a metre wide would otherwise be gigabytes).
RENDER_DPI = 300
MAX_RENDER_PIXELS = 40_000_000


def read(data: bytes, path: Path) -> str:
    """A PDF's text, page by page.

    Raises:
        DocumentError: the file is not a PDF that can be read, or it has no text layer
            and OCR is not installed.
    """
    from pypdf import PdfReader

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except MemoryError:
        raise
    except Exception as exc:  # a parser fed a hostile file can raise anything
        raise DocumentError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}).") from None
    pages = [page.strip() for page in pages]
    drawn = _pages_with_lines(data, len(pages))
    for number, text in _pages_with_tables(data, drawn, path).items():
        pages[number] = text
    scanned = [number for number, text in enumerate(pages) if not text]
    if scanned:
        for number, text in _ocr(data, scanned, path, all_scanned=len(scanned) == len(pages)).items():
            pages[number] = text
        if not any(pages):
            raise DocumentError(f"{path}: the PDF has no text layer, and OCR found no text on its pages.")
    return PAGE_BREAK.join(pages)


def _pages_with_lines(data: bytes, count: int) -> list[int]:
    """The pages that draw paths (a ruled table's lines among them), by PDFium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    try:
        return [
            number
            for number in range(min(count, len(document)))
            if any(True for _ in document[number].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3))
        ]
    finally:
        document.close()


def _pages_with_tables(data: bytes, numbers: list[int], path: Path) -> dict[int, str]:
    """The text of each page of ``numbers`` that holds a table: its lines and tables in order."""
    if not numbers:
        return {}
    import pdfplumber

    texts = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in numbers:
                page = pdf.pages[number]
                tables = [table for table in page.find_tables() if len(table.rows) >= 2]
                if tables:
                    texts[number] = _page_with_tables(page, tables)
    except MemoryError:
        raise
    except Exception as exc:  # the page's text layer as pypdf reads it is still there
        logger.warning("%s: tables not read (%s: %s)", path, type(exc).__name__, exc)
    return texts


def _page_with_tables(page, tables) -> str:
    boxes = [table.bbox for table in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes)

    blocks = [(line["top"], line["text"]) for line in page.filter(outside).extract_text_lines() if line["text"].strip()]
    for table in tables:
        rows = [[cell or "" for cell in row] for row in table.extract()]
        blocks.append((table.bbox[1], table_text(rows)))
    return "\n".join(text.strip() for _, text in sorted(blocks, key=lambda block: block[0]) if text.strip())


def _ocr(data: bytes, numbers: list[int], path: Path, *, all_scanned: bool) -> dict[int, str]:
    """The text of pages ``numbers`` (without a text layer), rendered and read by OCR."""
    tessdata = tessdata_dir()
    if tessdata is None:
        if all_scanned:
            raise DocumentError(f"{path}: has no text layer, and OCR (Tesseract) is not installed: {HOW_TO_INSTALL}.")
        logger.warning("%s: %d page(s) without a text layer left out: OCR (Tesseract) is not installed.", path, len(numbers))
        return {}
    import pypdfium2 as pdfium

    texts = {}
    try:
        document = pdfium.PdfDocument(data)
        with PageReader(tessdata) as reader:
            for number in numbers:
                page = document[number]
                width, height = page.get_size()  # in points, 1/72 inch
                scale = min(RENDER_DPI / 72, math.sqrt(MAX_RENDER_PIXELS / max(1.0, width * height)))
                image = page.render(scale=scale, grayscale=True).to_pil()
                texts[number] = reader.read(image)
        document.close()
    except MemoryError:
        raise
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"{path}: not a readable PDF (its pages cannot be rendered for OCR: {exc}).") from None
    return texts
