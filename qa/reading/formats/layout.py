"""How a reader lays out what it extracts."""

import re

# Between pages (or any numbered section a citation is located by): a form feed on a
# line of its own, so a citation's page is the count of those before it.
PAGE_BREAK = "\n\f\n"


def table_text(rows: list[list[str]]) -> str:
    """A table as lines a sentence splitter and a question can find: the first row is
    the header, and each row after it one line of "header: value" pairs, ending with a
    full stop (cells without a value left out; a value whose header is empty alone).

    Every reader of a format with tables (Word, OpenDocument, PDF, web pages, EPUB,
    spreadsheets, CSV) writes them this way, so "What is the daily allowance in Tokyo?" finds the line
    "City: Tokyo; Daily allowance: 120 EUR." whatever the file was.

    Example:
        >>> print(table_text([["City", "Daily allowance"], ["Tokyo", "120 EUR"], ["Oslo", ""]]))
        City: Tokyo; Daily allowance: 120 EUR.
        City: Oslo.
    """
    cleaned = [[" ".join(cell.split()) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if len(cleaned) < 2:
        return "\n".join("; ".join(cell for cell in row if cell) + "." for row in cleaned)
    header, body = cleaned[0], cleaned[1:]
    lines = []
    for row in body:
        pairs = [
            f"{header[i]}: {value}" if i < len(header) and header[i] else value
            for i, value in enumerate(row)
            if value
        ]
        if pairs:
            lines.append("; ".join(pairs) + ("" if pairs[-1].endswith((".", "!", "?")) else "."))
    return "\n".join(lines)


# A line as `table_text` writes a row: "header: value" pairs (a value alone too) joined by
# "; ", at least one with its header, ending like a sentence.
_TABLE_ROW = re.compile(r"(?:[^:;\n]+: )?[^;\n]+(?:; (?:[^:;\n]+: )?[^;\n]+)*[.!?]")


def is_table_row(sentence: str) -> bool:
    """Whether a sentence reads as a table's row written by `table_text`: it names what
    each of its values is, so it says enough on its own, however short (the index embeds
    other short sentences with their neighbours, `qa.storing.index.SHORT_SENTENCE_CHARS`,
    which would blur one row into the next).

    Example:
        >>> is_table_row("City: Tokyo; Daily allowance: 120 EUR.")
        True
        >>> is_table_row("Il ferme le lundi.")
        False
    """
    return ": " in sentence and _TABLE_ROW.fullmatch(sentence) is not None
