"""E-books (.epub, EPUB 2 and 3), read with EbookLib: chapter by chapter, in reading order."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import PAGE_BREAK
from qa.reading.formats.webpage import page_text


def read(data: bytes, path: Path) -> str:
    """An e-book's chapters, separated by `qa.reading.formats.layout.PAGE_BREAK` so a
    citation's chapter can be told (`qa.reading.documents.location_of`).

    The chapters are the documents of the book's spine, in its reading order, each one's
    visible text as a web page's (`qa.reading.formats.webpage.page_text`); a spine
    document without text (a cover image's page) is no chapter, and neither is the EPUB 3
    navigation document (a table of contents, whose lines would only repeat the
    chapters' headings). Images and style sheets are not read.

    Raises:
        DocumentError: the file is not an EPUB EbookLib can read.
    """
    from ebooklib import epub

    try:
        # ignore_ncx: the table of contents is not needed here (and the option's
        # default is deprecated, with a warning).
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
        documents = [book.get_item_with_id(idref) for idref, _linear in book.spine]
        chapters = [
            page_text(item.get_body_content().decode("utf-8")).strip()
            for item in documents
            if isinstance(item, epub.EpubHtml) and not isinstance(item, epub.EpubNav)
        ]
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML (lxml) and EbookLib errors alike: anything
        raise DocumentError(f"{path}: not a readable EPUB e-book ({type(exc).__name__}: {exc}).") from None
    return PAGE_BREAK.join(chapter for chapter in chapters if chapter)
