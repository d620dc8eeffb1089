"""How a reader lays out what it extracts."""

# Between pages (or any numbered section a citation is located by): a form feed on a
# line of its own, so a citation's page is the count of those before it.
PAGE_BREAK = "\n\f\n"


def table_text(rows: list[list[str]]) -> str:
    """A table as lines a sentence splitter and a question can find: the first row is
    the header, and each row after it one line of "header: value" pairs, ending with a
    full stop (cells without a value left out; a value whose header is empty alone).

    Every reader of a format with tables (Word, OpenDocument, PDF, spreadsheets, CSV)
    writes them this way, so "What is the daily allowance in Tokyo?" finds the line
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
