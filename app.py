"""The qa web app: a chat whose every answer shows its evidence, a documents panel, and `/ask`.

Only UI lives here: answers and document operations come from the `qa` package, the
same functions the CLI and Python users call. Start it with `make run`
(http://127.0.0.1:7860). Document text is always escaped and shown as its characters:
nothing in a document runs, renders as Markdown or loads. Beyond loopback it serves only
with a login (`QA_AUTH`), or when told to serve anyone (`QA_ALLOW_OPEN=1`).

Past conversations are kept in the browser (its local storage, `gr.BrowserState`); the
server keeps none.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from qa import QAError, answer  # noqa: E402
from qa.storing.collection import (  # noqa: E402
    add_documents,
    default_collection,
    list_documents,
    reindex_all,
    remove_document,
)
from qa.config import Settings, is_loopback  # noqa: E402
from qa.reading.documents import SUPPORTED_SUFFIXES  # noqa: E402
from qa.errors import DocumentExistsError, IndexingCancelled, StoreUnavailableError  # noqa: E402
from qa.ask import stream_answer  # noqa: E402
from qa.storing.collection import default_index  # noqa: E402
from qa.text.language import detect_language, preload_language_models  # noqa: E402
from qa.text.messages import message  # noqa: E402
from qa.serving.rest import API_PREFIX, MAX_K, SameOrigin, rest_routes  # noqa: E402
from qa.serving.mode import CONNECT_HINT, answering_mode  # noqa: E402
from qa.results import Answer, document_name  # noqa: E402
from qa.serving.web.assets import APP_JS, CONVERSATIONS_JS, CSS, DOCUMENTS_JS, HEADER_JS  # noqa: E402
from qa.serving.web.evidence import (  # noqa: E402
    evidence_entry,
    render_cards,
    render_document,
    render_passages,
    render_reply_head,
    valid_entry,
    without_reply_head,
)
from qa.serving.web.documents import render_documents  # noqa: E402
from qa.serving.web.conversations import (  # noqa: E402
    MAX_CONVERSATIONS,
    conversations,
    is_id,
    new_id,
    now,
    render_conversations,
    renamed,
    title_of,
    without,
)
from qa.serving.web.examples import example_questions  # noqa: E402
from qa.serving.web.header import documents_indexed  # noqa: E402
from qa.serving.web.progress import render_indexing  # noqa: E402

logger = logging.getLogger("qa.app")

# Past conversations live in the browser's local storage, and so does which one is on
# screen (a reload brings it back). The storage keys and secret are fixed so that they
# survive a restart of the app; the secret is sent with the page, so it scrambles the
# stored text and protects nothing.
CONVERSATIONS_KEY = "qa-conversations"
CURRENT_KEY = "qa-current-conversation"
CONVERSATIONS_SECRET = "qa-conversations-in-this-browser"

VIEWER_EMPTY = "<p>Ask a question, then click a citation [n] in the answer or its card to open the document there.</p>"
VIEWER_NO_CITATION = "<p>This answer quotes nothing, so there is no document to open.</p>"

# The values of the upload handlers (`_listing_after_add`).
_ADDING_OUTPUTS = 8
# How often every tab asks how far the indexing under way is (`indexing_tick`).
INDEXING_TICK_S = 1.0

TOGGLE_HISTORY = "() => document.querySelector('#qa-history .toggle-button')?.click()"


def _settings() -> Settings:
    return Settings.from_env()


def _chat_message(role: str, text: str, head: str = "") -> dict:
    """A chat message that shows `text` character for character, under `head` (HTML).

    The chatbot renders no Markdown or LaTeX (`render_markdown=False`, no LaTeX delimiters)
    but still reads a message as HTML (sanitized), so the text is HTML-escaped; the CSS keeps
    its line breaks and spaces. A text part rather than a string: Gradio passes a string
    through `inspect.cleandoc`, which expands tabs and strips indentation.
    """
    return {"role": role, "content": {"type": "text", "text": head + html.escape(text, quote=False)}}


def _reply_message(text: str, entry: dict | None) -> dict:
    """An answer in the chat: its status and short answer (`render_reply_head`), then its text."""
    return _chat_message("assistant", text, render_reply_head(entry))


def _message_text(message) -> str | None:
    """The plain text of a chat message made by `_chat_message`, as Gradio hands it back
    (without its head: the text the answer gave)."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):  # Gradio hands content back as a list of parts
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return html.unescape(without_reply_head(content)) if isinstance(content, str) else None


def _history(messages: list[dict] | None) -> list[dict]:
    """Chat messages as `answer`'s history: role and plain-text content."""
    turns = []
    for message in messages or []:
        text = _message_text(message)
        if text is not None and message.get("role") in ("user", "assistant"):
            turns.append({"role": message["role"], "content": text})
    return turns


