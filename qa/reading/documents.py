"""Reading documents as text: the text every `start`/`end` offset indexes into."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats import email_message, epub, image, opendocument_text, pdf, plain, sheets, slides, webpage, word

# Each file suffix qa reads, and its reader (`qa.reading.formats`).
READERS = {
    ".txt": plain.read,
    ".md": plain.read,
    ".pdf": pdf.read,
    ".html": webpage.read,
    ".htm": webpage.read,
    ".docx": word.read,
    ".odt": opendocument_text.read,
    ".epub": epub.read,
    ".eml": email_message.read,
    ".xlsx": sheets.read_xlsx,
    ".ods": sheets.read_ods,
    ".csv": sheets.read_csv,
    ".pptx": slides.read,
    ".png": image.read,
    ".jpg": image.read,
    ".jpeg": image.read,
    ".tif": image.read,
    ".tiff": image.read,
}
SUPPORTED_SUFFIXES = tuple(READERS)


def read_document(path: str | Path) -> str:
    """Return a document's text as qa indexes it.

    A UTF-8 file reads exactly as ``Path(path).read_text(encoding="utf-8")`` (newlines
    normalised the same way); other encodings (Windows-1252, Latin-1, UTF-16 with a
    BOM, ...) are detected and decoded rather than mangled. The other formats give
    their extracted text (`qa.reading.formats`): HTML without tags, scripts or styles;
    Word and OpenDocument text with their tables; an EPUB's chapters; an e-mail's
    headers and body; a spreadsheet (.xlsx, .ods, .csv) its sheets, each row a line of
    "header: value" pairs; a .pptx presentation its slides and their notes; scanned PDF pages and images
    (PNG, JPEG, TIFF) are read by OCR.

    Args:
        path: a file of one of `SUPPORTED_SUFFIXES` (`.txt`, `.md`, `.pdf`, `.html`,
            `.docx`, `.odt`, `.epub`, `.eml`, `.xlsx`, `.ods`, `.csv`, `.pptx`, `.png`,
            `.jpg`, `.tiff`, ...).

    Returns:
        The document's text.

    Raises:
        DocumentError: the file is missing, unsupported, binary, empty or undecodable.

    Example:
        >>> read_document("seeds/poutine-coree-du-nord.txt")[:10]
        'La Russie '
    """
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise DocumentError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; qa reads {supported}.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file.") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    # The same newline translation as Python's universal newlines in Path.read_text.
    text = READERS[path.suffix.lower()](data, path).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError(f"{path}: the document is empty; add some text and try again.")
    return text


# What the sections a reader separates with `PAGE_BREAK` are, by file suffix.
SECTION_KINDS = {
    ".pdf": "page",
    ".epub": "chapter",
    ".xlsx": "sheet",
    ".ods": "sheet",
    ".csv": "sheet",
    ".pptx": "slide",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff"), "page"),
}


def page_of(text: str, offset: int) -> int | None:
    """The 1-based section (a PDF's page) of ``offset`` in a document's text, or None for
    a text without sections."""
    if "\f" not in text:
        return None
    return text.count("\f", 0, offset) + 1


def location_of(name: str, text: str, offset: int) -> tuple[str, int] | None:
    r"""Where ``offset`` is in document ``name`` (its text ``text``): the kind of section
    (`SECTION_KINDS`: "page", "slide", "sheet", ...) and its number from 1 (1 in a
    document of one section), or None for a format without sections (.txt, .md, ...).

    Example:
        >>> location_of("report.pdf", "One.\n\f\nTwo.", 8)
        ('page', 2)
        >>> location_of("deck.pptx", "Title\nPoint.", 6)
        ('slide', 1)
        >>> location_of("notes.txt", "One.\n\f\nTwo.", 8) is None
        True
    """
    kind = SECTION_KINDS.get(Path(name).suffix.lower())
    return (kind, text.count("\f", 0, offset) + 1) if kind else None


def sections_of(name: str, text: str) -> tuple[str, int] | None:
    r"""What document ``name`` (its text ``text``) is divided into and how many: the kind of
    section (`SECTION_KINDS`) and their count, or None for a format without sections.

    Example:
        >>> sections_of("report.pdf", "One.\n\f\nTwo.")
        ('page', 2)
        >>> sections_of("deck.pptx", "Title\nPoint.")
        ('slide', 1)
        >>> sections_of("notes.txt", "One.\n\f\nTwo.") is None
        True
    """
    kind = SECTION_KINDS.get(Path(name).suffix.lower())
    return (kind, text.count("\f") + 1) if kind else None


def row_of(name: str, text: str, offset: int) -> int | None:
    r"""The row of a spreadsheet (.xlsx, .ods, .csv) ``offset`` is on, numbered as the
    spreadsheet numbers it (its header usually row 1); None for a document of another kind.

    A sheet's section holds one line per row, from row 1 (`qa.reading.formats.sheets`).

    Example:
        >>> text = "\nCity: Tokyo; Daily allowance: 120.\n\f\n\nCar: 0.30 EUR.\n\nBike: 0.20 EUR."
        >>> row_of("travel.xlsx", text, text.index("Tokyo")), row_of("travel.xlsx", text, text.index("Bike"))
        (2, 4)
    """
    if SECTION_KINDS.get(Path(name).suffix.lower()) != "sheet":
        return None
    page_break = text.rfind("\f", 0, offset)
    top = page_break + 2 if page_break >= 0 else 0  # the sheet's row 1 starts after the break's "\f\n"
    return text.count("\n", top, offset) + 1


# A title is the document's first line when it reads as one: short and not a sentence.
MAX_TITLE_CHARACTERS = 200
_SENTENCE_END = (".", "!", "?", "…", "。", "！", "？", ":", ";", ",")


def document_title(text: str) -> str | None:
    """The title a reader sees at the top of a document, or None when it has none.

    It is the first non-blank line (a Markdown heading's ``#`` marks left out) when it is
    at most 200 characters and does not end like a sentence (an HTML page's text starts
    with its body: its ``<head>``, ``<title>`` included, is not part of it).

    Example:
        >>> document_title("# Annual report\\n\\nSales rose.")
        'Annual report'
        >>> document_title("Sales rose in May.\\nCosts fell.") is None
        True
    """
    line = text.lstrip().split("\n", 1)[0].strip()  # the first non-blank line, without reading on
    line = line.lstrip("#").strip() if line.startswith("#") else line
    if not line or len(line) > MAX_TITLE_CHARACTERS or line.endswith(_SENTENCE_END):
        return None
    return line


def content_hash(text: str) -> str:
    """SHA-256 of a document's text, to tell when an index is stale."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()




