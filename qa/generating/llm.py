"""A client for any OpenAI-compatible chat server: Ollama, llama.cpp's server, vLLM, LM
Studio or a hosted API. `ChatServer.stream` sends a conversation and yields the reply as it
arrives; every fault is an `LLMError` that says what went wrong.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from qa.errors import QAError

# Enough for a short answer of a few cited sentences; a model that rambles is cut here.
MAX_TOKENS = 300
# Longest wait for a connection, within the whole timeout.
_CONNECT_S = 5.0
_models: dict[tuple[str, str], str] = {}
_models_lock = threading.Lock()


class LLMError(QAError):
    """The language model could not be used: unreachable, slow, an HTTP error or an
    unreadable reply. Answers fall back to extractive ones and carry the message."""


@dataclass(frozen=True)
class ChatServer:
    """An OpenAI-compatible chat completions endpoint.

    Attributes:
        url: the base URL, ending before `/chat/completions` (e.g. `http://127.0.0.1:8080/v1`).
        model: the model to ask for; empty asks the server's first listed model (`GET /models`).
        api_key: sent as a bearer token when set.
        timeout_s: the whole request, from connecting to the reply's last token, in seconds.

    Example:
        >>> server = ChatServer("http://127.0.0.1:11434/v1", model="qwen2.5:3b")
        >>> "".join(server.stream([{"role": "user", "content": "Say hi"}]))  # doctest: +SKIP
        'Hi!'
    """

    url: str
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout_s: float = 30.0

    def stream(self, messages: list[dict], *, max_tokens: int = MAX_TOKENS) -> Iterator[str]:
        """The reply to `messages`, piece by piece as the server sends it.

        Closing the iterator (a stopped generation) closes the connection.

        Raises:
            LLMError: the server is unreachable, answers an HTTP error, sends something
                that is not a chat completion, or has not finished within `timeout_s`.
        """
        deadline = time.monotonic() + self.timeout_s
        with httpx.Client(timeout=self._timeout(), headers=self._headers()) as client:
            body = {
                "model": self.model or self._first_model(client),
                "messages": messages,
                "stream": True,
                "temperature": 0,
                "max_tokens": max_tokens,
            }
            watchdog = None
            try:
                with client.stream("POST", self._endpoint("chat/completions"), json=body) as response:
                    # A server that stalls mid-reply is cut off at the deadline.
                    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), response.close)
                    watchdog.daemon = True
                    watchdog.start()
                    _raise_for_status(response, self.url)
                    if "text/event-stream" in response.headers.get("content-type", ""):
                        for piece in _events(response):
                            if time.monotonic() > deadline:  # a server that trickles is cut off too
                                raise LLMError(self._late())
                            yield piece
                    else:  # a server that ignores `stream` sends the whole completion at once
                        response.read()
                        yield _message_content(_json(response.text))
            except httpx.TimeoutException:
                raise LLMError(self._late()) from None
            except (httpx.StreamClosed, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                if time.monotonic() >= deadline:
                    raise LLMError(self._late()) from None
                raise LLMError(f"the language model at {self.url} closed the connection ({exc}).") from None
            except httpx.TransportError as exc:
                raise LLMError(f"could not reach the language model at {self.url} ({exc}); is it running?") from None
            except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
                raise LLMError(f"the language model at {self.url} could not be used ({type(exc).__name__}: {exc}).") from None
            finally:
                if watchdog is not None:
                    watchdog.cancel()

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_s, connect=min(_CONNECT_S, self.timeout_s))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _endpoint(self, path: str) -> str:
        return f"{self.url.rstrip('/')}/{path}"

    def _late(self) -> str:
        return f"the language model at {self.url} did not answer within {self.timeout_s:g} s (QA_LLM_TIMEOUT_S)."

    def _first_model(self, client: httpx.Client) -> str:
        key = (self.url, self.api_key)
        with _models_lock:
            if key in _models:
                return _models[key]
        try:
            response = client.get(self._endpoint("models"))
        except httpx.TimeoutException:
            raise LLMError(self._late()) from None
        except httpx.TransportError as exc:
            raise LLMError(f"could not reach the language model at {self.url} ({exc}); is it running?") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise LLMError(f"the language model at {self.url} could not be used ({type(exc).__name__}: {exc}).") from None
        _raise_for_status(response, self.url)
        try:
            model = _json(response.text)["data"][0]["id"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"{self.url}/models lists no model: set QA_LLM_MODEL.") from None
        with _models_lock:
            _models[key] = str(model)
        return str(model)


def _raise_for_status(response: httpx.Response, url: str) -> None:
    if response.status_code < 400:
        return
    response.read()
    detail = " ".join(response.text.split())[:200]
    hint = " (check QA_LLM_API_KEY)" if response.status_code in (401, 403) else ""
    hint = hint or (" (check QA_LLM_URL and QA_LLM_MODEL)" if response.status_code == 404 else "")
    raise LLMError(f"the language model at {url} answered HTTP {response.status_code}{hint}: {detail}")


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        raise LLMError(f"the language model's server sent something that is not JSON: {text[:120]!r}") from None


def _message_content(data) -> str:
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMError("the language model's reply is not a chat completion.") from None
    return content if isinstance(content, str) else ""


def _events(response: httpx.Response) -> Iterator[str]:
    """The content pieces of a server-sent event stream of chat completion chunks."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, comments, `event:` lines
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        chunk = _json(data)
        if isinstance(chunk, dict) and "error" in chunk:
            raise LLMError(f"the language model reported an error: {str(chunk['error'])[:200]}")
        try:
            delta = chunk["choices"][0].get("delta") or {}
        except (KeyError, IndexError, TypeError, AttributeError):
            raise LLMError("the language model's stream holds something that is not a chat completion chunk.") from None
        piece = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(piece, str) and piece:
            yield piece