def show_evidence(answers: list[dict], number: int | None, citation: int | None = 1, *, reveal: bool = False) -> tuple:
    """What the evidence pane shows for answer ``number`` (0-based) opened at ``citation``.

    Returns:
        cards, passages, the citation chooser, the document viewer, the answer shown.
    """
    if number is None or not 0 <= number < len(answers):
        return "", "", gr.update(choices=[], value=None), VIEWER_EMPTY, None
    entry = answers[number]
    citations = entry["citations"]
    if not citations:
        citation = None
    elif not (citation and 1 <= citation <= len(citations)):
        citation = 1
    choices = [(f"[{n}] {Path(c['source']).name}", n) for n, c in enumerate(citations, start=1)]
    viewer = render_document(citations[citation - 1], reveal=reveal) if citation else VIEWER_NO_CITATION
    if entry.get("error"):
        viewer = VIEWER_EMPTY
    return (
        render_cards(entry, number, citation),
        render_passages(entry),
        gr.update(choices=choices, value=citation),
        viewer,
        number,
    )


def _cleared_evidence() -> tuple:
    return show_evidence([], None)


# --- chat events ----------------------------------------------------------------------------


# Shown after a reply that a language model is still writing (not yet checked).
WRITING_MARK = " ▍"


def respond(question: str, chat: list[dict], answers: list[dict], k: int | None = None):
    """Answer the typed question (from ``k`` passages; default `QA_TOP_K`); with a language
    model (`QA_LLM_URL`), its reply streams into the chat, then gives way to the checked one.

    Yields:
        chat, answers, the question box (emptied), then `show_evidence`'s five values.
    """
    chat, answers = list(chat or []), list(answers or [])
    if not (question or "").strip():
        yield (gr.skip(),) * 8
        return
    # A reply the new question cut short (its stream was cancelled) keeps its quoted answer.
    chat, answers = _settled(chat, answers) or (chat, answers)
    asked = chat + [_chat_message("user", question)]
    try:
        result, pending = None, None
        for item in stream_answer(question, k, history=_history(chat), settings=_settings()):
            if isinstance(item, Answer):
                result = item
                break
            # While it streams, the extractive answer waits in the evidence entry: Stop shows it.
            pending = pending or {**evidence_entry(question, item.fallback), "pending_reply": item.fallback.text}
            yield (asked + [_chat_message("assistant", item.text + WRITING_MARK)], answers + [pending], "", *(gr.skip(),) * 5)
        reply, entry = result.text, evidence_entry(question, result)
    except QAError as exc:
        reply, entry = str(exc), evidence_entry(question, error=str(exc))
    answers.append(entry)
    yield (asked + [_reply_message(reply, entry)], answers, "", *show_evidence(answers, len(answers) - 1))


def _settled(chat: list[dict], answers: list[dict]) -> tuple[list[dict], list[dict]] | None:
    """The conversation with a reply left half-written (stopped, or cancelled by a new
    question) replaced by its extractive answer and a note; None when none is pending."""
    if not answers or "pending_reply" not in (answers[-1] or {}) or not chat or chat[-1].get("role") != "assistant":
        return None
    entry = {key: value for key, value in answers[-1].items() if key != "pending_reply"}
    language = detect_language(_message_text(chat[-2]) or "") if len(chat) >= 2 else "en"
    reply = f"{answers[-1]['pending_reply']}\n\n({message(language, 'stopped')})"
    return chat[:-1] + [_reply_message(reply, entry)], answers[:-1] + [entry]


def stop(chat: list[dict], answers: list[dict]):
    """Stop a reply being written: the extractive answer takes its place, with a note."""
    settled = _settled(list(chat or []), list(answers or []))
    if settled is None:
        return (gr.skip(),) * 8
    chat, answers = settled
    return (chat, answers, gr.skip(), *show_evidence(answers, len(answers) - 1))


def retry(chat: list[dict], answers: list[dict], k: int | None = None):
    """Ask the last question again (from ``k`` passages): its answer and evidence are replaced.

    Shown only with a language model, whose reply may differ: without one the same question
    gets the same answer (`more_passages` asks it from more passages instead).
    """
    chat = list(chat or [])
    while chat and chat[-1].get("role") == "assistant":
        chat.pop()
    if not chat:
        yield (gr.skip(),) * 8
        return
    question = _message_text(chat.pop()) or ""
    kept = sum(1 for message in chat if message.get("role") == "assistant")
    yield from respond(question, chat, list(answers or [])[:kept], k)


def more_k(answers: list[dict] | None) -> int | None:
    """How many passages "More passages" asks for: twice as many as the last answer had
    (at least twice `QA_TOP_K`), `MAX_K` at most; None when it had `MAX_K` already."""
    had = len((answers or [{}])[-1].get("passages") or []) if answers and isinstance(answers[-1], dict) else 0
    if had >= MAX_K:
        return None
    return min(MAX_K, max(2 * had, 2 * _settings().top_k))


