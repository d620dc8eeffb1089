"""The qa web app: a chat whose every answer shows its evidence, a documents panel, and `/ask`.

Only UI lives here: answers and document operations come from the `qa` package, the
same functions the CLI and Python users call. Start it with `make run`
(http://127.0.0.1:7860). Document text is always escaped and shown as its characters:
nothing in a document runs, renders as Markdown or loads. Beyond loopback it serves only
with a login (`QA_AUTH`), or when told to serve anyone (`QA_ALLOW_OPEN=1`).
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from qa import QAError, answer  # noqa: E402
from qa.collection import add_documents, default_collection, list_documents, reindex_all, remove_document  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.documents import SUPPORTED_SUFFIXES, page_of  # noqa: E402
from qa.index import default_index  # noqa: E402
from qa.language import preload_language_models  # noqa: E402
from qa.results import Answer, Citation  # noqa: E402

logger = logging.getLogger("qa.app")

EXAMPLES = [
    "Quand Poutine ira-t-il à Pyongyang ?",
    "When was the friendship treaty signed?",
    "¿Cuándo viajó Kim al Lejano Oriente ruso?",
    "Welche Bereiche umfassen die Gespräche laut dem Kreml-Berater?",
    "Chi ha invitato Putin in Corea del Nord?",
]

CSS = """
.qa-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0;}
.qa-card-head {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px;}
.qa-card-head b {color: var(--body-text-color);}
.qa-passage {white-space: pre-wrap; line-height: 1.5;}
.qa-passage mark, .qa-doc mark {background: #ffe066; color: #000; padding: 0 2px; border-radius: 3px;}
.qa-doc {white-space: pre-wrap; line-height: 1.6; max-height: 520px; overflow-y: auto; padding: 8px;}
.qa-score {float: right;}
#qa-chat .message-markdown-disabled {white-space: pre-wrap;}
"""

# Scroll the document viewer to its highlight once the new document has rendered.
SCROLL_TO_HIGHLIGHT = """() => {
  let tries = 0;
  const scroll = () => {
    const mark = document.querySelector('#qa-viewer mark');
    if (mark) { mark.scrollIntoView({block: 'center'}); } else if (tries++ < 20) { setTimeout(scroll, 100); }
  };
  setTimeout(scroll, 100);
}"""


def _settings() -> Settings:
    return Settings.from_env()


def _chat_message(role: str, text: str) -> dict:
    """A chat message that shows `text` character for character.

    The chatbot renders no Markdown or LaTeX (`render_markdown=False`, no LaTeX delimiters)
    but still reads a message as HTML (sanitized), so the text is HTML-escaped; the CSS keeps
    its line breaks and spaces. A text part rather than a string: Gradio passes a string
    through `inspect.cleandoc`, which expands tabs and strips indentation.
    """
    return {"role": role, "content": {"type": "text", "text": html.escape(text, quote=False)}}


def _message_text(message) -> str | None:
    """The plain text of a chat message made by `_chat_message`, as Gradio hands it back."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):  # Gradio hands content back as a list of parts
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return html.unescape(content) if isinstance(content, str) else None


def _history(messages: list[dict] | None) -> list[dict]:
    """Chat messages as `answer`'s history: role and plain-text content."""
    turns = []
    for message in messages or []:
        text = _message_text(message)
        if text is not None and message.get("role") in ("user", "assistant"):
            turns.append({"role": message["role"], "content": text})
    return turns


# --- rendering (everything from documents goes through html.escape) ----------------------


def _highlighted(text: str, start: int, end: int) -> str:
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def _passage_around(result: Answer, citation: Citation) -> tuple[str, int, int]:
    """The retrieved passage holding a citation, and the citation's place in it."""
    for passage in result.passages:
        if passage.source == citation.source and passage.start <= citation.start and citation.end <= passage.end:
            return passage.text, citation.start - passage.start, citation.end - passage.start
    return citation.text, 0, len(citation.text)


def render_cards(result: Answer | None) -> str:
    if result is None:
        return ""
    if result.abstained:
        return f"<div class='qa-card'><div class='qa-card-head'>No citation</div>{html.escape(result.text)}</div>"
    cards = []
    index = default_index(_settings())
    for n, citation in enumerate(result.citations, start=1):
        text, start, end = _passage_around(result, citation)
        page = page_of(index.document_text(citation.source), citation.start) if citation.source in index.sources else None
        where = f"page {page} · " if page else ""
        cards.append(
            f"<div class='qa-card' data-citation='{n}'><div class='qa-card-head'><b>[{n}] {html.escape(Path(citation.source).name)}</b>"
            f" · {where}characters {citation.start}–{citation.end}</div>"
            f"<div class='qa-passage'>{_highlighted(text, start, end)}</div></div>"
        )
    return "".join(cards)


def render_passages(result: Answer | None) -> str:
    if result is None or not result.passages:
        return ""
    rows = []
    for rank, passage in enumerate(result.passages, start=1):
        rows.append(
            f"<div class='qa-card'><div class='qa-card-head'><b>#{rank} {html.escape(Path(passage.source).name)}</b>"
            f" · characters {passage.start}–{passage.end}<span class='qa-score'>score {passage.score:.3f}</span></div>"
            f"<div class='qa-passage'>{html.escape(passage.text)}</div></div>"
        )
    return "".join(rows)


def render_document(source: str, start: int, end: int) -> str:
    index = default_index(_settings())
    text = index.document_text(source)
    return (
        f"<div class='qa-card-head'><b>{html.escape(Path(source).name)}</b> · characters {start}–{end}</div>"
        f"<div class='qa-doc'>{_highlighted(text, start, end)}</div>"
    )


# --- events ---------------------------------------------------------------------------------


def respond(message: str, history: list[dict]):
    """Answer the typed question; returns chat, cards, passages, citation choices, last answer."""
    history = list(history or [])
    if not (message or "").strip():
        return history, gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
    try:
        result = answer(message, history=_history(history), settings=_settings())
    except QAError as exc:
        history += [_chat_message("user", message), _chat_message("assistant", str(exc))]
        return history, "", "", gr.update(choices=[], value=None), None, ""
    history += [_chat_message("user", message), _chat_message("assistant", result.text)]
    choices = [(f"[{n}] {Path(c.source).name}", n) for n, c in enumerate(result.citations, start=1)]
    return (
        history,
        render_cards(result),
        render_passages(result),
        gr.update(choices=choices, value=choices[0][1] if choices else None),
        _answer_state(result),
        "",
    )


def _answer_state(result: Answer) -> dict:
    return {"citations": [{"source": c.source, "start": c.start, "end": c.end} for c in result.citations]}


def open_citation(choice, state):
    if not state or not choice:
        return "<p>Ask a question, then open one of its citations here.</p>"
    citation = state["citations"][int(choice) - 1]
    try:
        return render_document(citation["source"], citation["start"], citation["end"])
    except QAError as exc:
        return f"<p>{html.escape(str(exc))}</p>"


def retry(history: list[dict]):
    """Ask the last question again."""
    history = list(history or [])
    while history and history[-1].get("role") == "assistant":
        history.pop()
    if not history:
        return respond("", [])
    return respond(_message_text(history.pop()) or "", history)


def status_line() -> str:
    """What is loaded: shown under the title, so a person knows the app is ready."""
    collection = default_collection(_settings())
    index = collection.index()
    count = len(index.documents)
    line = (
        f"Ready · {count} document{'s' if count > 1 else ''} indexed · model: {html.escape(index.model)}"
        if count
        else "Ready · no documents yet: add one in the Documents tab."
    )
    # A file of the folders that could not be read is left out, and said so.
    skipped = "".join(f"\n\nSkipped (not indexed): {html.escape(item.reason)}" for item in collection.skipped)
    return line + skipped


def documents_table() -> list[list]:
    try:
        docs = list_documents(settings=_settings())
    except QAError as exc:
        logger.warning("%s", exc)
        return []
    return [[d.name, d.characters, "uploaded" if d.uploaded else "corpus"] for d in docs]


def _removable() -> gr.update:
    docs = [d for d in list_documents(settings=_settings()) if d.uploaded]
    return gr.update(choices=[(d.name, d.source) for d in docs], value=None)


def upload(files, progress=gr.Progress()):
    if not files:
        return gr.skip(), gr.skip(), gr.skip()
    paths = [f if isinstance(f, str) else f.name for f in files]
    names = [Path(p).name for p in paths]
    progress(0.1, desc=f"Indexing {len(paths)} document(s)")
    try:
        add_documents(paths, names=names, settings=_settings())
        status = f"Added {', '.join(names)}: searchable now."
    except QAError as exc:
        status = f"Nothing was added. {exc}"
    progress(1.0)
    return html.escape(status), documents_table(), _removable()


def remove(source):
    if not source:
        return "Choose an uploaded document to remove.", gr.skip(), gr.skip()
    try:
        remove_document(source, settings=_settings())
        status = f"Removed {Path(source).name}."
    except QAError as exc:
        status = str(exc)
    return html.escape(status), documents_table(), _removable()


def reindex(progress=gr.Progress()):
    progress(0.1, desc="Re-indexing every document")
    try:
        index = reindex_all(settings=_settings())
        status = f"Re-indexed {len(index.documents)} document(s)."
    except QAError as exc:
        status = str(exc)
    return html.escape(status), documents_table(), _removable()


def ask(question: str, k: int = 5, history: list[dict] | None = None) -> dict:
    """Answer a question; the same JSON object as `qa ask --json`."""
    try:
        result = answer(question, int(k), history=_history(history or []), settings=_settings())
    except QAError as exc:
        raise gr.Error(str(exc)) from None
    return result.to_dict(question)


def build_app() -> gr.Blocks:
    settings = _settings()
    with gr.Blocks(title="qa: cited answers from your documents") as app:
        gr.Markdown(
            "# qa\nAsk in any language about the documents, even in another language. "
            "Every answer quotes them: each `[n]` below is highlighted inside its passage."
        )
        ready = gr.Markdown("Loading the model and the index...", elem_id="qa-ready")
        last_answer = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                # Quotes must show as their characters: no Markdown, no LaTeX (see _chat_message).
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=380,
                    elem_id="qa-chat",
                    render_markdown=False,
                    latex_delimiters=[],
                    sanitize_html=True,
                    allow_tags=False,
                )
                question = gr.Textbox(placeholder="Ask a question and press Enter", show_label=False, elem_id="qa-question")
                with gr.Row():
                    send = gr.Button("Ask", variant="primary")
                    retry_button = gr.Button("Retry")
                    clear = gr.Button("Clear")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
                gr.Markdown("### Evidence")
                cards = gr.HTML(elem_id="qa-cards")
                with gr.Accordion("All retrieved passages", open=False):
                    passages = gr.HTML(elem_id="qa-passages")
            with gr.Column(scale=2):
                with gr.Tab("Document"):
                    citation_choice = gr.Radio(label="Open the document at citation", choices=[], elem_id="qa-open")
                    viewer = gr.HTML("<p>Ask a question, then open one of its citations here.</p>", elem_id="qa-viewer")
                with gr.Tab("Documents"):
                    table = gr.Dataframe(
                        headers=["document", "characters", "from"], value=documents_table, interactive=False
                    )
                    files = gr.File(
                        label=f"Add documents ({', '.join(SUPPORTED_SUFFIXES)}; up to {settings.max_upload_mb} MB each)",
                        file_count="multiple",
                        file_types=list(SUPPORTED_SUFFIXES),
                        elem_id="qa-upload",
                    )
                    status = gr.Markdown(elem_id="qa-status")
                    removable = gr.Dropdown(label="Uploaded document", choices=[], elem_id="qa-remove-choice")
                    with gr.Row():
                        remove_button = gr.Button("Remove")
                        reindex_button = gr.Button("Re-index all")

        outputs = [chatbot, cards, passages, citation_choice, last_answer, question]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, chatbot], outputs, api_visibility="private").then(
                open_citation, [citation_choice, last_answer], viewer, api_visibility="private"
            ).then(None, js=SCROLL_TO_HIGHLIGHT)
        retry_button.click(retry, [chatbot], outputs, api_visibility="private")
        clear.click(lambda: ([], "", "", gr.update(choices=[], value=None), None, ""), None, outputs, api_visibility="private")
        citation_choice.input(open_citation, [citation_choice, last_answer], viewer, api_visibility="private").then(
            None, js=SCROLL_TO_HIGHLIGHT
        )
        for trigger, handler, inputs in (
            (files.upload, upload, [files]),
            (remove_button.click, remove, [removable]),
            (reindex_button.click, reindex, None),
        ):
            trigger(handler, inputs, [status, table, removable], api_visibility="private").then(
                status_line, None, ready, api_visibility="private"
            )
        app.load(_removable, None, removable, api_visibility="private")
        app.load(status_line, None, ready, api_visibility="private")
        gr.api(ask, api_name="ask")
    return app


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only: `localhost` or a loopback address."""
    if host.strip().rstrip(".").lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return False  # any other name may resolve beyond this machine
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def check_access(settings: Settings) -> None:
    """Refuse to serve beyond loopback without a login, unless `QA_ALLOW_OPEN=1` asks for it.

    Anyone who reaches the app can upload, remove and re-index documents, in the page or
    over HTTP, so an open app on a network is a choice to spell out, not a default.
    """
    if settings.credentials or is_loopback(settings.host):
        return
    if not settings.allow_open:
        raise QAError(
            f"QA_HOST={settings.host} is not a loopback address and QA_AUTH is not set, so anyone who reaches "
            "the app could upload and remove documents: set QA_AUTH=user:password to require a login, "
            "or QA_ALLOW_OPEN=1 to serve it open anyway."
        )
    logger.warning(
        "Serving %s without a login (QA_ALLOW_OPEN=1): anyone who reaches it can upload and remove documents.",
        settings.host,
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Settings and access are checked before anything slow loads, and a bad one is one line, not a traceback.
    try:
        settings = _settings()
        check_access(settings)
    except QAError as exc:
        logger.error("%s", exc)
        raise SystemExit(2) from None
    logger.info("Loading the model and the index (about 10 s)...")
    try:
        index = default_index(settings)
        preload_language_models()
        if index.documents:
            answer("warm-up", index=index, settings=settings)
    except QAError as exc:
        logger.error("%s", exc)
        raise SystemExit(1) from None
    app = build_app()
    logger.info("Ready on http://%s:%d", settings.host, settings.port)
    app.queue(default_concurrency_limit=4).launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=settings.credentials,
        max_file_size=f"{settings.max_upload_mb}mb",
        css=CSS,
    )


if __name__ == "__main__":
    main()
