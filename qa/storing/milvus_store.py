"""An index in Milvus (`QA_STORE=milvus`), shared by every replica that points at it.

Each save writes a new version: five collections named `<prefix>_<version>_<table>`

    documents   source, text (in parts of `TEXT_PART` characters), sha256
    chunks      document, start, end, first sentence, last sentence + 1, sparse vector (JSON)
    sentences   document, start, end, dense vector: dense retrieval searches here
    words       the documents' content words and their vectors (a word longer than
                `TEXT_PART` characters in parts, on consecutive rows)
    manifest    model, chunking, format, counts (the same manifest as a folder index)

then makes it live in `<prefix>_current`. A build killed at any point leaves the
previous version live; what it wrote is dropped by the next save. Readers ask
`<prefix>_current` at each question (one query of a few rows) and load a new version when
it moved, so a document added through any replica or the CLI is seen by every replica at
its next question. Collections are created with `Strong` consistency: a read sees every
write acknowledged before it, which the writers' lease and tokens below rely on.

Milvus has no conditional write, so no row is written by two writers:

- The lease (`LeaseLock`, in `<prefix>_lock`): a writer writes a claim of its own (a
  random id, its name, an expiry), then reads the live claims back, and holds the lease
  when its claim is the only one. Two writers cannot both read only their own (each reads
  after its own write), so one holds it at most; two that see each other both withdraw
  and try again after a random pause. A writer deletes its own claim only.
- The token (a fence): a writer that stalls longer than its lease (`_LEASE_S`) can find
  another holding it. So each holder first claims a token above every row of
  `<prefix>_current` (a row of its own, with no version yet), writes its version's
  collections as `v<token>`, and makes it live by writing the version into its row; the
  live version is the one of the highest row that has a version. It then reads back:
  when a higher token appeared meanwhile (another holder's), it withdraws its row and
  fails, and its version was never the highest. Otherwise its version is live, and any
  later holder, whose token row came after, reads it as the live version it builds on.
  A save drops versions below its own token only, never a later holder's. (When the
  later token lands between the write and the read-back, readers and the later holder
  may see the withdrawn version for that moment: a change reported as not saved may
  land; one reported as saved is never lost.)
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import IndexCorruptError, IndexNotFoundError, QAError, StoreRefusedError, StoreUnavailableError

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.storing.index import Index

logger = logging.getLogger(__name__)

TEXT_PART = 16_000  # characters of a document or a word per row (VARCHAR holds 65,535 bytes, 4 a character at most)
_VARCHAR = 65_535
_BATCH = 2_000  # rows per insert or query
_LEASE_S = 60.0  # a writer's lease, renewed every third of it while held: a killed writer blocks others this long
_RETRY_S = (0.2, 0.8)  # a writer that did not get the lease tries again after a random pause in this range
_TOKEN_BITS = 20  # a token's low bits are random, so that two taken in the same instant differ
_MAX_ROWS = 16_384  # Milvus's cap on a query's rows; `_current` and `_lock` hold a few
_CONNECT_TIMEOUT_S = 5.0
_CALL_TIMEOUT_S = 10.0
_WRITE_TIMEOUT_S = 120.0
_TABLES = ("documents", "chunks", "sentences", "words", "manifest")


# pymilvus's code for a server it could not connect to (`pymilvus.client.types.Status`),
# and Milvus's for a rate limit: both pass, the request may succeed later.
_CONNECT_FAILED, _RATE_LIMITED = 2, 8


def _is_connection_failure(exc: Exception) -> bool:
    """Whether ``exc`` says Milvus could not be reached or did not answer in time, rather
    than that it answered and refused (a value too long, a schema, a permission)."""
    import grpc
    from pymilvus.exceptions import ConnectError, MilvusException, MilvusUnavailableException

    if isinstance(exc, (grpc.RpcError, OSError, ConnectError, MilvusUnavailableException)):
        return True  # OSError: ConnectionError and TimeoutError among them
    if isinstance(exc, MilvusException):
        # pymilvus gives up retrying a transport error with the gRPC status as its code
        return isinstance(exc.code, grpc.StatusCode) or exc.code in (_CONNECT_FAILED, _RATE_LIMITED)
    return False


def _detail(exc: Exception) -> str:
    return " ".join(str(getattr(exc, "message", "") or exc).split())[:300]


def _unavailable(uri: str, exc: Exception) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"Milvus at {uri} did not answer ({_detail(exc)}). Start it (e.g. `milvus-lite server --data-dir DIR "
        f"--host 127.0.0.1 --port 19530`) or fix QA_MILVUS_URI / QA_MILVUS_TOKEN; answers resume once it is back."
    )


def _refused(uri: str, exc: Exception, doing: str) -> StoreRefusedError:
    return StoreRefusedError(
        f"Milvus at {uri} refused to {doing}: {_detail(exc)}. It answered, so trying again will not help: "
        "fix what it names (QA_MILVUS_TOKEN for a permission), or report this message if qa sent it."
    )


class _Timed:
    """A `MilvusClient` whose every call gives up after `_CALL_TIMEOUT_S` (inserts after
    `_WRITE_TIMEOUT_S`): pymilvus retries an unavailable server for minutes otherwise."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name: str):
        method = getattr(self._client, name)
        if not callable(method):
            return method
        limit = _WRITE_TIMEOUT_S if name in ("insert", "upsert", "create_collection", "load_collection") else _CALL_TIMEOUT_S

        def call(*args, **kwargs):
            kwargs.setdefault("timeout", limit)
            return method(*args, **kwargs)

        return call


