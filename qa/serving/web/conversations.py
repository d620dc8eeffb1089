"""Past conversations as the side panel lists them: each one's title and date, to open it,
rename it or delete it, and "Forget them all"; a delete asks first.

Conversations are kept in the browser (its local storage), so everything here comes back
from the browser and is checked as such: a title is text a person typed, and goes through
``html.escape`` in text and in attributes alike; an id is used only when it is one this
module made (`new_id`). The asking (Delete → "Delete “…”?" Yes / No, focus on No) and the
renaming happen in the page (`conversations.js`); an answer is sent back to the app as a
"click" naming the conversation.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import datetime, timezone

# The browser keeps at most this many; the oldest go first.
MAX_CONVERSATIONS = 30
# A title longer than this is cut (with "…"): one line of the panel, about.
TITLE_CHARACTERS = 60
EMPTY = "<p class='qa-past-empty'>None yet: each conversation is kept here once it has an answer.</p>"
_ID = re.compile(r"[0-9a-f]{16}")


def new_id() -> str:
    """A new conversation's id: 16 hex digits.

    Example:
        >>> len(new_id()), new_id() != new_id()
        (16, True)
    """
    return secrets.token_hex(8)


def is_id(value) -> bool:
    """Whether ``value`` is a conversation id as `new_id` makes them (the browser sends ids back).

    Example:
        >>> is_id(new_id()), is_id("0123"), is_id(None), is_id("<script>alert(1)</script>")
        (True, False, False, False)
    """
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def title_of(text: str) -> str:
    """A conversation's title from its first question (or a name typed for it): one line,
    at most `TITLE_CHARACTERS` characters.

    Example:
        >>> title_of("  When was\\nthe treaty   signed? ")
        'When was the treaty signed?'
        >>> len(title_of("x" * 100)), title_of("x" * 100)[-1]
        (60, '…')
    """
    text = " ".join(str(text).split())
    return text if len(text) <= TITLE_CHARACTERS else text[: TITLE_CHARACTERS - 1] + "…"


def now() -> str:
    """The time now, in UTC, as a conversation's `updated` keeps it (ISO 8601, to the second)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def conversations(saved) -> list[dict]:
    """The conversations the browser sent back that are well formed (an id made by `new_id`),
    in their order.

    Example:
        >>> [c["id"] for c in conversations([{"id": "0123456789abcdef"}, {"id": "<b>"}, "x", None])]
        ['0123456789abcdef']
    """
    if not isinstance(saved, list):
        return []
    return [c for c in saved if isinstance(c, dict) and is_id(c.get("id"))]


def renamed(saved, conversation: str, title: str) -> list[dict]:
    """The conversations with ``conversation`` titled ``title`` (`title_of`); unchanged when
    the title is blank.

    Example:
        >>> renamed([{"id": "0123456789abcdef", "title": "Quand ?"}], "0123456789abcdef", " Le traité ")[0]["title"]
        'Le traité'
    """
    title = title_of(title) if isinstance(title, str) else ""
    return [{**c, "title": title} if c["id"] == conversation and title else c for c in conversations(saved)]


def without(saved, conversation: str) -> list[dict]:
    """The conversations but ``conversation``.

    Example:
        >>> without([{"id": "0123456789abcdef"}, {"id": "fedcba9876543210"}], "0123456789abcdef")
        [{'id': 'fedcba9876543210'}]
    """
    return [c for c in conversations(saved) if c["id"] != conversation]


def _updated(conversation: dict) -> datetime | None:
    """When a conversation last changed, if the browser kept a well-formed time (older
    ones have none)."""
    value = conversation.get("updated")
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return when.astimezone(timezone.utc) if when is not None and when.tzinfo is not None else None


def render_conversations(saved, current: str | None = None) -> str:
    """The list as HTML: per conversation a button that opens it (its title and date), a
    Rename and a Delete (each asking in place), then "Forget them all" (asking first).

    Each rendering is marked anew (``data-shown``), so that the page resets a question or a
    rename left open whenever the list changes.

    Example:
        >>> page = render_conversations([{"id": "0123456789abcdef", "title": "<b>Quand ?</b>"}])
        >>> "&lt;b&gt;Quand ?&lt;/b&gt;" in page and "<b>" not in page
        True
    """
    items = conversations(saved)
    if not items:
        return f"<div class='qa-past' data-shown='{secrets.token_hex(4)}'>{EMPTY}</div>"
    rows = "".join(_item(item, item["id"] == current) for item in items)
    return (
        f"<div class='qa-past' data-shown='{secrets.token_hex(4)}'>"
        f"<ul class='qa-past-list' aria-label='Past conversations'>{rows}</ul>"
        "<div class='qa-past-forget'>"
        "<button type='button' class='qa-forget'>Forget them all</button>"
        "<span class='qa-ask' role='group' aria-labelledby='qa-forget-question' hidden>"
        "<span id='qa-forget-question' class='qa-ask-question'>"
        f"Forget all {len(items)} conversation{'' if len(items) == 1 else 's'} kept in this browser?</span> "
        "<span class='qa-ask-answers'>"
        "<button type='button' class='qa-yes' data-action='forget' aria-label='Yes, forget them all'>Yes</button> "
        "<button type='button' class='qa-no' aria-label='No, keep them'>No</button>"
        "</span></span></div></div>"
    )


def _item(conversation: dict, current: bool) -> str:
    key = conversation["id"]  # 16 hex digits (`conversations`): safe in an attribute as it is
    title = html.escape(title_of(conversation.get("title") or "(untitled)"), quote=True)
    when = _updated(conversation)
    date = (
        f"<time datetime='{when.isoformat()}'>{when.strftime('%Y-%m-%d %H:%M UTC')}</time>" if when is not None else ""
    )
    return (
        f"<li class='qa-past-item' data-id='{key}'{' aria-current=true' if current else ''}>"
        f"<button type='button' class='qa-past-open' data-id='{key}'>"
        f"<span class='qa-past-title'>{title}</span><span class='qa-past-date'>{date}</span></button>"
        "<span class='qa-past-tools'>"
        f"<button type='button' class='qa-rename' aria-label='Rename {title}'>Rename</button>"
        f"<button type='button' class='qa-delete' aria-label='Delete {title}'>Delete</button>"
        "</span>"
        f"<form class='qa-rename-form' hidden><input class='qa-rename-input' maxlength='{TITLE_CHARACTERS}' "
        f"value='{title}' aria-label='New name for {title}'>"
        "<button type='submit' class='qa-rename-save'>Save</button>"
        "<button type='button' class='qa-no'>Cancel</button></form>"
        f"<span class='qa-ask' role='group' aria-labelledby='qa-delete-question-{key}' hidden>"
        f"<span id='qa-delete-question-{key}' class='qa-ask-question'>Delete “{title}”?</span> "
        "<span class='qa-ask-answers'>"
        f"<button type='button' class='qa-yes' data-action='delete' data-id='{key}' aria-label='Yes, delete {title}'>"
        "Yes</button> "
        f"<button type='button' class='qa-no' aria-label='No, keep {title}'>No</button>"
        "</span></span></li>"
    )
