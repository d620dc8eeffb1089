"""qa's JSON REST API, `/api/v1`: ask, list, add and remove documents over plain HTTP.

The web app serves it on its own port (`app.py` mounts `rest_routes(settings)`); it
calls the same functions as the CLI: `qa.ask.answer` and `qa.storing.collection`'s
`add_documents`, `list_documents` and `remove_document`.

- `POST /api/v1/ask` -> the `qa ask --json` object (`Answer.to_dict`), each citation with
  its `location` (page, slide, sheet and row).
- `GET /api/v1/documents` (with `indexing`: the add or re-index under way, how far it is and
  its time left, or null), `POST /api/v1/documents` (multipart, field `files`; `replace=true`,
  in the query or a form field, swaps an upload of the same name for the new version),
  `POST /api/v1/documents/cancel` (stops the add under way: the index stays as it was),
  `DELETE /api/v1/documents/{name}` (uploads only).
- `GET /api/v1/documents/{name}/original` (the file as added: a PDF, a text, an image
  inline, anything else an attachment, never run in this site) and
  `GET /api/v1/documents/{name}/pages/{n}.png` (a PDF's page, rendered here).
- `GET /api/v1/status`: which mode answers (quotes only, or a language model: its name and
  host), how many documents, whether an indexing runs.
- `GET /api/v1/openapi.json`; interactive docs at `/api/v1/docs`, served from local
  files (no CDN: the app works offline).

Every error is JSON, `{"error": message}`: 400 for what qa refuses (an empty question,
an unreadable document), 401 without the login, 403 for a corpus document, 404 for an
unknown one (and for a cancel with nothing to cancel), 409 for an upload whose name is taken (without
`replace=true`) or whose indexing was cancelled, 413 for a body or file over its limit, 415 for an unsupported file type,
422 for a malformed request (wrong types, `k` outside 1..50, a question over
`QA_MAX_QUESTION_CHARS`, unknown fields), 503 with `Retry-After` when `ASK_QUEUE`
questions already wait (or Milvus is down). A refused request changes nothing.

Questions are answered `ANSWER_CONCURRENCY` at a time in threads of their own and wait
their turn without holding a thread, so listing, adding and removing documents stay
served however many questions arrive.

When `QA_AUTH=user:password` or `QA_API_TOKEN` is set, every route (docs included)
needs `Authorization: Basic` with that user and password, or `Authorization: Bearer`
with the token. (The web app needs `QA_AUTH` with a token: `app.check_access`.) The two
file routes also take a link the logged-in web page signed (`qa.serving.links`), as an
`<img>` or a download link of the page cannot send the login.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import mimetypes
import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Literal

import anyio
import anyio.to_thread
from fastapi import FastAPI, HTTPException, Query, Request, Security
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPBasic, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa import __version__
from qa.ask import answer
from qa.storing.collection import (
    DocumentInfo,
    add_documents,
    default_collection,
    default_index,
    document_file,
    list_documents,
    remove_document,
)
from qa.config import Settings, is_loopback
from qa.reading.documents import SUPPORTED_SUFFIXES, location_of, row_of
from qa.errors import DocumentError, DocumentExistsError, IndexingCancelled, QAError, StoreUnavailableError
from qa.reading.formats.pdf_pages import render_page
from qa.serving.links import link_allowed
from qa.results import Citation, document_name
from qa.serving.mode import answering_mode

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
MAX_K = 50
# A request body other than an upload (the question and its history) is read whole, so it is capped.
MAX_JSON_BYTES = 1024 * 1024
# A refused body is read on and dropped up to this, so the client reads the error.
DRAIN_BYTES = 16 * MAX_JSON_BYTES
MAX_UPLOAD_FILES = 10
# Answers computed at once (as many as the web app's queue runs); `ASK_QUEUE` more callers
# wait their turn, and past them a question is refused at once (503, `Retry-After`).
ANSWER_CONCURRENCY = 4
ASK_QUEUE = 16
BUSY_RETRY_AFTER_S = 5


# --- what goes in and out ------------------------------------------------------------------


class Turn(BaseModel):
    """An earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["user", "assistant"]
    content: str


# Questions the seed article answers (`seeds/`), as the interactive docs' "Try it out" sends them.
ASK_EXAMPLES = [
    {"question": "When was the friendship treaty signed?", "k": 5, "history": []},
    {"question": "Quand Poutine ira-t-il à Pyongyang ?"},
    {
        "question": "And when was it abandoned?",
        "history": [
            {"role": "user", "content": "When was the friendship treaty signed?"},
            {"role": "assistant", "content": "In 1961 [1]."},
        ],
    },
]


