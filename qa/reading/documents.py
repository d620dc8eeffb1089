"""Reading documents as text: the text every `start`/`end` offset indexes into."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.errors import DocumentError

PAGE_BREAK = "\n\f\n"
TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".html", ".htm", ".docx")


def read_document(path: str | Path) -> str:
    """Return a document's text as qa indexes it.

    A UTF-8 file reads exactly as ``Path(path).read_text(encoding="utf-8")`` (newlines
    normalised the same way); other encodings (Windows-1252, Latin-1, UTF-16 with a
    BOM, ...) are detected and decoded rather than mangled. PDF, HTML and DOCX files
    give their extracted text (HTML without tags, scripts or styles).

    Args:
        path: a `.txt`, `.md`, `.pdf`, `.html` or `.docx` file.

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
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(data, path)
    elif suffix == ".docx":
        text = _docx_text(data, path)
    else:
        text = _decode(data, path)
        if suffix in (".html", ".htm"):
            text = _html_text(text)
    text = _normalise_newlines(text)
    if not text.strip():
        raise DocumentError(f"{path}: the document is empty; add some text and try again.")
    return text


def page_of(text: str, offset: int) -> int | None:
    """The 1-based page of ``offset`` in a PDF's text, or None for a text without pages."""
    if "\f" not in text:
        return None
    return text.count("\f", 0, offset) + 1


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


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16", path)
    if b"\x00" in data:
        raise DocumentError(f"{path}: looks like a binary file, not text; qa reads UTF-8 or legacy-encoded text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    western = _as_western(data)
    if western is not None:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_exclusion=["utf_16", "utf_32"]).best()
    if best is None:
        raise DocumentError(f"{path}: the text encoding could not be recognised; save it as UTF-8 and try again.")
    return str(best)


# Windows-1252 (a superset of Latin-1's printable range) is the usual legacy encoding
# of Western European text, and detectors misjudge short texts of it (measured:
# charset-normalizer took French cp1252 for mac_latin2). Text in another script read
# as cp1252 shows up as mostly non-ASCII letters ("Ïðèâåò"); Western text has few.
_MAX_NON_ASCII_LETTERS = 0.3


def _as_western(data: bytes) -> str | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    non_ascii = sum(not ch.isascii() for ch in letters)
    return text if letters and non_ascii / len(letters) <= _MAX_NON_ASCII_LETTERS else None


def _pdf_text(data: bytes, path: Path) -> str:
    import io

    from pypdf import PdfReader
    
    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except MemoryError:
        raise
    except Exception as exc:  # a parser fed a hostile file can raise anything
        raise DocumentError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}).") from None
    # Pages are separated by a form feed, so a citation's page is the count of those before it.
    return PAGE_BREAK.join(page.strip() for page in pages)


def _docx_text(data: bytes, path: Path) -> str:
    import io

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML (lxml) and schema errors alike: anything
        raise DocumentError(f"{path}: not a readable Word document ({type(exc).__name__}: {exc}).") from None


def _html_text(markup: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        _SKIP = {"script", "style", "noscript", "template", "head"}
        _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "title"}

        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skipping = 0

        def handle_starttag(self, tag, attrs):
            if tag in self._SKIP:
                self._skipping += 1
            elif tag in self._BLOCKS:
                self.parts.append("\n\n")

        def handle_endtag(self, tag):
            if tag in self._SKIP and self._skipping:
                self._skipping -= 1
            elif tag in self._BLOCKS:
                self.parts.append("\n\n")

        def handle_data(self, data):
            if not self._skipping:
                self.parts.append(data)

    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    paragraphs = "\n".join(lines)
    import re

    return re.sub(r"\n{3,}", "\n\n", paragraphs).strip() + "\n"


def _decode_as(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: is not valid {encoding} text; save it as UTF-8 and try again.") from None


def _normalise_newlines(text: str) -> str:
    # The same translation as Python's universal newlines in Path.read_text.
    return text.replace("\r\n", "\n").replace("\r", "\n")
