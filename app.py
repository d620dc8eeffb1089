"""The qa web app: a Gradio chat over the default index, and an `/ask` endpoint for programs.

Only UI lives here: answers come from `qa.answer`, the same function the CLI and
Python users call. Start it with `make run` (http://127.0.0.1:7860).
"""

from __future__ import annotations

import html
import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from qa import QAError, answer  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.index import default_index  # noqa: E402

logger = logging.getLogger("qa.app")

EXAMPLES = [
    "Quand Poutine ira-t-il à Pyongyang ?",
    "When was the friendship treaty signed?",
    "¿Cuándo viajó Kim al Lejano Oriente ruso?",
    "Welche Bereiche umfassen die Gespräche?",
]


def _history(messages: list[dict]) -> list[dict]:
    """Chat messages as `answer`'s history: role and plain-text content."""
    turns = []
    for message in messages or []:
        content = message.get("content")
        if isinstance(content, list):  # Gradio may hand content as a list of parts
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        if message.get("role") in ("user", "assistant") and isinstance(content, str):
            turns.append({"role": message["role"], "content": content})
    return turns


def chat(message: str, history: list[dict]) -> str:
    """The chat reply: the cited answer, or the problem in plain words."""
    settings = Settings.from_env()
    try:
        result = answer(message, index=default_index(settings), history=_history(history), settings=settings)
    except QAError as exc:
        return html.escape(str(exc))
    # Document text is shown as text, never as HTML.
    return html.escape(result.text).replace("\n", "  \n")


def ask(question: str, k: int = 5, history: list[dict] | None = None) -> dict:
    """Answer a question; the same JSON object as `qa ask --json`."""
    settings = Settings.from_env()
    try:
        result = answer(question, k, index=default_index(settings), history=_history(history or []), settings=settings)
    except QAError as exc:
        raise gr.Error(str(exc)) from None
    return result.to_dict(question)


def build_app() -> gr.Blocks:
    with gr.Blocks(title="qa: cited answers from your documents") as app:
        gr.Markdown("# qa\nAsk in any language; every answer quotes the documents, with `[n]` citations.")
        gr.ChatInterface(fn=chat, examples=EXAMPLES, api_name="chat")
        gr.api(ask, api_name="ask")
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    logger.info("Loading the model and the index...")
    answer("warm-up", index=default_index(settings), settings=settings)
    app = build_app()
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    app.queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, share=False, auth=auth
    )


if __name__ == "__main__":
    main()
