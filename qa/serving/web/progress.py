"""The indexing panel: an add or re-index under way (`Collection.indexing`), as every tab shows it."""

from __future__ import annotations

import html

from qa.storing.progress import IndexingStatus


def time_left(seconds: float | None) -> str:
    """A time left as said to a person.

    Example:
        >>> [time_left(s) for s in (None, 12.4, 95, 1000, 5400)]
        ['estimating the time left', 'about 12 s left', 'about 2 min left', 'about 17 min left', 'about 1 h 30 min left']
    """
    if seconds is None:
        return "estimating the time left"
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"


def describe(status: IndexingStatus) -> str:
    """What the panel says of a job, one line.

    Example:
        >>> describe(IndexingStatus(1, "big.txt", "embedding", 0.42, 130))
        'Indexing big.txt: 42% · about 2 min left'
    """
    name = status.name
    if status.step == "reading":
        return f"Indexing {name}: reading the file{'s' if ', ' in name or name == 'all documents' else ''}"
    if status.step == "saving":
        return f"Indexing {name}: saving the index"
    if status.step == "cancelling":
        return f"Cancelling the indexing of {name}"
    return f"Indexing {name}: {int(100 * status.done)}% · {time_left(status.seconds_left)}"


def render_indexing(status: IndexingStatus | None) -> str:
    """The panel's HTML: the line of `describe` above a progress bar; empty when nothing runs.

    Example:
        >>> render_indexing(None)
        ''
    """
    if status is None:
        return ""
    value = int(1000 * status.done)
    return (
        f'<div class="qa-indexing-line">{html.escape(describe(status))}</div>'
        f'<progress class="qa-indexing-bar" max="1000" value="{value}" '
        f'aria-label="{html.escape(describe(status), quote=True)}"></progress>'
    )
