"""What part of a document's layout a sentence is: prose, a heading, or a line with no words.

A heading ("# Project Falcon", "Chapter 2. Ventilation and heating", a document's title
line) names what follows and answers nothing; a table rule ("|---|---|") holds no word at
all. Both are told from the layout around the sentence, in any language: where its line
starts and ends, its punctuation, and its neighbouring paragraphs.
"""

from __future__ import annotations

import re

# Punctuation a sentence ends with, in the scripts we read.
SENTENCE_END = (".", "!", "?", "…", "。", "！", "？", ":", ";", ",", "؟", "।", "」", "»", '"', "”", ")")
# A heading is short: longer unpunctuated lines are prose without its full stop (or data,
# such as a 70,000-letter DNA sequence on a line of its own).
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARACTERS = 200
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•·▪‣◦]|\d{1,3}[.)])\s")
_TABLE_ROW = re.compile(r"^\s*\|")
_WORD = re.compile(r"\w")
# A full stop after a word (not after a number, as in "Chapter 2. Heating") and a space:
# the line holds two sentences.
_SENTENCE_BREAK = re.compile(r"[^\W\d]{2}[.!?。！？]\s")


def holds_words(text: str) -> bool:
    """Whether a sentence holds a letter or a digit (a table rule or a row of dashes does not).

    Example:
        >>> holds_words("|---|:---:|"), holds_words("Tokyo: 120 EUR.")
        (False, True)
    """
    return bool(_WORD.search(text))


def is_heading(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a sentence of a document's text) is a heading.

    It is one when it is a Markdown heading (its line starts with ``#``), or when it is a
    whole paragraph of one short line (at most `MAX_HEADING_WORDS` words) that does not
    end like a sentence, is not a list item or a table row, and does not stand in a run of
    such lines (a list written without bullets, as Word and recipes write them) unless it
    is the document's first line (its title).

    Example:
        >>> doc = "# Falcon\\n\\nThe tech lead is Ana.\\n\\nChapter 2. Heating\\n\\nIt heats."
        >>> [is_heading(doc, doc.index(s), doc.index(s) + len(s)) for s in ("# Falcon", "The tech lead is Ana.", "Chapter 2. Heating")]
        [True, False, True]
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if line.lstrip().startswith("#"):
        return True
    if not _short_unpunctuated(line) or text[start:end].strip() != line.strip():
        return False
    neighbours = _neighbour_paragraphs(text, line_start, line_end)
    if neighbours is None:  # the line is part of a longer paragraph
        return False
    if neighbours[0] is None:  # the document's first line: its title
        return True
    return not any(p is not None and "\n" not in p and _short_unpunctuated(p) for p in neighbours)


def _short_unpunctuated(line: str) -> bool:
    line = line.strip()
    return (
        bool(line)
        and not line.endswith(SENTENCE_END)
        and len(line.split()) <= MAX_HEADING_WORDS
        and len(line) <= MAX_HEADING_CHARACTERS
        and not _LIST_ITEM.match(line)
        and not _TABLE_ROW.match(line)
        and not _SENTENCE_BREAK.search(line)
    )


def _neighbour_paragraphs(text: str, line_start: int, line_end: int):
    """The paragraphs just before and after a line (None at the document's start or end),
    or None when the line is not a paragraph of its own (another line touches it)."""
    before = text[:line_start].rstrip("\n")
    after = text[line_end:].lstrip("\n")
    gap_before = len(text[:line_start]) - len(before)
    gap_after = len(text[line_end:]) - len(after)
    if (before and gap_before < 2) or (after and gap_after < 2):
        return None
    return _edge_paragraph(before, last=True), _edge_paragraph(after, last=False)


def _edge_paragraph(side: str, *, last: bool) -> str | None:
    """The paragraph of ``side`` next to the line, None when there is none."""
    if not side.strip():
        return None
    paragraphs = re.split(r"\n[ \t\f]*\n", side)
    return (paragraphs[-1] if last else paragraphs[0]).strip()