def more_passages(chat: list[dict], answers: list[dict]):
    """Ask the last question again from more passages (`more_k`): its answer and evidence are
    replaced, the list of passages opened.

    Yields:
        `retry`'s values, then the passages' list (opened).
    """
    k = more_k(answers)
    if k is None or not chat:
        yield (gr.skip(),) * 9
        return
    for values in retry(chat, answers, k):
        yield (*values, gr.skip())
    yield (*(gr.skip(),) * 8, gr.Accordion(open=True))


def new_chat():
    """A new, empty conversation; the one before stays among the past conversations.

    Returns:
        chat, answers, question box, `show_evidence`'s five values, conversation id.
    """
    return ([], [], "", *_cleared_evidence(), None)


def ask_example(sample) -> str:
    """The question of the example clicked (asked at once: `respond` follows)."""
    return str(sample[0]) if isinstance(sample, (list, tuple)) and sample else ""


def show_citation(reference: str, answers: list[dict], shown: int | None):
    """Open citation n of answer k ("k:n", from a click on `[n]` in the chat or on a card).

    n = 0 (a click elsewhere on an answer) shows that answer's evidence at its first citation.
    """
    match = re.fullmatch(r"(\d+):(\d+)", reference or "")
    if not match:
        return (gr.skip(),) * 6
    number, citation = (int(group) for group in match.groups())
    if not 0 <= number < len(answers or []) or (citation == 0 and number == shown):
        return (gr.skip(),) * 6
    tab = gr.Tabs(selected="document") if citation else gr.skip()
    return (*show_evidence(answers, number, citation or 1, reveal=citation > 0), tab)


def choose_citation(choice, answers: list[dict], shown: int | None):
    """Open the citation picked in the chooser, in the answer whose evidence is shown."""
    if shown is None or not choice:
        return (gr.skip(),) * 5
    return show_evidence(answers, shown, int(choice))


# --- past conversations (in the browser only) -----------------------------------------------


def past_list(saved, current: str | None = None) -> str:
    """The past conversations panel (`render_conversations`), the one on screen marked."""
    return render_conversations(saved, current)


def save_conversation(chat: list[dict], answers: list[dict], conversation: str | None, saved):
    """Put the current conversation first among the past ones (stored by the browser), with
    the time now; a title given to it is kept.

    Returns:
        the conversation id, the saved conversations, the past conversations list.
    """
    turns = [{"role": turn["role"], "text": turn["content"]} for turn in _history(chat)]
    if not turns:
        return gr.skip(), gr.skip(), gr.skip()
    kept = conversations(saved)
    conversation = conversation if is_id(conversation) else new_id()
    before = next((c for c in kept if c["id"] == conversation), {})
    question = next((turn["text"] for turn in turns if turn["role"] == "user"), "")
    saved = [c for c in kept if c["id"] != conversation]
    title = before.get("title") if isinstance(before.get("title"), str) and before.get("title") else title_of(question)
    saved.insert(0, {"id": conversation, "title": title, "updated": now(), "turns": turns, "answers": list(answers or [])})
    saved = saved[:MAX_CONVERSATIONS]
    return conversation, saved, past_list(saved, conversation)


def load_conversation(conversation: str | None, saved):
    """Return to a past conversation: its chat, its answers' evidence, the last one shown.

    Returns:
        chat, answers, conversation id, `show_evidence`'s five values.
    """
    for item in conversations(saved):
        if item["id"] == conversation:
            turns = [
                t for t in item.get("turns") or [] if isinstance(t, dict) and t.get("role") in ("user", "assistant")
            ]
            stored = item.get("answers") if isinstance(item.get("answers"), list) else []
            replies = sum(1 for t in turns if t["role"] == "assistant")
            answers = [valid_entry(e) for e in stored[:replies]]
            answers += [evidence_entry("", error="(no evidence)")] * (replies - len(answers))
            entries = iter(answers)
            chat = [
                _reply_message(str(t.get("text", "")), next(entries))
                if t["role"] == "assistant"
                else _chat_message(t["role"], str(t.get("text", "")))
                for t in turns
            ]
            return (chat, answers, conversation, *show_evidence(answers, len(answers) - 1 if answers else None))
    return (gr.skip(),) * 8


def restore_conversation(conversation: str | None, saved):
    """On (re)loading the page: the conversation that was on screen comes back, with its
    evidence, and the past conversations are listed.

    Returns:
        `load_conversation`'s values (an empty chat when there is none to restore), the list.
    """
    restored = load_conversation(conversation, saved)
    if restored[2] is not conversation:  # not among the saved ones (forgotten, or none)
        restored = ([], [], None, *_cleared_evidence())
    return (*restored, past_list(saved, restored[2]))


def _sent(event: gr.EventData, key: str):
    """What the page sent with an event under ``key``, or None."""
    try:
        return getattr(event, key)
    except (AttributeError, TypeError):  # not sent (or nothing sent)
        return None


