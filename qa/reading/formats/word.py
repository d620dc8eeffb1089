"""Word documents (.docx), read with python-docx."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError


def read(data: bytes, path: Path) -> str:
    """A Word document's paragraphs, a blank line between them.

    Raises:
        DocumentError: the file is not a Word document python-docx can read.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML (lxml) and schema errors alike: anything
        raise DocumentError(f"{path}: not a readable Word document ({type(exc).__name__}: {exc}).") from None