class AskRequest(BaseModel):
    """A question, with the conversation so far for follow-ups."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": ASK_EXAMPLES})

    question: str = Field(description="In any language; at most QA_MAX_QUESTION_CHARS characters (default 2000).")
    k: int = Field(default=5, ge=1, le=MAX_K, description="Passages to look at.")
    history: list[Turn] = Field(default_factory=list, max_length=100, description="Earlier turns, oldest first.")


class LocationOut(BaseModel):
    """Where a citation starts in a document of sections."""

    kind: str = Field(
        description="What the document's sections are: `page` (PDF), `slide` (presentation), `sheet` (spreadsheet), "
        "`chapter` (e-book)..."
    )
    number: int = Field(description="The section's number, from 1.")
    row: int | None = Field(
        default=None, description="For a spreadsheet, the row, as the spreadsheet numbers it (its header usually row 1)."
    )


class CitationOut(BaseModel):
    n: int = Field(description="The number of the citation in the answer: [1], [2].")
    text: str = Field(description="Exactly the document's text[start:end].")
    source: str = Field(description="The document's name, as GET /api/v1/documents lists it.")
    start: int
    end: int
    location: LocationOut | None = Field(
        default=None,
        description="Where the citation starts: page, slide, sheet and row...; null for a document without sections "
        "(text, Markdown, HTML).",
    )


class PassageOut(BaseModel):
    rank: int
    text: str
    source: str = Field(description="The document's name, as GET /api/v1/documents lists it.")
    start: int
    end: int
    score: float = Field(description="Hybrid relevance in (0, 1].")


class ShortAnswerOut(BaseModel):
    """The date, number, amount, duration or name a question asked for, a span of the answer's first citation."""

    text: str = Field(description="Exactly the document's text[start:end].")
    source: str = Field(description="The document's name, as GET /api/v1/documents lists it.")
    start: int
    end: int
    kind: str = Field(description="What the question asked for: `when`, `how_many`, `duration` or `who`.")


class AnswerOut(BaseModel):
    """The object `qa ask --json` prints."""

    question: str
    language: str = Field(description="ISO 639-1 code of the question's language.")
    abstained: bool = Field(description="True when the documents do not answer the question (`status` is `abstained`).")
    status: Literal["answered", "uncertain", "abstained"] = Field(
        description="`answered`: the first citation is the answer; `uncertain`: the answer says the documents may not "
        "answer directly and quotes the closest passages; `abstained`: the documents don't say, no citation."
    )
    confidence: float | None = Field(
        description="The calibrated probability, 0 to 1, that the citations hold the answer; null when nothing "
        "estimated it (an overview, for one).",
    )
    mode: Literal["extractive", "generated"] = Field(
        description="`generated`: a language model (QA_LLM_URL) wrote the answer and each of its sentences was "
        "checked against its citations; `extractive`: the answer quotes the excerpts."
    )
    llm_error: str | None = Field(description="Why the language model set up was not used; null otherwise.")
    overview: bool = Field(
        description="True when the question asked what a document is about: the citations are its lead and central sentences."
    )
    answer: str = Field(description="A lead-in in the question's language and the excerpts [1], [2]; or the abstention.")
    short: ShortAnswerOut | None = Field(
        description="The date, number, amount, duration or name the question asked for, a span of the first citation; "
        "null when the question asks for none or the citation holds none."
    )
    citations: list[CitationOut]
    dropped: list[str] = Field(description="Sentences the language model wrote that their citations did not support.")
    passages: list[PassageOut]


class DocumentOut(BaseModel):
    source: str = Field(description="The document's name, as its citations' `source` gives it (not a path).")
    name: str = Field(description="The name to remove it by: DELETE /api/v1/documents/{name}.")
    characters: int = Field(description="The length of its text.")
    uploaded: bool = Field(description="False for a document of QA_CORPUS_DIR, which cannot be removed here.")
    section_kind: str | None = Field(
        description="What it is divided into: `page` (PDF, scan), `slide` (presentation), `sheet` (spreadsheet), "
        "`chapter` (e-book); null for a format without sections (.txt, .md, .html, .docx...)."
    )
    sections: int | None = Field(description="How many of them (a two-page PDF: 2); null without sections.")
    size: int | None = Field(
        description="Its file's size in bytes; null when the server keeps no file (QA_STORE=milvus)."
    )
    added: datetime | None = Field(
        description="When its file was added (ISO 8601, UTC): an upload's time of upload, or of the upload that "
        "replaced it; a QA_CORPUS_DIR file's modification time. Null when the server keeps no file."
    )