def conversation_chosen(event: gr.EventData, conversation: str | None, saved):
    """What the past conversations panel sent (`conversations.js`): open, rename or delete
    one, or forget them all. A conversation deleted or forgotten while on screen gives way
    to a new, empty one.

    Returns:
        chat, answers, conversation id, `show_evidence`'s five values, the saved
        conversations, the list.
    """
    sent = {key: _sent(event, key) for key in ("open", "rename", "title", "delete", "forget")}
    unchanged = (gr.skip(),) * 8
    emptied = ([], [], None, *_cleared_evidence())
    chosen = sent["open"] or sent["rename"] or sent["delete"]
    if sent["forget"]:
        return (*(emptied if conversation else unchanged), [], past_list([]))
    if not isinstance(chosen, str) or not any(c["id"] == chosen for c in conversations(saved)):
        return (*unchanged, gr.skip(), past_list(saved, conversation))  # gone meanwhile: the list is redrawn
    if sent["open"]:
        return (*load_conversation(chosen, saved), gr.skip(), past_list(saved, chosen))
    if sent["rename"]:
        saved = renamed(saved, chosen, sent["title"])
        return (*unchanged, saved, past_list(saved, conversation))
    saved = without(saved, chosen)
    return (*(emptied if chosen == conversation else unchanged), saved, past_list(saved, None if chosen == conversation else conversation))


# --- documents panel ------------------------------------------------------------------------


def status_line() -> str:
    """What is loaded, as HTML: shown under the title, so a person knows the app is ready
    and what it answers from (the documents by name, or how many: `documents_indexed`)."""
    collection = default_collection(_settings())
    try:
        index = collection.index()
    except QAError as exc:  # e.g. Milvus unreachable: said in the page, and the app keeps running
        return html.escape(str(exc))
    names = [document_name(document.source) for document in index.documents]
    line = f"Ready · {documents_indexed(names)}"
    if names:
        line += f"<span class='qa-model'> · model: {html.escape(index.model)}</span>"  # (not on a phone: chats.css)
    indexing = collection.indexing
    if indexing is not None:  # shown in every tab, whatever its view: how far is in the Documents tab
        line += f" · indexing {html.escape(indexing.name)} (see Documents)"
    # A file of the folders that could not be read is left out, and said so.
    skipped = "".join(
        f"<br>Skipped (not indexed): {html.escape(item.reason.replace(item.path, document_name(item.path)))}"
        for item in collection.skipped
    )
    return line + skipped


def examples_now() -> dict:
    """The example questions for the documents indexed now (`example_questions`), hidden
    when there are none."""
    try:
        questions = example_questions(list_documents(settings=_settings()))
    except QAError as exc:  # the ready line says why
        logger.warning("%s", exc)
        questions = []
    return gr.update(samples=[[q] for q in questions], visible=bool(questions))


def documents_table() -> str:
    """The Documents list (`render_documents`): name, sections, size, time added, where from,
    and a Remove button for each upload. Documents are named, never by their server paths."""
    try:
        docs = list_documents(settings=_settings())
    except QAError as exc:
        logger.warning("%s", exc)
        return f"<p>{html.escape(str(exc))}</p>"
    return render_documents(docs)


def _indexing_panel() -> tuple:
    """The indexing panel as it is now (shown with the job under way, else hidden): what a
    handler that indexed sets it to when it ends, rather than leave it to the next tick."""
    status = default_collection(_settings()).indexing
    return gr.update(visible=status is not None), render_indexing(status)


def _listing_after_add(status: str, asking: dict | None = None) -> tuple:
    """What the panel shows after an upload: the status, the Documents list, the indexing
    panel (as it is now), the upload box (emptied: nothing waits in it), the upload waiting
    for an answer, and the question that asks for it (shown only while one waits)."""
    if asking is not None:
        taken = asking["taken"]
        question = f"{taken[0]} exists. Replace it?" if len(taken) == 1 else f"{', '.join(taken)} exist. Replace them?"
        # The status line is emptied: the question takes its place, no older message stays.
        return "", gr.skip(), *_indexing_panel(), None, asking, gr.update(visible=True), html.escape(question)
    return html.escape(status), documents_table(), *_indexing_panel(), None, None, gr.update(visible=False), ""


def _add(paths: list[str], names: list[str], *, replace: bool = False, kept: tuple[str, ...] = ()):
    """Add the files and say what became of them (`_listing_after_add`'s values); a name
    already uploaded is asked about first.

    The status line is emptied first: while the files are indexed, the indexing panel
    (`indexing_tick`) is the one thing that shows how far, in this tab as in every other.
    """
    # status, list, panel, panel text, upload box, waiting upload, question box, question
    yield "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), None, gr.update(visible=False), ""
    try:
        add_documents(paths, names=names, replace=replace, settings=_settings())
    except DocumentExistsError as exc:
        yield _listing_after_add("", {"paths": paths, "names": names, "taken": list(exc.names)})
        return
    except IndexingCancelled:
        yield _listing_after_add("Cancelled: nothing was added; the documents are as they were.")
        return
    except QAError as exc:
        yield _listing_after_add(f"Nothing was added. {exc}")
        return
    replaced = [name for name in names if name in kept] if replace else []
    added = [name for name in names if name not in replaced]
    said = []
    if replaced:
        said.append(f"Replaced {', '.join(replaced)}")
    if added:
        said.append(f"{'added' if said else 'Added'} {', '.join(added)}")
    status = f"{'; '.join(said)}: searchable now."
    if kept and not replace:  # both kept: the new ones under free names
        status += f" {_kept(kept)}."
    yield _listing_after_add(status)


