"""Public helpers that combine an index with the default settings."""

from __future__ import annotations

from pathlib import Path

from qa.config import Settings
from qa.index import Index, default_index


def document_text(source: str | Path, *, index: Index | None = None) -> str:
    """The text of an indexed document: what `start`/`end` offsets index into.

    For a UTF-8 file it equals ``Path(source).read_text(encoding="utf-8")``; for other
    encodings it is the decoded text.

    Example:
        >>> p = retrieve("Qui a invité Poutine ?")[0]
        >>> document_text(p.source)[p.start:p.end] == p.text
        True
    """
    index = index if index is not None else default_index(Settings.from_env())
    return index.document_text(str(source))