class SkippedOut(BaseModel):
    path: str = Field(description="The file's name (not its path).")
    reason: str


class IndexingOut(BaseModel):
    name: str = Field(description="What is being indexed: the documents' names, or `all documents` for a re-index.")
    step: Literal["reading", "embedding", "saving", "cancelling"] = Field(
        description="`reading` the files, `embedding` them (the long part), `saving` the index (too late to cancel), "
        "or `cancelling`."
    )
    done: float = Field(description="The share of the embedding done, 0 to 1.")
    seconds_left: int | None = Field(
        description="The embedding's time left, from the rate measured so far; null until it can be told."
    )


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]
    skipped: list[SkippedOut] = Field(description="Files of the folders that could not be read, and why.")
    indexing: IndexingOut | None = Field(
        default=None,
        description="The add or re-index under way in this server (any client's), or null; two at once are told "
        "together (names joined, mean `done`).",
    )


class CancelledOut(BaseModel):
    cancelling: IndexingOut = Field(
        description="The add or re-index asked to stop (every one under way); its request answers 409."
    )


class AddedOut(DocumentsOut):
    added: list[DocumentOut]


class RemovedOut(DocumentsOut):
    removed: DocumentOut


class StatusOut(BaseModel):
    mode: Literal["extractive", "generated"] = Field(
        description="`extractive`: replies quote the documents; `generated`: a language model writes them from the "
        "quotes, each sentence checked against them."
    )
    model: str | None = Field(description="The language model asked for (QA_LLM_MODEL); null: the server's first.")
    host: str | None = Field(description="The language model server's host and port; null in extractive mode.")
    connect: str | None = Field(description="How to connect a language model (extractive mode only).")
    documents: int = Field(description="How many documents are searchable.")
    indexing: bool = Field(description="Whether documents are being added or re-indexed now.")
    version: str = Field(description="qa's version.")


class ErrorOut(BaseModel):
    error: str = Field(description="What happened and what to do.")
    details: list[dict] | None = Field(default=None, description="For 422: each invalid field.")


# What an error status means where it is not plain from the route.
_ERROR_MEANINGS = {
    409: "A document of that name is uploaded already: send `replace=true` to replace it, or rename the file. "
    "Or the indexing was cancelled (POST /api/v1/documents/cancel): nothing was added.",
}


# The file routes' 409: a name that two documents have.
_SHARED_NAME = {
    "model": ErrorOut,
    "description": "Two documents have that name (in two subfolders of QA_CORPUS_DIR); the message names both. "
    "Rename one of them in its folder.",
}


def _errors(*codes: int) -> dict:
    return {  # 503: QA_STORE=milvus and Milvus is down
        code: {"model": ErrorOut, **({"description": _ERROR_MEANINGS[code]} if code in _ERROR_MEANINGS else {})}
        for code in (401, *codes, 503)
    }


# --- the API ---------------------------------------------------------------------------------