def _kept(names: tuple[str, ...] | list[str]) -> str:
    return f"{names[0]} is kept as it was" if len(names) == 1 else f"{', '.join(names)} are kept as they were"


def upload(files):
    """Add the uploaded files; a name already uploaded is asked about first (Replace,
    Keep both, Cancel). Yields `_listing_after_add`'s values."""
    if not files:
        yield (gr.skip(),) * _ADDING_OUTPUTS
        return
    paths = [f if isinstance(f, str) else f.name for f in files]
    yield from _add(paths, [Path(p).name for p in paths])


def replace_pending(asking: dict | None):
    """Replace: the waiting upload takes the place of the documents of the same names."""
    if not asking:
        yield (gr.skip(),) * _ADDING_OUTPUTS
        return
    yield from _add(asking["paths"], asking["names"], replace=True, kept=tuple(asking["taken"]))


def keep_both(asking: dict | None):
    """Keep both: the waiting upload is added under free names (`lemon-cake-1.txt`)."""
    if not asking:
        yield (gr.skip(),) * _ADDING_OUTPUTS
        return
    collection = default_collection(_settings())
    names = [collection.free_name(name) for name in asking["names"]]
    yield from _add(asking["paths"], names, kept=tuple(asking["taken"]))


def cancel_pending(asking: dict | None):
    """Cancel: the waiting upload is dropped, the documents stay as they were."""
    if not asking:
        return (gr.skip(),) * _ADDING_OUTPUTS
    return _listing_after_add(f"Nothing was added: {_kept(asking['taken'])}.")


def remove(name):
    """Remove the uploaded document of that name (as the Documents list names it).

    Returns:
        the status line, the Documents list.
    """
    if not name:
        return "Choose an uploaded document to remove.", gr.skip()
    try:
        uploads = [d for d in list_documents(settings=_settings()) if d.uploaded and d.name == name]
        if uploads:
            remove_document(uploads[0].source, settings=_settings())
            status = f"Removed {name}."
        else:
            status = f"{name} is no longer an uploaded document: the list is up to date now."
    except QAError as exc:
        status = str(exc)
    return html.escape(status), documents_table()


def remove_chosen(event: gr.EventData):
    """A Yes in the Documents list: remove the upload it names (`documents.js` sends the name)."""
    try:
        name = event.remove  # what the page sent with the event
    except (AttributeError, TypeError):  # sent without a name
        name = None
    return remove(name) if isinstance(name, str) else (gr.skip(), gr.skip())


def reindex():
    """Re-index all: the status line is emptied while the indexing panel shows how far.

    Yields:
        the status line, the Documents list, the indexing panel and its text.
    """
    yield "", gr.skip(), gr.skip(), gr.skip()
    try:
        index = reindex_all(settings=_settings())
        status = f"Re-indexed {len(index.documents)} document(s)."
    except IndexingCancelled:
        status = "Re-indexing was cancelled: the index is as it was."
    except QAError as exc:
        status = str(exc)
    yield html.escape(status), documents_table(), *_indexing_panel()


def indexing_tick(seen: tuple | None):
    """Every tab, every second: the indexing panel shows the add or re-index under way
    (whichever tab or client started it), and when one starts or ends, or the documents
    change (an add, a removal or a re-index, by any tab or the REST API), the ready line and
    the Documents list are brought up to date.

    Args:
        seen: (the job the panel showed, the index version the list showed) at the last
            tick; None at the first (the page loaded both itself).

    Returns:
        the panel (shown or not), its text, its Cancel button, the ready line, the
        Documents list, what is seen now.
    """
    collection = default_collection(_settings())
    status = collection.indexing
    now = (status.id if status is not None else None, collection.version)
    first = seen is None
    changed = not first and tuple(seen) != now
    if first and status is not None:
        changed = True  # the page loaded before the job began: its ready line does not say it
    if status is None and not changed:
        # Nothing runs, nothing changed: nothing to send but, at the first tick, what is seen.
        return (*(gr.skip(),) * 5, now) if first else (gr.skip(),) * 6
    refreshed = (status_line(), documents_table()) if changed else (gr.skip(),) * 2
    if status is None:
        return gr.update(visible=False), "", gr.skip(), *refreshed, now
    cancellable = status.step in ("reading", "embedding")
    return gr.update(visible=True), render_indexing(status), gr.update(interactive=cancellable), *refreshed, now


