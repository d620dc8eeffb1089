"""How an answer's evidence is kept and shown: its status atop the reply, its citations as
cards, its passages, the document viewer.

An evidence entry is plain data (offsets and the cited sentences), kept in the page's state
and in the browser; the rest of a document's text is read from the index when shown. An
entry names each document by its name in the collection, never by its path on the server.
All document text goes through ``html.escape``: nothing in a document runs or renders.
"""

from __future__ import annotations

import html
import math
import re
import time
from pathlib import Path

from qa.config import Settings
from qa.reading.documents import document_title, location_of, row_of
from qa.errors import QAError
from qa.storing.collection import default_index
from qa.serving.web.pages import document_views, sectioned_text
from qa.results import ABSTAINED, ANSWERED, STATUSES, UNCERTAIN, Answer, document_name
from qa.text.language import FALLBACK_LANGUAGE, detect_language
from qa.text.messages import message

# Each status is shown by an icon beside its label as well as by its colour (page.css).
STATUS_ICONS = {ANSWERED: "✓", UNCERTAIN: "⚠", ABSTAINED: "∅"}
# The head `render_reply_head` puts atop a reply. Document text in a chat message is escaped,
# so a `<` there is always this markup's.
_REPLY_HEAD = re.compile(r"<div class='qa-reply-head'>.*?</div>", re.DOTALL)


def evidence_entry(question: str, result: Answer | None = None, error: str = "") -> dict:
    """What an answer's evidence shows later, as plain data: offsets, never document text
    beyond the cited sentences (the rest is read from the index when shown)."""
    if result is None:
        return {"question": question, "error": error, "citations": [], "passages": []}
    return {
        "question": question,
        "abstained": result.abstained,
        "status": result.status,
        "confidence": result.confidence,
        "short": None if result.short is None else result.short.to_dict(paths=False),
        "language": result.language,
        "reply": result.text if result.abstained else "",
        "citations": [
            {"source": document_name(c.source), "start": c.start, "end": c.end, "text": c.text} for c in result.citations
        ],
        "passages": [
            {"source": document_name(p.source), "start": p.start, "end": p.end, "score": p.score} for p in result.passages
        ],
    }


