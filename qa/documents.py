"""Reading documents as text: the text every `start`/`end` offset indexes into."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.errors import DocumentError

TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES


def read_document(path: str | Path) -> str:
    """Return a document's text as qa indexes it.

    A UTF-8 file reads exactly as ``Path(path).read_text(encoding="utf-8")`` (newlines
    normalised the same way); other encodings (Windows-1252, Latin-1, UTF-16 with a
    BOM, ...) are detected and decoded rather than mangled.

    Args:
        path: a `.txt` or `.md` file.

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
    text = _normalise_newlines(_decode(data, path))
    if not text.strip():
        raise DocumentError(f"{path}: the document is empty; add some text and try again.")
    return text


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


def _decode_as(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: is not valid {encoding} text; save it as UTF-8 and try again.") from None


def _normalise_newlines(text: str) -> str:
    # The same translation as Python's universal newlines in Path.read_text.
    return text.replace("\r\n", "\n").replace("\r", "\n")
