"""OpenDocument text (.odt: LibreOffice Writer and others), read with odfpy."""

from __future__ import annotations

import io
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats.layout import table_text

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

# Text documents, their templates (-template) and master documents (-master).
_TEXT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}
# Elements whose children are blocks in reading order (lists, their items, sections).
_CONTAINERS = {(_TEXT, "list"), (_TEXT, "list-item"), (_TEXT, "list-header"), (_TEXT, "section")}
_ROW_GROUPS = {(_TABLE, "table-header-rows"), (_TABLE, "table-rows"), (_TABLE, "table-row-group")}
_CELLS = {(_TABLE, "table-cell"), (_TABLE, "covered-table-cell")}
# Inside a paragraph: footnotes, comments and deleted text are not part of its sentence.
_NOT_INLINE = {(_TEXT, "note"), (_OFFICE, "annotation"), (_TEXT, "deletion")}
# A repeat count larger than this (a table stretched to a sheet's width) is cut to it.
MAX_REPEAT = 1000


def read(data: bytes, path: Path) -> str:
    """An OpenDocument text's body in document order, laid out like a Word document's
    (`qa.reading.formats.word`): each paragraph, heading and list item on its own, a
    blank line between them, each table through `qa.reading.formats.layout.table_text`.

    Footnotes, comments, headers, footers, frames and the table of contents are not read.

    Raises:
        DocumentError: the file is not an OpenDocument text odfpy can read.
    """
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        if not document.mimetype.startswith(_TEXT_MIMETYPE):
            raise DocumentError(
                f"{path}: an OpenDocument file but not a text document ({document.mimetype}); "
                "only text documents are read as .odt."
            )
        blocks = _blocks(document.text)
    except DocumentError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # zip, XML and odfpy errors alike: anything
        raise DocumentError(f"{path}: not a readable OpenDocument text ({type(exc).__name__}: {exc}).") from None
    return "\n\n".join(block for block in blocks if block.strip())


def _blocks(element) -> list[str]:
    blocks = []
    for child in _elements(element):
        if child.qname in _PARAGRAPHS:
            blocks.append(_inline_text(child))
        elif child.qname == (_TABLE, "table"):
            blocks.append(table_text(_table_rows(child)))
        elif child.qname in _CONTAINERS:
            blocks.extend(_blocks(child))
    return blocks


def _table_rows(table) -> list[list[str]]:
    rows = []
    for child in _elements(table):
        if child.qname in _ROW_GROUPS:
            rows.extend(_table_rows(child))
        elif child.qname == (_TABLE, "table-row"):
            cells = []
            for cell in _elements(child):
                if cell.qname in _CELLS:
                    text = " ".join(_blocks(cell))
                    cells.extend([text] * _repeat(cell, "numbercolumnsrepeated"))
            rows.extend([cells] * _repeat(child, "numberrowsrepeated"))
    return rows


def _repeat(element, attribute: str) -> int:
    value = element.getAttribute(attribute)
    return min(int(value), MAX_REPEAT) if value else 1


def _inline_text(element) -> str:
    """A paragraph's text: spaces, tabs and line breaks as `odf.teletype.extractText`
    writes them, without footnotes and comments."""
    from odf.element import Node

    parts = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != Node.ELEMENT_NODE or child.qname in _NOT_INLINE:
            continue
        elif child.qname == (_TEXT, "s"):
            parts.append(" " * _repeat(child, "c"))
        elif child.qname == (_TEXT, "tab"):
            parts.append("\t")
        elif child.qname == (_TEXT, "line-break"):
            parts.append("\n")
        elif child.qname == (_TEXT, "number"):  # a heading's or list item's number, "2.1"
            parts.append(_inline_text(child) + " ")
        else:
            parts.append(_inline_text(child))
    return "".join(parts)


def _elements(element):
    from odf.element import Node

    return [child for child in element.childNodes if child.nodeType == Node.ELEMENT_NODE]
