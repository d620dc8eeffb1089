"""The page's stylesheet and script, kept as files beside this module.

`page.js` handles clicks on citations (`[n]` in an answer, or its card), scrolls the
document viewer's own box to its highlight (never the page), and shows each new answer
from its question down; on a phone it opens a citation in a sheet over the chat and puts
a row of 44 px citation buttons under each answer. `pages.js` scrolls a PDF's page image
to the citation's box (`qa.serving.web.pages`, styled by `pages.css`). `documents.js` runs the Documents list's Remove buttons and their
questions (`qa.serving.web.documents`). `conversations.js` runs the past conversations'
Open, Rename, Delete and "Forget them all" (`qa.serving.web.conversations`), `header.js`
the header's button that opens the Documents tab; `chats.css` styles both. `local-times.js`,
put before the two lists' scripts, shows their times in the reader's time zone and tells a
script when its list was drawn anew.
"""

from __future__ import annotations

from importlib import resources


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


# page.css, the PDF page view's rules (pages.css), the past conversations' and the header's (chats.css).
CSS = _asset("page.css") + _asset("pages.css") + _asset("chats.css")
# Gradio runs it once when the page loads (the `js=` of `launch`): each script is a function.
APP_JS = f"() => {{ ({_asset('page.js')})(); ({_asset('pages.js')})(); }}"
# Gradio runs it once for the Documents list (the `js_on_load` of its `gr.HTML`); both lists
# show times in the reader's time zone (`local-times.js`).
DOCUMENTS_JS = _asset("local-times.js") + _asset("documents.js")
# Gradio runs it once for the past conversations panel (`qa.serving.web.conversations`).
CONVERSATIONS_JS = _asset("local-times.js") + _asset("conversations.js")
# Gradio runs it once for the line under the title (`qa.serving.web.header`).
HEADER_JS = _asset("header.js")