def create_api(settings: Settings | None = None) -> FastAPI:
    """The REST API as a FastAPI app whose routes start at its root (mount it at `API_PREFIX`).

    Args:
        settings: default `Settings.from_env()`; `auth` and `api_token` decide the login.

    Example:
        >>> app = FastAPI()
        >>> app.mount(API_PREFIX, create_api())
    """
    settings = settings or Settings.from_env()
    login = _Login(settings)
    security = [Security(HTTPBasic(auto_error=False)), Security(HTTPBearer(auto_error=False))]
    api = FastAPIOffline(
        title="qa",
        version=__version__,
        description="Cited answers from your documents, offline. Every error is `{\"error\": message}`.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Documents the login for the docs' "Authorize" button; `_RequireLogin` enforces it.
        dependencies=security if login.required else None,
    )
    answering = _AnswerQueue(ANSWER_CONCURRENCY, ASK_QUEUE)

    @api.post("/ask", response_model=AnswerOut, responses=_errors(400, 413, 422))
    async def ask(request: AskRequest) -> dict:
        """Answer a question with excerpts quoted from the documents (the `qa ask --json` object).

        Each `source` is the document's name, as GET /api/v1/documents lists it; each citation
        has its `location` (page, slide, sheet and row) in a document of sections.
        """
        if len(request.question) > settings.max_question_chars:
            raise HTTPException(
                422,
                f"The question is {len(request.question)} characters long; ask in at most "
                f"{settings.max_question_chars} (QA_MAX_QUESTION_CHARS).",
            )
        history = [turn.model_dump() for turn in request.history]
        return await answering.run(partial(_answer_out, request.question, request.k, history, settings))

    @api.get("/status", response_model=StatusOut, responses=_errors())
    def status() -> dict:
        """Which mode answers (quotes only, or a language model: its name and host), how many
        documents are searchable, and whether an indexing runs."""
        collection = default_collection(settings)
        return {
            **answering_mode(settings).to_dict(),
            "documents": len(collection.documents()),
            "indexing": collection.indexing is not None,
            "version": __version__,
        }

    @api.get("/documents", response_model=DocumentsOut, responses=_errors())
    def documents() -> dict:
        """The indexed documents, the files that could not be read, and the add under way.

        While documents are being added (by any client, the web app included), `indexing`
        tells which, how far it is (`done`, 0 to 1) and its time left; the documents listed
        are those searchable meanwhile.
        """
        return _listing(settings)

    @api.post("/documents/cancel", response_model=CancelledOut, responses=_errors(404))
    def cancel() -> dict:
        """Stop the add or re-index under way (GET /api/v1/documents' `indexing`; all of them
        when two run at once, as `indexing` tells them together).

        It stops at the end of the model's batch under way; its own request then answers
        409 and the documents and the index stay as they were. Once `step` is `saving` it is
        too late: the add completes.
        """
        status = default_collection(settings).cancel_indexing()
        if status is None:
            raise HTTPException(404, "Nothing is being indexed: there is nothing to cancel.")
        return {"cancelling": status.to_dict()}

    @api.post(
        "/documents",
        status_code=201,
        response_model=AddedOut,
        responses=_errors(400, 409, 413, 415),
        openapi_extra={"requestBody": _UPLOAD_BODY},
        description=f"Add documents ({', '.join(SUPPORTED_SUFFIXES)}; QA_MAX_UPLOAD_MB each): searchable at once.\n\n"
        "A bad file is refused with a message and nothing is added. A name already uploaded is refused "
        "(409) unless `replace=true` is sent (in the query or as a form field): then the new version takes "
        "the old one's place, and questions are answered from the old one until it has.",
    )
    async def add(
        request: Request,
        replace: bool = Query(False, description="Replace an upload of the same name (also accepted as a form field)."),
    ) -> dict:
        with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
            received, fields = await _receive_files(request, Path(folder), settings.max_upload_mb)
            paths, names = [path for path, _ in received], [name for _, name in received]
            replace = replace or _flag("replace", fields.get("replace"))
            try:
                index = await run_in_threadpool(
                    partial(add_documents, paths, names=names, replace=replace, settings=settings)
                )
            except DocumentExistsError as exc:
                raise HTTPException(409, exc.advice("send replace=true")) from None
            except IndexingCancelled as exc:
                raise HTTPException(409, str(exc)) from None
        new_sources = {d.source for d in index.documents[len(index.documents) - len(paths) :]}
        return await run_in_threadpool(partial(_listing, settings, added=new_sources))

    @api.delete("/documents/{name:path}", response_model=RemovedOut, responses=_errors(400, 403, 404))
    def remove(name: str) -> dict:
        """Remove an uploaded document, by its name in GET /api/v1/documents."""
        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            raise HTTPException(400, f"{name!r} is not a document name: use a `name` from GET {API_PREFIX}/documents.")
        matches = [d for d in list_documents(settings=settings) if d.name == name]
        if not matches:
            raise HTTPException(404, f"No indexed document is named {name!r}: see GET {API_PREFIX}/documents.")
        uploads = [d for d in matches if d.uploaded]
        if not uploads:
            raise HTTPException(
                403, f"{name} is part of QA_CORPUS_DIR ({settings.corpus_dir}): remove the file there to drop it."
            )
        remove_document(uploads[0].source, settings=settings)
        return {"removed": _document(uploads[0]), **_listing(settings)}

    @api.get(
        "/documents/{name:path}/original",
        response_class=Response,
        responses={200: {"description": "The file as it was added.", "content": {"*/*": {}}}, **_errors(404), 409: _SHARED_NAME},
    )
    def original(
        name: str,
        download: bool = Query(False, description="Always as an attachment (saved, not shown)."),
    ) -> Response:
        """The document's file as it was added (an upload, or a file of QA_CORPUS_DIR), by its name
        in GET /api/v1/documents.

        A PDF, a plain text or an image opens in the browser (`inline`), anything else (HTML,
        a web archive, an e-mail, office files) is an attachment, so a document's scripts never
        run in this site; every one is sent `nosniff`, and all but a PDF under
        `Content-Security-Policy: sandbox`. 404 when no document has that name or the server
        keeps no file of it (QA_STORE=milvus keeps the texts alone); 409 when two documents
        have it (in two subfolders of QA_CORPUS_DIR): the message names both.
        """
        path = _original_file(name, settings)
        media_type = _media_type(path)
        inline = media_type in INLINE_TYPES and not download
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"}
        if media_type != "application/pdf":  # Chrome shows no PDF in a sandboxed document
            headers["Content-Security-Policy"] = "sandbox"
        return FileResponse(
            path,
            media_type=media_type,
            filename=name,
            content_disposition_type="inline" if inline else "attachment",
            headers=headers,
        )

    @api.get(
        "/documents/{name:path}/pages/{page}",
        response_class=Response,
        responses={200: {"description": "The page as a PNG image.", "content": {"image/png": {}}}, **_errors(404), 409: _SHARED_NAME},
    )
    def page_image(
        name: str, page: str = PathParameter(description="`{n}.png`: the page's number, from 1, then `.png`.")
    ) -> Response:
        """Page n of a PDF document as a PNG image (`/pages/{n}.png`, n from 1), about
        1100 pixels wide, rendered by the server (nothing is fetched elsewhere).

        404 for a document that is not a PDF, or a page it does not have.
        """
        match = re.fullmatch(r"([1-9][0-9]{0,5})\.png", page)
        if match is None:
            raise HTTPException(404, f"No page {page!r}: ask for /pages/{{n}}.png, n from 1.")
        path = _original_file(name, settings)
        if path.suffix.lower() != ".pdf":
            raise HTTPException(404, f"{name} is not a PDF: it has no page images. Its file: GET .../original.")
        stat = path.stat()
        number = int(match.group(1))
        try:
            png = _rendered_page(str(path), stat.st_mtime_ns, stat.st_size, number)
        except DocumentError as exc:
            raise HTTPException(404, f"{name}: {exc}") from None
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    api.add_exception_handler(StarletteHTTPException, _http_error)
    api.add_exception_handler(RequestValidationError, _invalid_request)
    api.add_exception_handler(QAError, _refused)
    api.add_exception_handler(StoreUnavailableError, _unavailable)
    api.add_exception_handler(Exception, _failed)
    # The last added runs first: the login is checked before a body is read.
    api.add_middleware(_CapBody)
    api.add_middleware(_RequireLogin, login=login)
    api.add_middleware(SameOrigin, host=settings.host)
    return api


