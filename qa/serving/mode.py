"""Which mode answers: quotes only (extractive), or a language model's replies.

The web page's footer and `GET /api/v1/status` say it, so a reader knows whether a
sentence was written by a model, and a developer sees whether the one they set up is used.
Nothing secret is told: the model's name and the server's host, never its key or path.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from qa.config import Settings

# Where the README sends a reader who wants a language model to write the replies.
CONNECT_GUIDE = "docs/language-models.md"
CONNECT_HINT = (
    "Set QA_LLM_URL to an OpenAI-compatible server (Ollama, llama.cpp, vLLM...) and restart; "
    f"see {CONNECT_GUIDE}."
)


@dataclass(frozen=True)
class AnsweringMode:
    """How replies are made.

    Attributes:
        mode: "extractive" (quotes of the documents only) or "generated" (a language
            model writes the reply from the quotes; each sentence is checked against them).
        model: the model asked for (`QA_LLM_MODEL`), or "" for the server's first listed.
        host: the language model server's host and port, or "" in extractive mode.
    """

    mode: str
    model: str = ""
    host: str = ""

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "model": self.model or None,
            "host": self.host or None,
            "connect": CONNECT_HINT if self.mode == "extractive" else None,
        }

    def describe(self) -> str:
        """One line for a reader.

        Example:
            >>> AnsweringMode("generated", "qwen2.5:3b", "127.0.0.1:11434").describe()
            'Replies written by the language model qwen2.5:3b at 127.0.0.1:11434, each sentence checked against its quotes'
            >>> AnsweringMode("extractive").describe()
            'Replies quote the documents (no language model connected)'
        """
        if self.mode == "extractive":
            return "Replies quote the documents (no language model connected)"
        model = self.model or "the server's first model"
        return f"Replies written by the language model {model} at {self.host}, each sentence checked against its quotes"


def answering_mode(settings: Settings) -> AnsweringMode:
    """The mode ``settings`` answer in.

    Example:
        >>> answering_mode(Settings(llm_url="http://user:key@10.0.0.5:8080/v1")).host
        '10.0.0.5:8080'
        >>> answering_mode(Settings()).mode
        'extractive'
    """
    if not settings.llm_url:
        return AnsweringMode("extractive")
    parts = urlsplit(settings.llm_url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if parts.port:
        host += f":{parts.port}"
    return AnsweringMode("generated", settings.llm_model, host)
