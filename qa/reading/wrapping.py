"""Which line breaks only wrap a paragraph, told by the lines' layout.

pypdf, OCR and wrapped e-mail bodies give one line per printed line, so a sentence
printed over two lines reads as two. A line break wraps a paragraph when the line before
it is full (the next line's first word would not have fitted on it), does not end like a
sentence or a clause, and the line after it does not begin an item of its own (a bullet,
a number, a labelled line such as ``From: ...`` or a table's row). Lists, addresses,
ingredient lines, headings and poems are short lines: their breaks stay. No word list is
read, so this holds in any language.

Measured on the Debian Reference's plain-text books in six languages (wrapped at about 72
columns, with code, tables and lists: ``/usr/share/debian-reference/*.txt.gz``), 3,900 to
5,100 breaks a book are found to wrap, and a sample read by hand joined prose to prose
(a few code lines aside); none of the mixed-format set's unwrapped documents (Word,
OpenDocument, web page, slides, sheets, the minutes in .txt) has one, and of its wrapped ones
(the PDF, the scan, the e-mail) every wrap found is one. A hyphenated word cut at a line's
end ("Renovie-" then "rung") stays as printed, its line break inside the sentence.
"""

from __future__ import annotations

import re
import unicodedata

# A line ending like this ends what it says (sentence and clause ends, in Latin and CJK
# punctuation), possibly followed by closing quotes or brackets.
_ENDS_STATEMENT = re.compile(r"[.!?…:;。！？：；｡][\"'”’»)\]）」』】〕]*\s*$")
# A line beginning like this is an item of its own: a bullet, a numbered item ("2. ",
# "1.3. ", "b) "), a quoted reply, a table's border or cell, a Markdown heading or fence.
_BEGINS_ITEM = re.compile(
    r"\s*(?:[-–—*•·▪◦‣+>|#=\[]|```|~~~|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{1,4})[.)](?=\s))\s*"
)
# A labelled line: "From: ...", "Objet : ...", "City: Tokyo; ...", "Lunes a viernes: ..."
# (a label of at most four words, then a colon).
_LABELLED = re.compile(r"\s*[^\W\d_][^\s:]*(?: [^\s:]+){0,3} ?[:：]\s")

# How much shorter than the measure a full line may be: proportional fonts and OCR make a
# line's characters a rough measure of its printed width.
FULL_LINE_SLACK = 0.1
# Lines narrower than this (in columns) are never taken for wrapped prose.
MIN_WRAPPED_WIDTH = 30
# The measure is a width that at least this share of the text's long lines come close to.
MEASURE_SUPPORT = 0.05


def width(text: str) -> int:
    """Columns a text takes in print: CJK and other wide characters count two.

    Example:
        >>> width("abc"), width("日本語")
        (3, 6)
    """
    return sum(2 if _is_wide(c) else 1 for c in text)


def soft_line_breaks(text: str) -> list[tuple[int, int]]:
    """Where ``text``'s line breaks only wrap a paragraph: ``(start, end)`` of each, from
    the end of a wrapped line to the start of its continuation.

    A line break continues the sentence when the line before it is full and does not end
    like a sentence, and the line after it is no list item, labelled line or table row.
    A capital after the break (a German noun, a name, a new sentence within the line)
    continues it only in a text where some other full line continues in lower case or a
    digit, as wrapped prose does and a poem does not. A blank line is crossed only by a
    word cut off before a lowercase one (Tesseract's paragraphs within a sentence).

    Example:
        >>> t = ("The reading room will be renovated; the works begin in February and cost\\n"
        ...      "185,000 euros.\\n"
        ...      "250 g flour\\n"
        ...      "3 apples")
        >>> [t[s:e] for s, e in soft_line_breaks(t)]
        ['\\n']
    """
    lines = _lines(text)
    widths = [width(text[s:e].rstrip()) for s, e in lines]
    # A table's borders and cells, bullets: such lines are as wide as they were drawn.
    measure = _measure([w for w, (s, e) in zip(widths, lines) if not _BEGINS_ITEM.match(text, s, e)])
    candidates = []
    for i in range(len(lines) - 1):
        j, blank = i + 1, False
        if not text[slice(*lines[j])].strip() and j + 1 < len(lines):
            j, blank = j + 1, True
        a, b = text[slice(*lines[i])], text[slice(*lines[j])]
        kind = _continuation(a, widths[i], b, measure, blank=blank)
        if kind:
            candidates.append((kind, lines[i][1], lines[j][0]))
    wraps_in_lowercase = any(kind == "lower" for kind, _, _ in candidates)
    return [(start, end) for kind, start, end in candidates if kind == "lower" or wraps_in_lowercase]


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, its line break left out."""
    lines, start = [], 0
    while (end := text.find("\n", start)) >= 0:
        lines.append((start, end))
        start = end + 1
    lines.append((start, len(text)))
    return lines


def _measure(widths: list[int]) -> int:
    """The width a text's wrapped lines run to: the widest that a share of its long lines
    come close to (a long URL or header alone does not set it), 0 without long lines."""
    long = sorted((w for w in widths if w >= MIN_WRAPPED_WIDTH), reverse=True)
    support = max(2, round(MEASURE_SUPPORT * len(long)))
    for i in range(len(long) - support + 1):
        if long[i + support - 1] >= long[i] * (1 - FULL_LINE_SLACK):
            return long[i]
    return long[0] if long else 0


def _continuation(a: str, a_width: int, b: str, measure: int, *, blank: bool) -> str | None:
    """How line ``b`` continues line ``a``'s sentence: "lower" (in lower case, a digit,
    or a CJK run), "capital", or None when the break ends a line of its own."""
    if not a.strip() or not b.strip() or "\f" in a or "\f" in b:
        return None  # a blank line or a page break between them
    if not MIN_WRAPPED_WIDTH <= a_width <= measure * (1 + FULL_LINE_SLACK):
        return None  # too short to be wrapped, or wider than the text's lines: code, a paragraph
    if _ENDS_STATEMENT.search(a) or _BEGINS_ITEM.match(b) or _LABELLED.match(b):
        return None
    if _indent(b) > _indent(a) and _indent(b) != _item_text_indent(a):
        return None  # indented under it (code, a quote), unless it continues a list item
    a, b = a.rstrip(), b.strip()
    cjk = _is_wide(a[-1]) and _is_wide(b[0])
    next_word = width(b[0]) if cjk else 1 + width(b.split(maxsplit=1)[0])
    if a_width + next_word <= measure * (1 - FULL_LINE_SLACK):
        return None  # the next word would have fitted: the line was ended on purpose
    if blank:
        return "lower" if b[0].islower() and (a[-1].isalpha() or a[-1] == ",") else None
    if b[0].islower() or b[0].isdigit() or cjk:
        return "lower"
    # A labelled line ("Objet : ravalement ...") ends where it ends.
    return None if _LABELLED.match(a) else "capital"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _item_text_indent(line: str) -> int | None:
    """Where a list item's text starts ("- " or "1. " before it), None if no item."""
    item = _BEGINS_ITEM.match(line)
    return item.end() if item else None


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"
