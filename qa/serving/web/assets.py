"""The page's stylesheet and script, kept as files beside this module.

`page.js` handles clicks on citations (`[n]` in an answer, or its card), scrolls the
document viewer's own box to its highlight (never the page), and shows each new answer
from its question down. `documents.js` runs the Documents list's Remove buttons and their
questions (`qa.serving.web.documents`). `conversations.js` runs the past conversations'
Open, Rename, Delete and "Forget them all" (`qa.serving.web.conversations`), `header.js`
the header's button that opens the Documents tab; `chats.css` styles both.
"""

from __future__ import annotations

from importlib import resources


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


# page.css, then the past conversations' and the header's own rules (chats.css).
CSS = _asset("page.css") + _asset("chats.css")
# Gradio runs it once when the page loads (the `js=` of `launch`).
APP_JS = _asset("page.js")
# Gradio runs it once for the Documents list (the `js_on_load` of its `gr.HTML`).
DOCUMENTS_JS = _asset("documents.js")
# Gradio runs it once for the past conversations panel (`qa.serving.web.conversations`).
CONVERSATIONS_JS = _asset("conversations.js")
# Gradio runs it once for the line under the title (`qa.serving.web.header`).
HEADER_JS = _asset("header.js")
