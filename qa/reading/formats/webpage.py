"""Web pages (.html, .htm): the text a reader sees, without tags, scripts or styles.

A table of data reads as every format's tables do (`qa.reading.formats.layout.table_text`):
its first row is the header, and each row after it one line of "header: value" pairs, so a
cell's value is found with what it is ("City: Tokyo; Daily allowance: 120 EUR.") rather
than run together with its neighbours ("Tokyo120 EUR"). A cell spanning rows
(``rowspan``) gives its value to each of them and one spanning columns (``colspan``) to
the first, empty cells to the others, so every value stays under its header; the
paragraphs and line breaks within a cell are spaces. The caption is a paragraph of its own
before the table.

A table laid out for the page rather than holding data (old pages lay out their columns
in one) reads as paragraphs, one a cell: a table marked ``role="presentation"`` (or
``"none"``), one holding another table, and one of a single column, as browsers' reader
modes tell them (Mozilla's Readability, ``_markDataTables``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from qa.reading.formats.layout import table_text
from qa.reading.formats.plain import read as read_plain


def read(data: bytes, path: Path) -> str:
    """A web page's visible text, one paragraph per block element.

    Raises:
        DocumentError: the file's encoding is not recognised (`qa.reading.formats.plain`).
    """
    return page_text(read_plain(data, path))


def page_text(markup: str) -> str:
    """The visible text of HTML markup.

    Example:
        >>> page_text("<p>Hello <b>you</b></p><script>x()</script>")
        'Hello you\\n'
        >>> print(page_text("<table><tr><th>City<th>Allowance<tr><td>Tokyo<td>120 EUR</table>"))
        City: Tokyo; Allowance: 120 EUR.
        <BLANKLINE>
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


class _Text(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "title"}
    _CELLS = {"td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._tables: list[_Table] = []  # the tables open, innermost last

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "table":
            if self._tables:
                self._tables[-1].holds_a_table = True
            role = (dict(attrs).get("role") or "").strip().lower()
            self._tables.append(_Table(laid_out=role in ("presentation", "none")))
        elif not self._tables:
            if tag in self._BLOCKS:
                self.parts.append("\n\n")
        else:
            table = self._tables[-1]
            if tag == "tr":
                table.start_row()
            elif tag in self._CELLS:
                spans = dict(attrs)
                table.start_cell(_span(spans.get("colspan")), _span(spans.get("rowspan")))
            elif tag == "caption":
                table.start_caption()
            elif tag in self._BLOCKS:
                table.add_break()

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag == "table" and self._tables:
            text = "\n\n" + self._tables.pop().text() + "\n\n"
            if self._tables:
                self._tables[-1].add(text)
            else:
                self.parts.append(text)
        elif not self._tables:
            if tag in self._BLOCKS:
                self.parts.append("\n\n")
        else:
            table = self._tables[-1]
            if tag == "tr":
                table.end_row()
            elif tag in self._CELLS:
                table.end_cell()
            elif tag == "caption":
                table.end_caption()
            elif tag in self._BLOCKS:
                table.add_break()

    def handle_data(self, data):
        if self._skipping:
            return
        if self._tables:
            self._tables[-1].add(data)
        else:
            self.parts.append(data)

    def close(self):
        super().close()
        while self._tables:  # a table never closed ends with the page
            self.handle_endtag("table")


def _span(value: str | None) -> int:
    """A ``colspan`` or ``rowspan``: a whole number from 1 (a browser reads a bad one as 1),
    at most 1,000 (as a browser caps colspan)."""
    try:
        return min(max(int(value or 1), 1), 1000)
    except ValueError:
        return 1


class _Table:
    """One table as it is parsed: its rows of cell texts (spans filled in), and its text
    as paragraphs, for a table that turns out to be laid out for the page.

    The end tags a page may leave out (``</td>``, ``</tr>``) are implied by the next cell,
    row or the table's end, as a browser implies them.
    """

    def __init__(self, *, laid_out: bool = False):
        self.laid_out = laid_out
        self.holds_a_table = False
        self._paragraphs: list[str] = []  # the text as the page's paragraphs, a cell each
        self._caption: list[str] | None = None
        self._captions: list[str] = []
        self._rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._rowspan = 1
        # Column -> (rows still to fill, value): the cells of a rowspan above that fill
        # columns of this row, and those begun in this row that fill the rows below.
        self._spanned: dict[int, tuple[int, str]] = {}
        self._spanning: dict[int, tuple[int, str]] = {}

    def add(self, text: str) -> None:
        self._paragraphs.append(text)
        if self._caption is not None:
            self._caption.append(text)
        elif self._cell is not None:
            self._cell.append(text)
        # Text between a table's cells (white space, mostly) is no cell's.

    def add_break(self) -> None:
        """A block element's edge: a new paragraph, a space within a cell."""
        self.add("\n\n")

    def start_caption(self) -> None:
        self.add_break()
        self._caption = []

    def end_caption(self) -> None:
        if self._caption is not None:
            self._captions.append(" ".join("".join(self._caption).split()))
            self._caption = None
        self.add_break()

    def start_row(self) -> None:
        self.end_row()
        self._row = []

    def end_row(self) -> None:
        self.end_cell()
        if self._row is None:
            return
        self._fill_spanned()
        self._rows.append(self._row)
        self._row = None
        below = {column: (left - 1, value) for column, (left, value) in self._spanned.items() if left > 1}
        self._spanned, self._spanning = below | self._spanning, {}

    def start_cell(self, colspan: int, rowspan: int) -> None:
        self.end_cell()
        if self._row is None:
            self._row = []  # a cell outside any <tr>: a row of its own begins
        self.add_break()
        self._cell, self._colspan, self._rowspan = [], colspan, rowspan

    def end_cell(self) -> None:
        if self._cell is None:
            return
        value = " ".join("".join(self._cell).split())
        self._cell = None
        self.add_break()
        for column in range(self._colspan):
            self._fill_spanned()
            if self._rowspan > 1:
                self._spanning[len(self._row)] = (self._rowspan - 1, "" if column else value)
            self._row.append("" if column else value)

    def _fill_spanned(self) -> None:
        """Put the values of the rowspans above in the row's next columns they span."""
        while len(self._row) in self._spanned:
            self._row.append(self._spanned[len(self._row)][1])

    def text(self) -> str:
        """The table's text: its rows through `table_text`, or its paragraphs if it is laid
        out for the page."""
        self.end_caption()
        self.end_row()
        if self.laid_out or self.holds_a_table or all(sum(1 for cell in row if cell) < 2 for row in self._rows):
            return "".join(self._paragraphs)
        return "\n\n".join([*self._captions, table_text(self._rows)])