def start_lite_server(data_dir, port: int | None = None, *, wait_s: float = 90.0) -> tuple[subprocess.Popen, str]:
    """Start `milvus-lite server` on a loopback port (a free one unless given) with its
    data in ``data_dir``, and wait until it answers; returns (process, URI).

    Used by `qa.tools.bench`, the tests and `eval/compare_milvus_bm25.py`; stop it with
    ``process.terminate()``.

    Raises:
        StoreUnavailableError: it exited or did not answer within ``wait_s``.
    """
    if port is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    command = [os.path.join(os.path.dirname(sys.executable), "milvus-lite"), "server", "--data-dir", str(data_dir),
               "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uri = f"http://127.0.0.1:{port}"
    from pymilvus import MilvusClient

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and process.poll() is None:
        try:  # the port opens before the server has read its data folder back
            MilvusClient(uri=uri, timeout=2).list_collections()
            return process, uri
        except Exception:
            time.sleep(0.3)
    process.kill()
    raise StoreUnavailableError(f"milvus-lite server on {uri} did not start within {wait_s:g} s.")


def _read(client, name: str, call):
    """``call()``, loading collection ``name`` first if Milvus released it (after a
    restart, Milvus Lite serves a collection again only once it is loaded)."""
    try:
        return call()
    except Exception as exc:
        if "load()" not in str(exc) and "released" not in str(exc) and "not loaded" not in str(exc):
            raise
    client.load_collection(name)
    return call()


class MilvusStore:
    """The versions of one corpus's index in Milvus, under `QA_MILVUS_PREFIX`.

    Example:
        >>> from qa import Settings, build_index
        >>> store = MilvusStore(Settings.from_env())  # QA_MILVUS_URI: nothing is connected yet
        >>> store.save(build_index(["seeds/a.txt"], "/tmp/i"))  # a Milvus server answers  # doctest: +SKIP
        'v1796049030720351722'
    """

    tracks_files = False  # the documents live in Milvus, not in local folders

    def __init__(self, settings: Settings):
        # pymilvus logs every failed call with its traceback; qa's error says it in one line.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        self.uri = settings.milvus_uri
        self.token = settings.milvus_token
        self.prefix = settings.milvus_prefix
        self.index_type = settings.milvus_index
        self._has_current = False  # `<prefix>_current` seen: never dropped but by `drop_all`
        self._local = threading.local()
        self.lock = LeaseLock(self)

    # --- connection ---------------------------------------------------------------

    def client(self):
        """A `MilvusClient` of this thread (gRPC channels are not shared across forks)."""
        client = getattr(self._local, "client", None)
        if client is None or getattr(self._local, "pid", None) != os.getpid():
            try:
                from pymilvus import MilvusClient
            except ImportError:
                raise QAError("QA_STORE=milvus needs pymilvus: pip install pymilvus milvus-lite (make install does).") from None
            try:
                client = MilvusClient(uri=self.uri, token=self.token, timeout=_CONNECT_TIMEOUT_S)
            except Exception as exc:  # pymilvus raises its own and gRPC's errors
                raise _unavailable(self.uri, exc) from None
            client = _Timed(client)
            self._local.client, self._local.pid = client, os.getpid()
        return client

    @contextmanager
    def _calls(self, doing: str = "answer a request"):
        """Milvus unreachable as `StoreUnavailableError` (a broken client is made anew next
        time); a request it refused as `StoreRefusedError`, saying what qa was ``doing``."""
        try:
            yield self.client()
        except QAError:
            raise
        except Exception as exc:
            from pymilvus.exceptions import MilvusException

            if _is_connection_failure(exc):
                self._local.client = None
                raise _unavailable(self.uri, exc) from None
            if isinstance(exc, MilvusException):
                raise _refused(self.uri, exc, doing) from None
            raise  # not Milvus's: a fault of qa's, with its traceback

    def _name(self, version: str, table: str) -> str:
        return f"{self.prefix}_{version}_{table}"

    # --- reading ------------------------------------------------------------------

    @property
    def _current(self) -> str:
        return f"{self.prefix}_current"

    def live_version(self) -> str | None:
        """The live version, or None when this prefix holds no index yet: the version of
        the highest token's row that has one (rows without are writers at work)."""
        name = self._current
        with self._calls("read which version is live") as client:
            if not self._has_current:
                if not client.has_collection(name):
                    return None
                self._has_current = True
            rows = _read(client, name, lambda: client.query(
                name, filter='version != ""', output_fields=["version"], limit=_MAX_ROWS, consistency_level="Strong"
            ))
        return max(rows, key=lambda row: row["id"])["version"] if rows else None

    def load(self) -> Index:
        """The live version's index; dense search stays in Milvus (`MilvusVectorStore`).

        Raises:
            IndexNotFoundError: no version is live under this prefix.
            IndexCorruptError: the live version is missing a collection or rows.
            StoreUnavailableError: Milvus cannot be reached.
        """
        from qa.encoding.sparse import rows_to_csr
        from qa.storing.index import Document, Index
        from qa.storing.manifest import check_manifest

        version = self.live_version()
        if version is None:
            raise IndexNotFoundError(
                f"Milvus at {self.uri} holds no qa index under the prefix {self.prefix!r}: build one with `qa index`."
            )
        with self._calls(f"read version {version}") as client:
            for table in _TABLES:
                if not client.has_collection(self._name(version, table)):
                    raise IndexCorruptError(f"Milvus version {version} has no {table} collection; rebuild with `qa index`.")
            manifest = json.loads(self._rows(version, "manifest", 1, ["json"])[0]["json"])
        check_manifest(manifest, f"Milvus version {version}")
        parts = self._rows(version, "documents", manifest["document_parts"], ["doc", "source", "text"])
        texts: dict[int, list[str]] = {}
        sources: dict[int, str] = {}
        for row in parts:  # ordered by id: documents in order, each document's parts in order
            texts.setdefault(row["doc"], []).append(row["text"])
            sources[row["doc"]] = row["source"]
        documents = [Document(sources[d], "".join(texts[d])) for d in range(manifest["document_count"])]
        chunk_rows = self._rows(version, "chunks", manifest["chunks"], ["doc", "start", "end", "first", "last", "sparse"])
        chunks = np.array([[r["doc"], r["start"], r["end"], r["first"], r["last"]] for r in chunk_rows], dtype=np.int64)
        sentence_rows = self._rows(version, "sentences", manifest["sentences"], ["doc", "start", "end"])
        sentences = np.array([[r["doc"], r["start"], r["end"]] for r in sentence_rows], dtype=np.int64)
        vocabulary, word_vectors = self._words(version, manifest)
        dimension = manifest["dimension"]
        index = Index(
            documents=documents,
            chunks=chunks.reshape(-1, 5),
            sentences=sentences.reshape(-1, 3),
            sentence_store=MilvusVectorStore(
                self, self._name(version, "sentences"), len(sentence_rows), dimension, manifest["milvus_index"]
            ),
            chunk_sparse=rows_to_csr([json.loads(r["sparse"]) for r in chunk_rows], manifest["sparse_columns"]),
            vocabulary=vocabulary,
            word_vectors=np.array(word_vectors, dtype=np.float32).reshape(-1, dimension),
            model=manifest["model"],
            chunk_size=manifest["chunk_size"],
            chunk_overlap=manifest["chunk_overlap"],
            precision=manifest["precision"],
            version=version,
        )
        return index

    def _words(self, version: str, manifest: dict) -> tuple[list[str], list[list[float]]]:
        """A version's vocabulary and word vectors; a word's later parts (`part` > 0)
        follow its first on the next rows. Versions written before words had parts hold
        one row a word, and no `word_rows` in their manifest."""
        if "word_rows" not in manifest:
            rows = self._rows(version, "words", manifest["words"], ["word", "vector"])
            return [r["word"] for r in rows], [r["vector"] for r in rows]
        words: list[str] = []
        vectors: list[list[float]] = []
        for row in self._rows(version, "words", manifest["word_rows"], ["word", "part", "vector"]):
            if row["part"]:
                words[-1] += row["word"]
            else:
                words.append(row["word"])
                vectors.append(row["vector"])
        if len(words) != manifest["words"]:
            raise IndexCorruptError(f"Milvus version {version} holds {len(words)} words, not {manifest['words']}; "
                                    "rebuild with `qa index`.")
        return words, vectors

    def _rows(self, version: str, table: str, count: int, fields: list[str]) -> list[dict]:
        """Rows 0..count-1 of a version's table, in id order."""
        name = self._name(version, table)
        rows: list[dict] = []
        with self._calls(f"read the {table} of version {version}") as client:
            for start in range(0, count, _BATCH):
                batch = _read(client, name, lambda: client.query(
                    name, filter=f"id >= {start} and id < {start + _BATCH}", output_fields=["id", *fields],
                    limit=_BATCH, consistency_level="Strong",
                ))
                rows.extend(sorted(batch, key=lambda r: r["id"]))
        if len(rows) != count:
            raise IndexCorruptError(f"Milvus collection {name} holds {len(rows)} rows, not {count}; rebuild with `qa index`.")
        return rows

    # --- writing ------------------------------------------------------------------

    def save(self, index: Index) -> str:
        """Write ``index`` as a new version and make it live; returns the version.

        The lock is taken here unless the caller holds it already.
        """
        with self.lock.held():
            token = self.lock.token_to_write()
            version = f"v{token}"
            previous = self.live_version()
            self._write(index, version)
            self.lock.renew()  # still the writer? (raises if another took over)
            self._make_live(token, version)
            self.lock.made_live()
            self._drop_versions(keep={version, previous}, below=token)
        index.version = version
        logger.info("Wrote %r to Milvus at %s as %s_%s", index, self.uri, self.prefix, version)
        return version

    def _tokens(self, client) -> list[int]:
        name = self._current
        rows = _read(client, name, lambda: client.query(
            name, filter="id >= 0", output_fields=["id"], limit=_MAX_ROWS, consistency_level="Strong"
        ))
        return [row["id"] for row in rows]

    def _fence(self) -> int | None:
        """Take a token above every row of `<prefix>_current`, as a row without a version:
        from then on no writer with a lower token can make its version live. None when a
        higher token appeared meanwhile (another writer holds the lease too; this one's
        row is withdrawn)."""
        name = self._current
        with self._calls("take a write token") as client:
            self._ensure(client, name, [("version", "varchar")])
            self._has_current = True
            top = max(self._tokens(client), default=0)
            token = max((top >> _TOKEN_BITS) + 1, time.time_ns() >> _TOKEN_BITS) << _TOKEN_BITS | secrets.randbits(_TOKEN_BITS)
            client.upsert(name, [{"id": token, "version": "", "_": [0.0, 0.0]}])
            if max(self._tokens(client), default=0) > token:
                client.delete(name, ids=[token])
                return None
        return token

    def _make_live(self, token: int, version: str) -> None:
        """Write ``version`` into this writer's token row, then read back: a higher token
        means another writer took the lease over, and the row is withdrawn.

        Raises:
            StoreUnavailableError: another writer took the lease over; nothing was made live.
        """
        name = self._current
        with self._calls(f"make version {version} live") as client:
            if max(self._tokens(client), default=0) <= token:  # else taken over long ago: write nothing
                client.upsert(name, [{"id": token, "version": version, "_": [0.0, 0.0]}])
                if max(self._tokens(client), default=0) <= token:
                    client.delete(name, filter=f"id < {token}")  # rows below the live one are read no more
                    return
                client.delete(name, ids=[token])
        raise self.lock.taken_over()

    def _write(self, index: Index, version: str) -> None:
        from qa.encoding.sparse import csr_to_rows
        from qa.storing.manifest import manifest_of

        dimension = int(index.sentence_store.dimension)
        parts = [
            (doc, document.source, document.text[start : start + TEXT_PART])
            for doc, document in enumerate(index.documents)
            for start in range(0, max(len(document.text), 1), TEXT_PART)
        ]
        # A word is kept whole, as a folder index keeps it: one over a field (a DNA
        # sequence, a hex dump) in parts, its vector on the first.
        no_vector = np.zeros(dimension, dtype=np.float32)
        word_rows = [
            {"word": word[start : start + TEXT_PART], "part": start // TEXT_PART, "vector": no_vector if start else vector}
            for word, vector in zip(index.vocabulary, index.word_vectors)
            for start in range(0, max(len(word), 1), TEXT_PART)
        ]
        manifest = manifest_of(index) | {
            "document_count": len(index.documents),
            "document_parts": len(parts),
            "words": len(index.vocabulary),
            "word_rows": len(word_rows),
            "sparse_columns": int(index.chunk_sparse.shape[1]),
            "milvus_index": self.index_type,
        }
        manifest.pop("documents")  # the documents table holds them
        sparse_rows = csr_to_rows(index.chunk_sparse)
        vectors = index.sentence_store.vectors()
        tables = {
            "documents": (
                [("doc", "int"), ("source", "varchar"), ("text", "varchar")],
                [{"doc": d, "source": s, "text": t} for d, s, t in parts],
            ),
            "chunks": (
                [("doc", "int"), ("start", "int"), ("end", "int"), ("first", "int"), ("last", "int"), ("sparse", "varchar")],
                [
                    dict(zip(("doc", "start", "end", "first", "last"), map(int, row)), sparse=json.dumps(sparse))
                    for row, sparse in zip(index.chunks, sparse_rows)
                ],
            ),
            "sentences": (
                [("doc", "int"), ("start", "int"), ("end", "int"), ("vector", dimension)],
                [dict(zip(("doc", "start", "end"), map(int, row)), vector=v) for row, v in zip(index.sentences, vectors)],
            ),
            "words": ([("word", "varchar"), ("part", "int"), ("vector", dimension)], word_rows),
            "manifest": ([("json", "varchar")], [{"json": json.dumps(manifest, ensure_ascii=False)}]),
        }
        with self._calls(f"write version {version}") as client:
            for table, (fields, rows) in tables.items():
                name = self._name(version, table)
                self._ensure(client, name, fields, index_type=self.index_type if table == "sentences" else "FLAT")
                for start in range(0, len(rows), _BATCH):
                    batch = [dict(row, id=start + i) for i, row in enumerate(rows[start : start + _BATCH])]
                    if not any(isinstance(kind, int) for _, kind in fields):
                        for row in batch:
                            row["_"] = [0.0, 0.0]
                    client.insert(name, batch)
                    self.lock.renew()

    @staticmethod
    def _ensure(client, name: str, fields: list[tuple[str, object]], *, index_type: str = "FLAT") -> None:
        """Create a collection with an int64 `id` and these fields (a dimension is a dense
        vector; Milvus wants one, so tables without get a 2-dimension `_` placeholder),
        its vector indexed as ``index_type`` (`QA_MILVUS_INDEX` for the sentences)."""
        from pymilvus import DataType

        if client.has_collection(name):
            return
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        vector_field = None
        for field, kind in fields:
            if kind == "int":
                schema.add_field(field, DataType.INT64)
            elif kind == "varchar":
                schema.add_field(field, DataType.VARCHAR, max_length=_VARCHAR)
            else:
                schema.add_field(field, DataType.FLOAT_VECTOR, dim=int(kind))
                vector_field = field
        if vector_field is None:
            vector_field = "_"
            schema.add_field("_", DataType.FLOAT_VECTOR, dim=2)
        params = client.prepare_index_params()
        params.add_index(vector_field, index_type=index_type, metric_type="IP")
        try:
            client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")
        except Exception:
            # Another writer creating it in the same instant: Milvus Lite then refuses
            # ("File exists") before the other's collection is listed, which it soon is.
            deadline = time.monotonic() + _CALL_TIMEOUT_S
            while not client.has_collection(name):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _drop_versions(self, *, keep: set[str | None], below: int) -> None:
        """Drop every version under the token ``below`` but ``keep``: older ones, and what
        killed or taken-over builds left. A version above it is a later holder's, at work."""
        with self._calls("drop old versions") as client:
            for name in client.list_collections():
                if not name.startswith(f"{self.prefix}_v"):
                    continue
                version, _, table = name[len(self.prefix) + 1 :].partition("_")
                if table in _TABLES and version not in keep and version[1:].isdigit() and int(version[1:]) < below:
                    client.drop_collection(name)

    def drop_all(self) -> None:
        """Remove every collection of this prefix: its versions, `_current` and `_lock`
        (not those of a longer prefix that starts the same, such as `qa_eval_...`)."""
        self._has_current = False
        with self._calls("drop qa's collections") as client:
            for name in client.list_collections():
                rest = name[len(self.prefix) + 1 :] if name.startswith(f"{self.prefix}_") else ""
                version, _, table = rest.partition("_")
                if rest in ("current", "lock") or (version[:1] == "v" and version[1:].isdigit() and table in _TABLES):
                    client.drop_collection(name)


class MilvusVectorStore:
    """The sentence vectors of one Milvus version, searched in Milvus (`qa.storing.vectors.VectorStore`)."""

    def __init__(self, store: MilvusStore, collection: str, count: int, dimension: int, index_type: str = "FLAT"):
        self.store, self.collection, self._count, self._dimension = store, collection, count, dimension
        self.index_type = index_type  # as the version was written (`QA_MILVUS_INDEX`)

    @property
    def kind(self) -> str:
        return f"milvus-{self.index_type.lower()}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def __len__(self) -> int:
        return self._count

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self._count or 1))
        with self.store._calls(f"search {self.collection}") as client:
            results = _read(client, self.collection, lambda: client.search(
                self.collection, data=[q.tolist() for q in np.atleast_2d(queries)], limit=k,
                search_params={"metric_type": "IP"}, consistency_level="Strong",
            ))
        scores = np.full((len(results), k), -np.inf, dtype=np.float32)
        ids = np.full((len(results), k), -1, dtype=np.int64)
        for row, hits in enumerate(results):
            for column, hit in enumerate(hits[:k]):
                scores[row, column], ids[row, column] = hit["distance"], hit["id"]
        return scores, ids

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        ids = [int(i) for i in np.asarray(ids).ravel()]
        if not ids:
            return np.zeros((0, self._dimension), dtype=np.float32)
        wanted = sorted(set(ids))
        found = {}
        with self.store._calls(f"read vectors of {self.collection}") as client:
            for start in range(0, len(wanted), _BATCH):  # a query's reply is capped (100 MB on Standalone)
                batch = wanted[start : start + _BATCH]
                rows = _read(client, self.collection, lambda: client.query(
                    self.collection, ids=batch, output_fields=["vector"], consistency_level="Strong"
                ))
                found.update((r["id"], r["vector"]) for r in rows)
        return np.array([found[i] for i in ids], dtype=np.float32)

    def vectors(self) -> np.ndarray:
        return self.vectors_of(np.arange(self._count)) if self._count else np.zeros((0, self._dimension), np.float32)

    def extended(self, vectors: np.ndarray):
        from qa.storing.vectors import FaissVectorStore

        return FaissVectorStore.from_vectors(np.vstack([self.vectors(), vectors]))

    def subset(self, ids: np.ndarray):
        from qa.storing.vectors import FaissVectorStore

        return FaissVectorStore.from_vectors(self.vectors_of(ids))

    def save(self, path) -> None:
        from qa.storing.vectors import FaissVectorStore

        FaissVectorStore.from_vectors(self.vectors()).save(path)