def cancel_indexing():
    """Cancel: the add or re-index under way stops (its own tab then says so); the
    documents and the index stay as they were."""
    return render_indexing(default_collection(_settings()).cancel_indexing())


def ask(question: str, k: int = 5, history: list[dict] | None = None) -> dict:
    """Answer a question; the same JSON object as `qa ask --json`, each source a document's name."""
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}.") from None
    if not 1 <= k <= MAX_K:
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}.")
    try:
        result = answer(question, k, history=_history(history or []), settings=_settings())
    except QAError as exc:
        raise gr.Error(str(exc)) from None
    return result.to_dict(question, paths=False)  # sources by name: a client sees no server folder


def footer(settings: Settings) -> str:
    """The line under the page: which mode answers (and how to connect a language model
    when none is), and a link to the REST API's interactive docs."""
    mode = answering_mode(settings)
    line = html.escape(mode.describe())
    if mode.mode == "extractive":
        line += (
            " · <details class='qa-connect'><summary>Connect a language model</summary>"
            f"{html.escape(CONNECT_HINT)}</details>"
        )
    # Relative: the page may be served under a prefix.
    return f"<div>{line} · <a href='{API_PREFIX.lstrip('/')}/docs' target='_blank' rel='noopener'>REST API docs</a></div>"