class _AnswerQueue:
    """Questions answered `running` at a time, in threads of their own; at most `waiting`
    more wait their turn, and past them a question gets 503 at once.

    A waiting question holds no thread: it waits on the event loop. So listing, adding
    and removing documents (in Starlette's thread pool) never queue behind questions,
    however many arrive, nor behind a language model taking `QA_LLM_TIMEOUT_S` to reply.
    """

    def __init__(self, running: int, waiting: int):
        self.running, self.waiting = running, waiting
        self._threads = anyio.CapacityLimiter(running)
        self._admitted = 0  # running or waiting; only the event loop's thread changes it

    async def run(self, answer_question: Callable[[], dict]) -> dict:
        """`answer_question()`'s answer once a thread is free; 503 when too many wait already."""
        if self._admitted >= self.running + self.waiting:
            raise HTTPException(
                503,
                f"qa is answering {self.running} questions and {self.waiting} more are waiting: "
                f"ask again in {BUSY_RETRY_AFTER_S} s.",
                headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
            )
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(answer_question, limiter=self._threads)
        finally:
            self._admitted -= 1


def rest_routes(settings: Settings | None = None) -> list[BaseRoute]:
    """The REST API mounted at `/api/v1`, for a FastAPI app's `routes` (the web app's, in `app.py`)."""
    return [Mount(API_PREFIX, app=create_api(settings))]


def _answer_out(question: str, k: int, history: list[dict], settings: Settings) -> dict:
    """`answer` as the API returns it: the `qa ask --json` object, each citation with its location."""
    result = answer(question, k, history=history, settings=settings)
    body = result.to_dict(question, paths=False)
    if result.citations:
        index = default_index(settings)
        for citation, out in zip(result.citations, body["citations"]):
            out["location"] = _location(citation, index)
    return body


