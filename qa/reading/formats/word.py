"""Word documents (.docx), read with python-docx."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import table_text


def read(data: bytes, path: Path) -> str:
    """A Word document's body in document order: each paragraph (a heading too) on its
    own, a blank line between them, and each table through
    `qa.reading.formats.layout.table_text` (one line a row), where it stands.

    A heading is a paragraph of its own, so a sentence splitter never glues it to the
    text after it. Headers, footers, footnotes, comments and text boxes are not read.

    Raises:
        DocumentError: the file is not a Word document python-docx can read.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_block_text(block) for block in document.iter_inner_content()]
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML (lxml) and schema errors alike: anything
        raise DocumentError(f"{path}: not a readable Word document ({type(exc).__name__}: {exc}).") from None
    return "\n\n".join(block for block in blocks if block.strip())


def _block_text(block) -> str:
    from docx.table import Table

    if isinstance(block, Table):
        return table_text(_table_rows(block))
    return block.text


def _table_rows(table) -> list[list[str]]:
    """A table's cell texts, one list per row, aligned on the table's grid: a cell that
    spans several columns gives its text once and empty cells after it, a row that
    starts late empty cells before it (python-docx repeats a spanning cell)."""
    rows = []
    for row in table.rows:
        cells = [""] * row.grid_cols_before
        spanned = 0
        for cell in row.cells:
            if spanned:
                spanned -= 1
                cells.append("")
                continue
            cells.append(cell.text)
            spanned = cell.grid_span - 1
        rows.append(cells)
    return rows
