"""PDF: each page's text layer, pages separated by `PAGE_BREAK`."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import PAGE_BREAK


def read(data: bytes, path: Path) -> str:
    """A PDF's text, page by page (pypdf).

    Raises:
        DocumentError: the file is not a PDF pypdf can read.
    """
    from pypdf import PdfReader

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except MemoryError:
        raise
    except Exception as exc:  # a parser fed a hostile file can raise anything
        raise DocumentError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}).") from None
    return PAGE_BREAK.join(page.strip() for page in pages)