def _location(citation: Citation, index) -> dict | None:
    """Where a citation starts, or None (no sections; or its document changed since it was cited)."""
    try:
        text = index.document_text(citation.source)
    except QAError:
        return None
    if text[citation.start : citation.end] != citation.text:
        return None
    location = location_of(citation.source, text, citation.start)
    if location is None:
        return None
    return {"kind": location[0], "number": location[1], "row": row_of(citation.source, text, citation.start)}


# What opens in the browser rather than downloads: what cannot run a script in this site.
INLINE_TYPES = frozenset({"application/pdf", "text/plain", "image/png", "image/jpeg", "image/tiff"})
# Types `mimetypes` may not know on every system.
_MEDIA_TYPES = {".md": "text/markdown", ".eml": "message/rfc822", ".epub": "application/epub+zip", ".csv": "text/csv"}


def _original_file(name: str, settings: Settings) -> Path:
    """The file of the document named ``name``; 404 when there is none, 409 when two
    documents (in two corpus subfolders) have that name: which one is meant cannot be told."""
    try:
        path = document_file(name, settings=settings) if name and "/" not in name and "\\" not in name else None
    except DocumentError as exc:
        raise HTTPException(409, str(exc)) from None
    if path is None:
        raise HTTPException(
            404, f"No indexed document with a file is named {name!r}: see GET {API_PREFIX}/documents."
        )
    return path


def _media_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@lru_cache(maxsize=32)
def _rendered_page(path: str, modified_ns: int, size: int, number: int) -> bytes:
    """A PDF's page image, kept for the next ask while the file is unchanged (its time and size)."""
    return render_page(Path(path).read_bytes(), number)


def _document(info: DocumentInfo) -> dict:
    # The name, not the path: a client does not see the server's folders.
    return {
        "source": info.name,
        "name": info.name,
        "characters": info.characters,
        "uploaded": info.uploaded,
        "section_kind": info.section_kind,
        "sections": info.sections,
        "size": info.size,
        "added": info.added,
    }


def _listing(settings: Settings, *, added: set[str] = frozenset()) -> dict:
    """The documents and the skipped files; with `added` (sources), those documents first."""
    collection = default_collection(settings)
    documents = collection.documents()
    skipped = [
        {"path": document_name(s.path), "reason": s.reason.replace(s.path, document_name(s.path))}
        for s in collection.skipped
    ]
    indexing = collection.indexing
    listing = {
        "documents": [_document(d) for d in documents],
        "skipped": skipped,
        "indexing": indexing.to_dict() if indexing is not None else None,
    }
    return {"added": [_document(d) for d in documents if d.source in added], **listing} if added else listing


# --- errors: always {"error": message} ---------------------------------------------------------
# The handlers are `async`: Starlette runs a plain `def` one in its thread pool, where the
# error would wait for a free thread like any listing.


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Only where and what: pydantic's `input` would echo the whole (maybe huge) value back.
    details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    summary = "; ".join(
        "the body is not valid JSON"
        if d["type"] == "json_invalid"
        else f"{'.'.join(str(part) for part in d['loc'][1:]) or 'body'}: {d['msg']}"
        for d in details
    )
    return JSONResponse({"error": f"Invalid request: {summary}.", "details": details}, 422)


async def _refused(request: Request, exc: QAError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, 400)


async def _unavailable(request: Request, exc: QAError) -> JSONResponse:
    """The index's database is down: try again later (503), not a bad request."""
    return JSONResponse({"error": str(exc)}, 503, headers={"Retry-After": "5"})


async def _failed(request: Request, exc: Exception) -> JSONResponse:
    # The exception is handed in, not being handled: `logger.exception` would log `NoneType: None`.
    logger.error("The REST API failed on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": "qa failed unexpectedly; the server's log says why."}, 500)