def _span(item) -> tuple[str, int, int] | None:
    """(source, start, end) of a stored citation or passage, if it is well formed (it may
    come back from the browser)."""
    if not isinstance(item, dict):
        return None
    source, start, end = item.get("source"), item.get("start"), item.get("end")
    if isinstance(source, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start <= end:
        return source, start, end
    return None


def valid_entry(entry) -> dict:
    """An evidence entry as it comes back from the browser, kept only in the shape
    `evidence_entry` gives it: whatever is malformed is dropped or set to its default."""
    if not isinstance(entry, dict):
        return evidence_entry("", error="(no evidence)")
    citations = [c for c in entry.get("citations") or [] if _span(c) and isinstance(c.get("text"), str)]
    passages = [p for p in entry.get("passages") or [] if _span(p) and isinstance(p.get("score"), (int, float))]
    error = str(entry.get("error", ""))
    abstained = bool(entry.get("abstained"))
    short = entry.get("short")
    language = entry.get("language")
    return {
        "question": str(entry.get("question", "")),
        "abstained": abstained,
        "status": None if error else _valid_status(entry.get("status"), abstained),
        "confidence": _valid_confidence(entry.get("confidence")),
        "short": {key: short[key] for key in ("text", "source", "start", "end", "kind")}
        if _span(short) and isinstance(short.get("text"), str) and isinstance(short.get("kind"), str)
        else None,
        # An entry kept before replies stored their language: the question's.
        "language": language if isinstance(language, str) else detect_language(str(entry.get("question", ""))),
        "reply": str(entry.get("reply", "")),
        "error": error,
        "citations": citations,
        "passages": passages,
    }


def _valid_status(status, abstained: bool) -> str:
    """The stored status if it goes with `abstained`; else the one `abstained` says (an entry
    kept before statuses were)."""
    if status in STATUSES and (status == ABSTAINED) == abstained:
        return status
    return ABSTAINED if abstained else ANSWERED


def _valid_confidence(confidence) -> float | None:
    if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and math.isfinite(confidence):
        return float(confidence) if 0 <= confidence <= 1 else None
    return None


def render_reply_head(entry: dict | None) -> str:
    """What tops a reply in the chat, as HTML: its status, an icon and a label in the reply's
    language (the confidence in its tooltip, when there are quotes it is about), then the
    short answer in bold. Empty for a reply without a status (an error) and for one that
    searched nothing (a message that is not a question, no documents): "not in the
    documents" would say the documents were read.

    Example:
        >>> render_reply_head({"status": "uncertain", "confidence": 0.31, "language": "en"})
        "<div class='qa-reply-head'><span class='qa-status qa-status-uncertain' title='Confidence 31%'>⚠ Closest passages — may not answer</span></div>"
    """
    status = (entry or {}).get("status")
    if status not in STATUSES or (status == ABSTAINED and not entry.get("passages")):
        return ""
    label = html.escape(message(entry.get("language") or FALLBACK_LANGUAGE, f"status_{status}"))
    confidence = entry.get("confidence")
    title = f" title='Confidence {confidence:.0%}'" if confidence is not None and status != ABSTAINED else ""
    badge = f"<span class='qa-status qa-status-{status}'{title}>{STATUS_ICONS[status]} {label}</span>"
    short = entry.get("short")
    bold = f"<strong class='qa-short'>{html.escape(short['text'])}</strong>" if short else ""
    return f"<div class='qa-reply-head'>{badge}{bold}</div>"


def without_reply_head(content: str) -> str:
    """A chat message's content without the head `render_reply_head` put atop it."""
    return _REPLY_HEAD.sub("", content, count=1) if content.startswith("<div class='qa-reply-head'>") else content


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def where_in_document(name: str, text: str, offset: int) -> str:
    r"""Where a reader finds ``offset`` in document ``name``: "page 2 · paragraph 3",
    "slide 3", "sheet 2 (Rates) · row 5", "paragraph 3"...

    A document of sections (`SECTION_KINDS`: pages, slides, sheets, chapters...) names its
    section, then, counted from the top of it, the paragraph (separated by blank lines);
    a section without blank lines gives the section only (a PDF page's lines are its
    layout's, a slide's its points), a text without sections counts its lines instead.
    A spreadsheet gives its row as the spreadsheet numbers it, after its sheet when it
    has more than one (a CSV file has one).

    Example:
        >>> where_in_document("travel.xlsx", "\nCity: Oslo; Rate: 95.\n\f\n\nCar: 0.30 EUR.", 27)
        'sheet 2 · row 2'
        >>> where_in_document("deck.pptx", "Intro\n\f\nPlan\nSteps", 14)
        'slide 2'
    """
    location = location_of(name, text, offset)
    page_break = text.rfind("\f", 0, offset) if location else -1
    top = page_break + 2 if page_break >= 0 else 0  # after the break's "\f\n"
    end = text.find("\f", offset) if location else -1
    section = text[top : end if end >= 0 else len(text)]
    row = row_of(name, text, offset)
    if location and row is not None:
        return f"{location[0]} {location[1]} · row {row}" if "\f" in text else f"row {row}"
    before = text[top:offset].lstrip()
    if _PARAGRAPH_BREAK.search(section):
        paragraph = len(_PARAGRAPH_BREAK.findall(before)) + 1
    elif location is None:
        paragraph = before.count("\n") + 1
    else:
        return f"{location[0]} {location[1]}"
    return f"{location[0]} {location[1]} · paragraph {paragraph}" if location else f"paragraph {paragraph}"


def _document(item: dict) -> str | None:
    """The text of the indexed document a citation or passage points into, or None when
    none fits any more.

    The entry names its document (a path in conversations saved before names were used).
    Of the documents of that name (files of two corpus subfolders may share one), the one
    holding the cited text at its offsets is taken; for a passage, one long enough.
    """
    source, start, end = _span(item)
    cited = item.get("text")
    for document in default_index(Settings.from_env()).documents:
        if source not in (document_name(document.source), document.source):
            continue
        if (document.text[start:end] == cited) if isinstance(cited, str) else (end <= len(document.text)):
            return document.text
    return None


def _cited_text_in(text: str | None, citation: dict) -> bool:
    source, start, end = _span(citation)
    return text is not None and text[start:end] == citation["text"]


def heading(source: str, text: str | None, offset: int, *, cut: int | None = None) -> str:
    """Where a reader finds a citation, as HTML: the document's title when it has one
    (its file name after it), else its file name; then where in it (`where_in_document`:
    page, slide, sheet and row, paragraph). The viewer's heading; a card's is `card_head`.

    Example:
        >>> heading("reports/q3.md", "# Q3 report\\n\\nSales rose.", 14)
        '<b>Q3 report</b> · q3.md · paragraph 2'
    """
    name = html.escape(Path(source).name)
    if text is None:
        return f"<b>{name}</b>"
    title = document_title(text)
    where = where_in_document(source, text, offset)
    if not title:
        return f"<b>{name}</b> · {where}"
    if cut and len(title) > cut:
        title = title[: cut - 1].rstrip() + "…"
    return f"<b>{html.escape(title)}</b> · {name} · {where}"


def full_name(source: str, text: str | None) -> str:
    """A document's full name, as text: its title and file name, or its file name alone.

    Example:
        >>> full_name("reports/q3.md", "# Q3 report\\n\\nSales rose.")
        'Q3 report — q3.md'
    """
    name = Path(source).name
    title = document_title(text) if text is not None else None
    return f"{title} — {name}" if title else name


def card_head(label: str, source: str, text: str | None, offset: int, *, where: str | None = None) -> str:
    """A card's heading, as HTML, on one line: its label ("[2]"), the document named once
    and short (its file name, cut with an ellipsis when the line is too narrow: the full
    name, title included, in its tooltip), then where in it (`where_in_document`, or
    ``where`` when given).

    Example:
        >>> card_head("[1]", "reports/q3.md", "# Q3 report\\n\\nSales rose.", 14)
        "<div class='qa-card-head'><span class='qa-card-n'>[1]</span> <b class='qa-card-name' title='Q3 report — q3.md'>q3.md</b><span class='qa-card-where'> · paragraph 2</span></div>"
    """
    name = html.escape(Path(source).name)
    if where is None:
        where = where_in_document(source, text, offset) if text is not None else ""
    where = f"<span class='qa-card-where'> · {html.escape(where)}</span>" if where else ""
    return (
        f"<div class='qa-card-head'><span class='qa-card-n'>{html.escape(label)}</span> "
        f"<b class='qa-card-name' title='{html.escape(full_name(source, text))}'>{name}</b>{where}</div>"
    )


def _highlighted(text: str, start: int, end: int) -> str:
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def _offsets(start: int, end: int) -> str:
    return f"characters {start}–{end}"


def render_cards(entry: dict | None, answer_number: int | None = None, open_citation: int | None = None) -> str:
    """The cards of an answer's citations: document, page, paragraph, the sentence in its passage.

    Each card opens the document at its citation when clicked; character offsets are in
    its tooltip.
    """
    if not entry or entry.get("error"):
        return ""
    question = html.escape(entry.get("question", ""))
    head = f"<div class='qa-evidence-for' data-answer='{answer_number}'>Evidence for “{question}”</div>"
    if entry.get("abstained") or not entry["citations"]:
        reply = html.escape(entry.get("reply", ""))
        return f"{head}<div class='qa-card'><div class='qa-card-head'>No citation</div>{reply}</div>"
    cards = [head]
    for n, citation in enumerate(entry["citations"], start=1):
        source, start, end = _span(citation)
        name = html.escape(Path(source).name)
        text = _document(citation)
        if _cited_text_in(text, citation):
            head = card_head(f"[{n}]", source, text, start)
            passage = _passage_around(entry, citation)
            shown = _highlighted(text[passage[0] : passage[1]], start - passage[0], end - passage[0])
        else:
            head = card_head(f"[{n}]", source, None, start, where="no longer indexed as it was")
            shown = f"<mark>{html.escape(citation['text'])}</mark>"
        opened = " qa-open" if n == open_citation else ""
        cards.append(
            f"<div class='qa-card{opened}' data-answer='{answer_number}' data-citation='{n}' role='button' tabindex='0'"
            f" title='{_offsets(start, end)} of {name}; click to open the document here'>"
            f"{head}<div class='qa-passage'>{shown}</div></div>"
        )
    return "".join(cards)


def _passage_around(entry: dict, citation: dict) -> tuple[int, int]:
    """The span of the retrieved passage holding a citation (the citation's own span if none)."""
    source, start, end = _span(citation)
    for passage in entry["passages"]:
        p_source, p_start, p_end = _span(passage)
        if p_source == source and p_start <= start and end <= p_end:
            return p_start, p_end
    return start, end


def render_passages(entry: dict | None) -> str:
    if not entry or not entry.get("passages"):
        return ""
    rows = []
    for rank, passage in enumerate(entry["passages"], start=1):
        source, start, end = _span(passage)
        name = html.escape(Path(source).name)
        text = _document(passage)
        if text is None or end > len(text):
            head, body = card_head(f"#{rank}", source, None, start, where="no longer indexed"), ""
        else:
            head, body = card_head(f"#{rank}", source, text, start), html.escape(text[start:end])
        rows.append(
            f"<div class='qa-card' title='{_offsets(start, end)} of {name}'>"
            f"<div class='qa-score'>score {passage['score']:.3f}</div>{head}"
            f"<div class='qa-passage'>{body}</div></div>"
        )
    return "".join(rows)


def render_document(citation: dict, *, reveal: bool = False) -> str:
    """The whole document with the citation highlighted, its sections marked; a PDF at the cited
    page too (`document_views`); the page scrolls the viewer's box to it.

    ``reveal``: opened by a click on a citation, so the viewer may be brought into view.
    """
    source, start, end = _span(citation)
    name = html.escape(Path(source).name)
    try:
        text = _document(citation)
    except QAError as exc:  # the index cannot be read now (Milvus down): the answer stays shown
        return f"<p>{html.escape(str(exc))}</p>"
    if not _cited_text_in(text, citation):
        return f"<p>{name} is no longer indexed as it was when this answer was given: ask again.</p>"
    # A fresh data-view on every render: the viewer re-centres even on the same citation.
    text_view = (
        f"<div class='qa-doc' data-view='{time.monotonic_ns()}'{' data-reveal=1' if reveal else ''}>"
        f"{sectioned_text(source, text, start, end)}</div>"
    )
    return (
        f"<div class='qa-card-head' title='{_offsets(start, end)}'>{heading(source, text, start, cut=None)}</div>"
        + document_views(source, text, start, end, text_view)
    )