def build_app() -> gr.Blocks:
    settings = _settings()
    private = {"api_visibility": "private"}
    # Uploaded files are copied into QA_UPLOAD_DIR; Gradio's own copies go after an hour.
    with gr.Blocks(title="qa: cited answers from your documents", delete_cache=(3600, 3600)) as app:
        saved = gr.BrowserState([], storage_key=CONVERSATIONS_KEY, secret=CONVERSATIONS_SECRET)
        # The id of the conversation on screen among the saved ones: kept by the browser too,
        # so that a reload brings it back.
        conversation = gr.BrowserState(None, storage_key=CURRENT_KEY, secret=CONVERSATIONS_SECRET)
        answers = gr.State([])  # one evidence entry per answer in the chat, in order
        waiting = gr.State(None)  # an upload whose names are taken, waiting for Replace / Keep both / Cancel
        shown = gr.State(None)  # the answer whose evidence is shown
        with gr.Sidebar(open=False, label="Past conversations", elem_id="qa-history"):
            gr.Markdown("### Past conversations\nKept in this browser only (its local storage); the server keeps none.")
            # Open, Rename, Delete and "Forget them all" run in the page (CONVERSATIONS_JS),
            # which sends what was chosen as a "click".
            past = gr.HTML(
                past_list([]), elem_id="qa-past", js_on_load=CONVERSATIONS_JS, apply_default_css=False
            )
        gr.Markdown(
            "# qa\nAsk in any language: every answer quotes the documents; click a [n] to open one there. "
            "Past conversations are kept in this browser only.",
            elem_id="qa-intro",
        )
        # Names the documents (or counts them, with a button that opens the Documents tab: HEADER_JS).
        ready = gr.HTML("Loading the model and the index...", elem_id="qa-ready", js_on_load=HEADER_JS)
        with gr.Row():
            with gr.Column(scale=3):
                # Quotes must show as their characters: no Markdown, no LaTeX (see _chat_message).
                chatbot = gr.Chatbot(
                    label="Chat",
                    height="clamp(300px, calc(100dvh - 420px), 560px)",
                    elem_id="qa-chat",
                    render_markdown=False,
                    latex_delimiters=[],
                    sanitize_html=True,
                    allow_tags=False,
                    buttons=["copy_all"],
                    autoscroll=False,  # the page's script shows each new answer from its question
                    group_consecutive_messages=False,
                    placeholder="Ask a question below: the answer quotes the documents, each quote numbered [n].",
                )
                question = gr.Textbox(
                    placeholder="Ask a question and press Enter",
                    show_label=False,
                    elem_id="qa-question",
                    submit_btn="Ask",
                )
                with gr.Row(elem_id="qa-actions", elem_classes="qa-actions"):
                    # Asking again differs only when a language model writes the reply; without
                    # one, the same question is asked again from more passages.
                    retry_button = gr.Button(
                        "Retry", size="sm", scale=0, min_width=80, elem_id="qa-retry", visible=bool(settings.llm_url)
                    )
                    more_button = gr.Button(
                        "More passages", size="sm", scale=0, min_width=80, elem_id="qa-more",
                        visible=not settings.llm_url,
                    )
                    # Only a language model's reply takes long enough to stop.
                    stop_button = gr.Button(
                        "Stop", size="sm", scale=0, min_width=80, elem_id="qa-stop", visible=bool(settings.llm_url)
                    )
                    # The conversation before stays among the past conversations.
                    new_chat_button = gr.Button("New chat", size="sm", scale=0, min_width=80, elem_id="qa-new-chat")
                    history_button = gr.Button("Past conversations", size="sm", scale=0, elem_id="qa-history-open")
                # Questions about the documents indexed now (`examples_now`); a click asks at once.
                examples = gr.Dataset(
                    components=[question], samples=[], label="Examples (click to ask)", elem_id="qa-examples",
                    visible=False,
                )
                gr.Markdown("### Evidence")
                cards = gr.HTML(elem_id="qa-cards")
                with gr.Accordion("All retrieved passages", open=False) as passages_box:
                    passages = gr.HTML(elem_id="qa-passages")
            with gr.Column(scale=2, elem_id="qa-side"):
                with gr.Tabs(elem_id="qa-tabs") as tabs:
                    with gr.Tab("Document", id="document"):
                        citation_choice = gr.Radio(label="Open citation", choices=[], elem_id="qa-open")
                        viewer = gr.HTML(VIEWER_EMPTY, elem_id="qa-viewer")
                    with gr.Tab("Documents", id="documents"):
                        # Each upload's Remove asks first, in the page (DOCUMENTS_JS); a Yes is a "click" naming it.
                        table = gr.HTML(
                            "<p>Loading the list of documents...</p>",
                            elem_id="qa-docs",
                            js_on_load=DOCUMENTS_JS,
                            apply_default_css=False,
                        )
                        # Any file is taken: one qa does not read is refused in the status line
                        # (Gradio's own check of `file_types` would toast, twice, and leave the
                        # status line as it was).
                        files = gr.File(
                            label=f"Add documents ({', '.join(SUPPORTED_SUFFIXES)}; up to {settings.max_upload_mb} MB each)",
                            file_count="multiple",
                            elem_id="qa-upload",
                        )
                        # Asked when an uploaded name is taken: "lemon-cake.txt exists. Replace it?"
                        with gr.Group(visible=False, elem_id="qa-replace") as asking_box:
                            asking_question = gr.Markdown(elem_id="qa-replace-question")
                            with gr.Row(elem_classes="qa-actions"):
                                replace_button = gr.Button(
                                    "Replace", variant="primary", size="sm", scale=0, min_width=80, elem_id="qa-replace-yes"
                                )
                                keep_button = gr.Button(
                                    "Keep both", size="sm", scale=0, min_width=80, elem_id="qa-replace-keep"
                                )
                                cancel_button = gr.Button(
                                    "Cancel", size="sm", scale=0, min_width=80, elem_id="qa-replace-cancel"
                                )
                        # The add or re-index under way, whoever started it (`indexing_tick`).
                        with gr.Group(visible=False, elem_id="qa-indexing") as indexing_box:
                            indexing_text = gr.HTML(elem_id="qa-indexing-text")
                            with gr.Row(elem_classes="qa-actions"):
                                indexing_cancel = gr.Button(
                                    "Cancel", size="sm", scale=0, min_width=80, elem_id="qa-indexing-cancel"
                                )
                        status = gr.Markdown(elem_id="qa-status")
                        with gr.Row(elem_classes="qa-actions"):
                            reindex_button = gr.Button("Re-index all", size="sm", scale=0, min_width=80)
        # A click on [n] or a card: the page's script puts "answer:citation" in window.qaCitation.
        citation_ref = gr.Textbox(visible="hidden", elem_id="qa-cite-ref")
        citation_open = gr.Button("Open citation", visible="hidden", elem_id="qa-cite-open")

        evidence = [cards, passages, citation_choice, viewer, shown]
        chat_outputs = [chatbot, answers, question, *evidence]
        saving = dict(
            fn=save_conversation, inputs=[chatbot, answers, conversation, saved], outputs=[conversation, saved, past]
        )
        asking = question.submit(respond, [question, chatbot, answers], chat_outputs, **private)
        # A reply still being written is cancelled (its connection to the language model
        # closed) by Stop, and by whatever replaces the conversation: another question,
        # Retry, More passages, an example, New chat, a past one. (An event is made after
        # those it cancels: the earlier ones cancel the later ones by listeners of their own.)
        retrying = retry_button.click(retry, [chatbot, answers], chat_outputs, cancels=[asking], **private)
        widening = more_button.click(
            more_passages, [chatbot, answers], [*chat_outputs, passages_box], cancels=[asking, retrying], **private
        )
        example_asking = examples.click(ask_example, examples, question, cancels=[asking, retrying, widening], **private).then(
            respond, [question, chatbot, answers], chat_outputs, **private
        )
        question.submit(None, None, None, cancels=[retrying, widening, example_asking], **private)
        retry_button.click(None, None, None, cancels=[widening, example_asking], **private)
        more_button.click(None, None, None, cancels=[example_asking], **private)
        writing = [asking, retrying, widening, example_asking]
        stopping = stop_button.click(stop, [chatbot, answers], chat_outputs, cancels=writing, **private)
        for event in (*writing, stopping):
            event.then(**saving, **private)
        for trigger in (new_chat_button.click, chatbot.clear):
            trigger(new_chat, None, [*chat_outputs, conversation], cancels=writing, **private).then(
                past_list, saved, past, **private
            )
        citation_open.click(
            show_citation,
            [citation_ref, answers, shown],
            [*evidence, tabs],
            js="(reference, ...rest) => [window.qaCitation || '', ...rest]",
            **private,
        )
        citation_choice.input(choose_citation, [citation_choice, answers, shown], evidence, **private)
        history_button.click(None, js=TOGGLE_HISTORY)
        # Open, Delete, Forget them all come as a "submit" and may replace the conversation on
        # screen, so they cancel a reply being written; Rename comes as a "click". (The panel
        # closes itself on a phone: CONVERSATIONS_JS.)
        for trigger, cancelled in ((past.submit, writing), (past.click, None)):
            trigger(
                conversation_chosen,
                [conversation, saved],
                [chatbot, answers, conversation, *evidence, saved, past],
                cancels=cancelled,
                **private,
            )
        # The examples follow the documents: whatever changes them redraws the ready line.
        ready.change(examples_now, None, examples, show_progress="hidden", **private)

        adding = [status, table, indexing_box, indexing_text, files, waiting, asking_box, asking_question]
        # Indexing shows in the indexing panel alone (no progress drawn over the status line).
        for trigger, handler, inputs, outputs, shown_progress in (
            (files.upload, upload, [files], adding, "hidden"),
            (replace_button.click, replace_pending, [waiting], adding, "hidden"),
            (keep_button.click, keep_both, [waiting], adding, "hidden"),
            (cancel_button.click, cancel_pending, [waiting], adding, "minimal"),
            (table.click, remove_chosen, None, [status, table], "minimal"),
            (reindex_button.click, reindex, None, [status, table, indexing_box, indexing_text], "hidden"),
        ):
            trigger(handler, inputs, outputs, show_progress=shown_progress, show_progress_on=[status], **private).then(
                status_line, None, ready, show_progress="hidden", **private
            )
        shown_job = gr.State(None)  # the job the indexing panel shows, and the index version listed
        ticker = gr.Timer(INDEXING_TICK_S)
        ticker.tick(
            indexing_tick,
            [shown_job],
            [indexing_box, indexing_text, indexing_cancel, ready, table, shown_job],
            show_progress="hidden",
            **private,
        )
        indexing_cancel.click(cancel_indexing, None, indexing_text, show_progress="hidden", **private)
        app.load(status_line, None, ready, **private)
        app.load(documents_table, None, table, **private)  # (a value function would be a public API route)
        # A reload brings back the conversation that was on screen.
        app.load(restore_conversation, [conversation, saved], [chatbot, answers, conversation, *evidence, past], **private)
        # For developers and the curious: which mode answers, and where the REST API is.
        gr.HTML(footer(settings), elem_id="qa-footer", apply_default_css=False)
        gr.api(ask, api_name="ask")
    return app


