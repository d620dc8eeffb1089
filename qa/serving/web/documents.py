"""The Documents tab's list: each document's name, sections, size, when it was added and
where it is from, and for each upload a Remove button that asks first.

Names are what people uploaded, so every one goes through ``html.escape``, in text and in
attributes alike: a name renders as its characters, never as markup. The asking (Remove →
"Remove lemon-cake.txt?" Yes / No) happens in the page (`documents.js`); a Yes sends the
name back to the app, which removes the upload of that name, if it still is one.
"""

from __future__ import annotations

import html
import secrets
from datetime import datetime, timezone

from qa.storing.collection import DocumentInfo

EMPTY = "<p class='qa-docs-empty'>No documents yet: add one below.</p>"
_UNITS = ("KB", "MB", "GB")
# (class, heading) of each column; the last one's heading is for screen readers only.
_COLUMNS = (
    ("name", "Document"),
    ("sections", "Contents"),
    ("size", "Size"),
    ("added", "Added"),
    ("from", "From"),
    ("remove", "<span class='qa-hidden'>Remove</span>"),
)


def sections_label(kind: str | None, count: int | None) -> str:
    """What a document is divided into, as a person says it; empty without sections.

    Example:
        >>> sections_label("page", 12), sections_label("slide", 1), sections_label(None, None)
        ('12 pages', '1 slide', '')
    """
    if not kind or count is None:
        return ""
    return f"{count:,} {kind}{'' if count == 1 else 's'}"


def size_label(size: int | None) -> str:
    """A file's size in bytes as a person reads it (1 KB = 1024 bytes); empty when unknown.

    Example:
        >>> size_label(812), size_label(4300), size_label(1_363_149), size_label(None)
        ('812 B', '4.2 KB', '1.3 MB', '')
    """
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def added_label(added: datetime | None) -> str:
    """When a file was added, in UTC (the page shows it in the reader's own time zone).

    Example:
        >>> from datetime import datetime, timezone
        >>> added_label(datetime(2026, 12, 6, 14, 3, 27, tzinfo=timezone.utc))
        '2026-12-06 14:03 UTC'
    """
    return added.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if added else ""


def render_documents(documents: list[DocumentInfo]) -> str:
    """The list as an HTML table: one row a document, a Remove button (and its question) for
    each upload.

    Each rendering is marked anew (``data-shown``), so that the page redraws the list after
    every change, a refused one included: a question left open or a button left waiting
    is reset.

    Example:
        >>> from qa.storing.collection import DocumentInfo
        >>> page = render_documents([DocumentInfo("uploads/a<b>.txt", "a<b>.txt", 12, True, size=12)])
        >>> "aria-label='Remove a&lt;b&gt;.txt'" in page and "<b>" not in page
        True
    """
    if not documents:
        return EMPTY
    rows = "".join(_row(number, document) for number, document in enumerate(documents))
    head = "".join(f"<th scope='col' class='qa-doc-{key}'>{label}</th>" for key, label in _COLUMNS)
    return (
        f"<table class='qa-docs' data-shown='{secrets.token_hex(4)}'>"
        "<caption class='qa-hidden'>Indexed documents</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _row(number: int, document: DocumentInfo) -> str:
    name = html.escape(document.name, quote=True)
    characters = f"{document.characters:,} characters of text"
    # Without a file (Milvus keeps texts only) the text's length stands in for its size.
    size = size_label(document.size) or characters
    added = (
        f"<time datetime='{document.added.astimezone(timezone.utc).isoformat()}'>{added_label(document.added)}</time>"
        if document.added
        else ""
    )
    return (
        f"<tr data-name='{name}'>"
        f"<th scope='row' class='qa-doc-name'>{name}</th>"
        f"<td class='qa-doc-sections'>{sections_label(document.section_kind, document.sections)}</td>"
        f"<td class='qa-doc-size' title='{characters}'>{size}</td>"
        f"<td class='qa-doc-added'>{added}</td>"
        f"<td class='qa-doc-from'>{'upload' if document.uploaded else 'corpus folder'}</td>"
        f"<td class='qa-doc-remove'>{_remove_control(number, name) if document.uploaded else ''}</td>"
        "</tr>"
    )


def _remove_control(number: int, name: str) -> str:
    """Remove, and the question it opens (hidden until then); ``name`` is escaped already."""
    question = f"qa-remove-question-{number}"
    return (
        f"<button type='button' class='qa-remove' data-name='{name}' aria-label='Remove {name}'>Remove</button>"
        f"<span class='qa-remove-ask' role='group' aria-labelledby='{question}' hidden>"
        f"<span id='{question}' class='qa-remove-question'>Remove {name}?</span> <span class='qa-remove-answers'>"
        f"<button type='button' class='qa-remove-yes' data-name='{name}' aria-label='Yes, remove {name}'>Yes</button> "
        f"<button type='button' class='qa-remove-no' aria-label='No, keep {name}'>No</button>"
        "</span></span>"
    )