async def _send_error(scope: Scope, send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    """An error response sent from ASGI middleware, before any route runs."""
    response = JSONResponse({"error": message}, status, headers=headers)
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


# --- login ---------------------------------------------------------------------------------------


class _Login:
    """Who may call: the `QA_AUTH` user and password (HTTP Basic) or the `QA_API_TOKEN` (Bearer)."""

    def __init__(self, settings: Settings):
        credentials = settings.credentials
        self._basic = (credentials[0].encode(), credentials[1].encode()) if credentials else None
        self._token = settings.api_token.encode() if settings.api_token else None

    @property
    def required(self) -> bool:
        return self._basic is not None or self._token is not None

    @property
    def challenge(self) -> str:
        return 'Basic realm="qa", charset="UTF-8"' if self._basic else 'Bearer realm="qa"'

    @property
    def hint(self) -> str:
        ways = ["`Authorization: Basic` with the QA_AUTH user and password"] * bool(self._basic) + [
            "`Authorization: Bearer` with the QA_API_TOKEN"
        ] * bool(self._token)
        return f"Log in: send {' or '.join(ways)}."

    def allows(self, authorization: str | None) -> bool:
        if not self.required:
            return True
        scheme, _, value = (authorization or "").partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self._token is not None:
            return hmac.compare_digest(value.encode(), self._token)
        if scheme.lower() == "basic" and self._basic is not None:
            try:
                user, _, password = base64.b64decode(value, validate=True).partition(b":")
            except (binascii.Error, ValueError):
                return False
            # Both compared every time: how long it takes says nothing about which one is wrong.
            user_ok = hmac.compare_digest(user, self._basic[0])
            password_ok = hmac.compare_digest(password, self._basic[1])
            return user_ok and password_ok
        return False


class _RequireLogin:
    """ASGI middleware: a request without the login gets 401 before anything is read or run."""

    def __init__(self, app: ASGIApp, login: _Login):
        self.app = app
        self.login = login

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and not self.login.allows(Headers(scope=scope).get("authorization"))
            and not _signed_link(scope)
        ):
            await _send_error(
                scope,
                send,
                401,
                self.login.hint,
                {"WWW-Authenticate": self.login.challenge},
            )
            return
        await self.app(scope, receive, send)


def _signed_link(scope: Scope) -> bool:
    """A `GET` of a link the logged-in web page wrote (`qa.serving.links`): the login for that path alone."""
    if scope.get("method") not in ("GET", "HEAD"):
        return False
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return link_allowed(path, scope.get("query_string", b"").decode("latin-1"))