class LeaseLock:
    """The writers' lock of one Milvus prefix, shared by processes on any machine.

    Also a lock between the threads of this process. `acquire(blocking=False)` returns
    False when another writer holds it. How the lease and its token work: the module's
    docstring.
    """

    def __init__(self, store: MilvusStore):
        self.store = store
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._stop_renewing = threading.Event()
        self._renewer: threading.Thread | None = None
        self._lease_guard = threading.Lock()  # a renewal and a release never interleave
        self.lost = False  # another writer took the lease while this one held it
        self._claim: int | None = None  # this writer's row in `<prefix>_lock` while it holds the lease
        self._token: int | None = None  # its row in `<prefix>_current` (`MilvusStore._fence`)
        self._token_used = False  # a save wrote under it: the next save takes another
        self._token_live = False  # a version went live under it: its row is the live one, kept

    @property
    def _table(self) -> str:
        return f"{self.store.prefix}_lock"

    def acquire(self, *, blocking: bool = True) -> bool:
        if not self._thread_lock.acquire(blocking=blocking):
            return False
        if self._depth:
            self._depth += 1
            return True
        try:
            while not self._take():
                if not blocking:
                    self._thread_lock.release()
                    return False
                # Random: two writers that withdrew together do not come back together.
                time.sleep(random.uniform(*_RETRY_S))
        except BaseException:
            self._thread_lock.release()
            raise
        self._depth = 1
        self.lost = False
        # Embedding a large upload takes minutes: the lease is renewed until release.
        self._stop_renewing = threading.Event()
        self._renewer = threading.Thread(target=self._keep_renewing, args=(self._stop_renewing,), daemon=True)
        self._renewer.start()
        return True

    def _keep_renewing(self, stop: threading.Event) -> None:
        while not stop.wait(_LEASE_S / 3):
            with self._lease_guard:
                if stop.is_set():
                    return
                try:
                    self.renew()
                except QAError as exc:
                    logger.warning("Could not renew the write lease: %s", exc)

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            with self._lease_guard:
                self._stop_renewing.set()
            try:
                self._let_go()
            except QAError as exc:  # the lease then expires by itself; the caller's own error matters more
                logger.warning("Could not release the write lease: %s", exc)
            finally:
                self._thread_lock.release()
        else:
            self._thread_lock.release()

    def renew(self) -> None:
        """Push the lease's expiry further while a long write goes on.

        Raises:
            StoreUnavailableError: the lease ran out and another writer may have taken
                it (this one stalled or could not reach Milvus): this writer must stop.
        """
        if not self._depth:
            return
        with self.store._calls("renew the write lease") as client:
            rows = _read(client, self._table, lambda: client.query(
                self._table, ids=[self._claim], output_fields=["expires"], consistency_level="Strong"
            ))
            if self.lost or not rows or rows[0]["expires"] < time.time() * 1000:
                raise self.taken_over()
            client.upsert(self._table, [self._row(self._claim)])

    def token_to_write(self) -> int:
        """The token a save writes its version under: the lease's own for the first save,
        a new one for each save after it (a version name is never written twice).

        Raises:
            StoreUnavailableError: another writer took the lease over.
        """
        if self._token is None or self._token_used:
            token = self.store._fence()
            if token is None:
                raise self.taken_over()
            self._token, self._token_live = token, False
        self._token_used = True
        return self._token

    def made_live(self) -> None:
        """The version written under the current token is live: its row stays."""
        self._token_live = True

    def taken_over(self) -> StoreUnavailableError:
        self.lost = True
        return StoreUnavailableError(
            f"The write lease of {self.store.prefix!r} in Milvus at {self.store.uri} ran out while this writer "
            f"stalled or could not reach Milvus ({_LEASE_S:g} s), and another writer took it: this change was "
            "not saved; make it again."
        )

    @contextmanager
    def held(self):
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _row(self, claim: int) -> dict:
        return {"id": claim, "owner": self.owner, "expires": int((time.time() + _LEASE_S) * 1000), "_": [0.0, 0.0]}

    def _live_claims(self, client) -> list[int]:
        rows = _read(client, self._table, lambda: client.query(
            self._table, filter=f"expires >= {int(time.time() * 1000)}", output_fields=["owner"], limit=_MAX_ROWS,
            consistency_level="Strong",
        ))
        return [row["id"] for row in rows]

    def _take(self) -> bool:
        with self.store._calls("take the write lease") as client:
            MilvusStore._ensure(client, self._table, [("owner", "varchar"), ("expires", "int")])
            if self._live_claims(client):
                return False  # held, or being taken: no claim written
            claim = secrets.randbits(62) + 1
            client.upsert(self._table, [self._row(claim)])
            if self._live_claims(client) != [claim]:  # another claimed at once: both withdraw
                client.delete(self._table, ids=[claim])
                return False
            # Claims of writers gone for more than a lease: past their expiry, so never a live one.
            client.delete(self._table, filter=f"expires < {int((time.time() - _LEASE_S) * 1000)}")
        self._claim = claim
        try:
            token = self.store._fence()
        except BaseException:
            self._let_go()
            raise
        if token is None:  # a later writer's token is there already: it holds the lease too
            self._let_go()
            return False
        self._token, self._token_used, self._token_live = token, False, False
        return True

    def _let_go(self) -> None:
        """Delete this writer's claim, and its token's row unless a version went live
        under it: rows of its own, never another writer's."""
        claim, token, live = self._claim, self._token, self._token_live
        self._claim = self._token = None
        with self.store._calls("let go of the write lease") as client:
            if token is not None and not live:
                client.delete(self.store._current, ids=[token])
            if claim is not None:
                client.delete(self._table, ids=[claim])
