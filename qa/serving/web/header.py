"""The line under the title that says what is indexed: the documents by name when there
are one or two, else how many, as a button that opens the Documents tab (`header.js`).

Names are what people uploaded, so each goes through ``html.escape``.
"""

from __future__ import annotations

import html

# Named in the line up to this many; more are counted.
NAMED_DOCUMENTS = 2
# The button that opens the Documents tab (`header.js` finds it by its class).
_OPEN_DOCUMENTS = "<button type='button' class='qa-open-documents' title='Open the Documents tab'>{}</button>"


def documents_indexed(names: list[str]) -> str:
    """What is indexed, as HTML: "<name> indexed", "<a> and <b> indexed", "<N documents>
    indexed" (a button), or that nothing is yet.

    Example:
        >>> documents_indexed(["a<b>.txt"])
        "<span class='qa-name'>a&lt;b&gt;.txt</span> indexed"
        >>> documents_indexed(["a.txt", "b.txt", "c.txt"])
        "<button type='button' class='qa-open-documents' title='Open the Documents tab'>3 documents</button> indexed"
    """
    if not names:
        return f"no documents yet: add one in the {_OPEN_DOCUMENTS.format('Documents')} tab."
    if len(names) > NAMED_DOCUMENTS:
        return f"{_OPEN_DOCUMENTS.format(f'{len(names):,} documents')} indexed"
    return " and ".join(f"<span class='qa-name'>{html.escape(name)}</span>" for name in names) + " indexed"