def check_access(settings: Settings) -> None:
    """Refuse a login that would leave routes open, and to serve beyond loopback without a
    login unless `QA_ALLOW_OPEN=1` asks for it.

    Anyone who reaches the app can upload, remove and re-index documents, in the page or
    over HTTP, so an open app on a network is a choice to spell out, not a default. A login
    covers every route (page, Gradio API, REST API, docs) or the app does not start:
    `QA_API_TOKEN` is accepted by the REST API only, so alone it would leave the page and
    its Gradio API (`/gradio_api/call/ask`, uploads) open.
    """
    if settings.api_token and not settings.credentials:
        raise QAError(
            "QA_API_TOKEN is set without QA_AUTH: the token is checked by the REST API (/api/v1) only, so the "
            "web page and its Gradio API (/gradio_api) would answer, upload and remove for anyone. Set "
            "QA_AUTH=user:password as well (the REST API accepts the token besides it), or unset QA_API_TOKEN."
        )
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
        preload_language_models()
        index = default_index(settings)
        if index.documents:  # without the language model: it is asked at the first question
            answer("warm-up", index=index, settings=replace(settings, llm_url=""))
    except StoreUnavailableError as exc:
        # A database that is down now may be up at the first question: serve, and say why until then.
        logger.error("%s", exc)
    except QAError as exc:
        logger.error("%s", exc)
        raise SystemExit(1) from None
    if settings.llm_url:
        logger.info("Answers written by the language model at %s, each sentence checked against its citations.", settings.llm_url)
    app = build_app()
    logger.info("Ready on http://%s:%d", settings.host, settings.port)
    app.queue(default_concurrency_limit=4).launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=settings.credentials,
        max_file_size=f"{settings.max_upload_mb}mb",
        css=CSS,
        js=APP_JS,
        # No "Use via API" (Gradio's own panel): the page's footer links the REST API's docs.
        footer_links=["settings"],
        # The REST API (/api/v1, qa.serving.rest) on the same server and port, behind the same login;
        # the whole server refuses other sites' pages and, on loopback, other host names.
        app_kwargs={"routes": rest_routes(settings), "middleware": [Middleware(SameOrigin, host=settings.host)]},
    )


if __name__ == "__main__":
    main()