# --- other sites --------------------------------------------------------------------------------

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SameOrigin:
    """ASGI middleware: a web page of another site gets 403, not the API (nor the web app,
    which `app.py` puts behind it too).

    A page the user visits can send a form to http://127.0.0.1:7860 (browsers send a
    multipart POST without asking first), or re-point its own name at 127.0.0.1 (DNS
    rebinding) and read the replies. So a change (POST, DELETE) coming from a browser
    on another origin (`Origin`, `Sec-Fetch-Site`) is refused, and on a loopback bind
    any request naming another host than a loopback one is. curl and programs send
    neither header and are not affected.
    """

    def __init__(self, app: ASGIApp, host: str):
        self.app = app
        self.loopback = is_loopback(host)
        self.host = host.strip("[]").lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal:
                await _send_error(scope, send, 403, refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name = _hostname(host)
        if self.loopback and name != self.host and not is_loopback(name):
            return f"This server answers requests for this machine only, not for host {host!r}."
        if scope.get("method") in _UNSAFE_METHODS:
            origin = headers.get("origin")
            cross_site = headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site")
            # An opaque origin ("null": a sandboxed page, a file) is another site too.
            if cross_site or (origin and origin.split("://", 1)[-1].rstrip("/").lower() != host.lower()):
                return "A page of another site cannot change documents or ask through this server."
        return None


def _hostname(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:7860` -> `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# --- request bodies ------------------------------------------------------------------------------


class _CapBody:
    """ASGI middleware: a body other than a multipart upload is kept at most `MAX_JSON_BYTES` long.

    The body is read here, then handed on. A longer one gets 413 and is not kept: it is
    read on and dropped (up to `DRAIN_BYTES`), so that a client still sending it reads
    the 413 rather than a reset connection. Uploads stream to disk in `_receive_files`,
    under their own caps.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        # Only the upload route streams its body (to disk, under its own caps).
        is_upload = scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith("/documents")
        if headers is None or is_upload:
            await self.app(scope, receive, send)
            return
        too_large = f"The request body is over {MAX_JSON_BYTES // 1024} KB."
        if _content_length(headers) > DRAIN_BYTES:
            await _send_error(scope, send, 413, too_large)
            return
        body, received = bytearray(), 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received <= MAX_JSON_BYTES:
                body += chunk
            if not message.get("more_body", False) or received > DRAIN_BYTES:
                break
        if received > MAX_JSON_BYTES:
            await _send_error(scope, send, 413, too_large)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # after the body: wait for the client to disconnect
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


def _content_length(headers: Headers) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


# Plain form fields an upload may carry beside its files (the rest are ignored), and how long one may be.
FORM_FIELDS = ("replace",)
MAX_FIELD_BYTES = 64

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "replace": {
                        "type": "boolean",
                        "default": False,
                        "description": "Replace an upload of the same name (as the `replace` query parameter).",
                    },
                },
                "required": ["files"],
            }
        }
    },
}


def _flag(field: str, value: str | None) -> bool:
    """A form field's yes or no, spelled as a query's would be (`true`, `1`, `yes`, `on`)."""
    if value is None:
        return False
    value = value.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise HTTPException(422, f"Invalid request: {field} must be true or false, not {value[:20]!r}.")


class _UploadParts:
    """python-multipart callbacks that write each file of a multipart body to `folder`.

    A file over `limit` bytes, an unsupported type or too many files raise
    `HTTPException` at once, so nothing past the limit is written.
    """

    def __init__(self, folder: Path, limit: int, limit_mb: int):
        self.folder, self.limit, self.limit_mb = folder, limit, limit_mb
        self.files: list[tuple[Path, str]] = []  # (where it was written, its name)
        self.fields: dict[str, str] = {}  # the `FORM_FIELDS` sent, each cut to `MAX_FIELD_BYTES`
        self._form_field: str | None = None  # the one being read
        self._field_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field, self._value = b"", b""
        self._out = None
        self._size = 0
        self.complete = False  # the closing boundary was read

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._add(field=data[start:end]),
            "on_header_value": lambda data, start, end: self._add(value=data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
            "on_end": self._finished,
        }

    def _finished(self) -> None:
        self.complete = True

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def _begin(self) -> None:
        self._headers, self._size = {}, 0

    def _add(self, *, field: bytes = b"", value: bytes = b"") -> None:
        self._field += field
        self._value += value

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"filename" not in options:  # a plain form field: kept when it is one of ours
            name = options.get(b"name", b"").decode("latin-1")
            self._form_field, self._field_value = (name, b"") if name in FORM_FIELDS else (None, b"")
            return
        name = _decode_name(options[b"filename"])
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise HTTPException(
                415,
                f"{name}: unsupported file type ({Path(name).suffix.lower() or 'no extension'}); "
                f"qa reads {', '.join(SUPPORTED_SUFFIXES)}.",
            )
        if len(self.files) == MAX_UPLOAD_FILES:
            raise HTTPException(413, f"At most {MAX_UPLOAD_FILES} documents per request.")
        path = self.folder / f"{len(self.files)}{Path(name).suffix.lower()}"
        self.files.append((path, name))
        self._out = path.open("wb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._out is None:
            if self._form_field is not None:
                self._field_value = (self._field_value + data[start:end])[:MAX_FIELD_BYTES]
            return
        self._size += end - start
        if self._size > self.limit:
            raise HTTPException(413, f"{self.files[-1][1]}: over the {self.limit_mb} MB limit (QA_MAX_UPLOAD_MB).")
        # Small writes to a local file (python-multipart's callbacks are synchronous).
        self._out.write(data[start:end])

    def _end(self) -> None:
        self.close()
        if self._form_field is not None:
            self.fields[self._form_field] = _decode_name(self._field_value)
            self._form_field = None


async def _receive_files(
    request: Request, folder: Path, limit_mb: int
) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """Stream an upload's files into `folder`: (path, name) of each, and the `FORM_FIELDS` sent.

    A refused body is read on to its end (discarded, up to the request's cap) before the
    error is sent, so that the client, still sending, reads the answer.
    """
    limit = limit_mb * 1024 * 1024
    request_cap = MAX_UPLOAD_FILES * (limit + 64 * 1024)
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise HTTPException(415, "Send the documents as multipart/form-data, in the field `files`.")
    if _content_length(request.headers) > request_cap:
        raise HTTPException(413, f"The request is over {request_cap // (1024 * 1024)} MB.")
    parts = _UploadParts(folder, limit, limit_mb)
    parser = MultipartParser(options[b"boundary"], parts.callbacks())
    refusal: HTTPException | None = None
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > request_cap:
                raise refusal or HTTPException(413, f"The request is over {request_cap // (1024 * 1024)} MB.")
            if refusal is None:
                try:
                    parser.write(chunk)
                except HTTPException as exc:
                    refusal = exc
                except MultipartParseError:
                    refusal = HTTPException(400, "The multipart body is malformed.")
        if refusal is not None:
            raise refusal
        parser.finalize()
    finally:
        parts.close()
    if not parts.complete:
        raise HTTPException(400, "The multipart body ends before its closing boundary: nothing was added.")
    if not parts.files:
        raise HTTPException(400, "No document in the request: send files in the multipart field `files`.")
    return parts.files, parts.fields


def _decode_name(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
