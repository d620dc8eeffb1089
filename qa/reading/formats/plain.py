"""Plain text (.txt, .md): UTF-8 as is, legacy encodings detected and decoded rather than mangled."""

from __future__ import annotations

from pathlib import Path

from qa.errors import DocumentError


def read(data: bytes, path: Path) -> str:
    """A text file's text, decoded as UTF-8, UTF-16 (with a BOM), Windows-1252 or what
    charset-normalizer recognises.

    Raises:
        DocumentError: the file is binary or its encoding is not recognised.

    Example:
        >>> read("Un été à Paris".encode("cp1252"), Path("a.txt"))
        'Un été à Paris'
    """
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
