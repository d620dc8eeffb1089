"""The page's stylesheet and script, kept as files beside this module.

`page.js` handles clicks on citations (`[n]` in an answer, or its card), scrolls the
document viewer's own box to its highlight (never the page), and shows each new answer
from its question down; on a phone it opens a citation in a sheet over the chat and puts
a row of 44 px citation buttons under each answer. `documents.js` runs the Documents list's Remove buttons and their
questions (`qa.serving.web.documents`).
"""

from __future__ import annotations

from importlib import resources


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


CSS = _asset("page.css")
# Gradio runs it once when the page loads (the `js=` of `launch`).
APP_JS = _asset("page.js")
# Gradio runs it once for the Documents list (the `js_on_load` of its `gr.HTML`).
DOCUMENTS_JS = _asset("documents.js")
