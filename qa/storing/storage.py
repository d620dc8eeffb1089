"""An index on disk: version folders, a manifest with checksums, an atomic swap.

Layout of an index folder::

    CURRENT                  name of the live version folder (swapped atomically)
    .qa-write.lock           the writers' lock (`qa.storing.locking`)
    v<timestamp>/
        manifest.json        model, chunking settings, documents and their hashes,
                             and a SHA-256 of every other file here
        documents.jsonl      one {"source", "text"} a line: the text offsets point into
        chunks.npy           int64 rows: document, start, end, first sentence, last sentence + 1
        sentences.npy        int64 rows: document, start, end
        sentence_vectors.faiss  FAISS index of the sentences' embeddings (dense retrieval
                             ranks a chunk by its best sentence)
        chunk_sparse.npz     sparse latent-term vectors of the chunks (`qa.encoding.sparse`; no
                             columns when the model has no sparse head)
        vocabulary.json      the documents' content words (see `qa.text.lexical.key_words`)
        word_vectors.npy     float32 embeddings of those words, to match a question's
                             words across languages

A save writes a new version folder beside the live one, then replaces `CURRENT`, so a
crash at any point leaves the previous index whole. Saves into one folder take its
`FolderLock`, and clean-up removes only folders that hold nothing but qa's own files:
a user's `v2/draft.txt` in the same folder is left alone. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.errors import IndexCorruptError, IndexNotFoundError
from qa.storing.index import Document, Index
from qa.storing.manifest import check_manifest, manifest_of
from qa.storing.locking import folder_lock
from qa.encoding.sparse import load_sparse, save_sparse
from qa.storing.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
MANIFEST = "manifest.json"
DATA_FILES = (
    "documents.jsonl",
    "chunks.npy",
    "sentences.npy",
    "sentence_vectors.faiss",
    "chunk_sparse.npz",
    "vocabulary.json",
    "word_vectors.npy",
)
_STAGING_PREFIX = ".building-"
# A reader that finds its version folder removed under it (a writer swapped CURRENT and
# cleaned up) reads CURRENT again, this many times.
_LOAD_ATTEMPTS = 3


def save_index(index: Index, directory: str | Path) -> str:
    """Write ``index`` into ``directory`` as a new live version; returns the version's name.

    The previous version stays whole and live until the new one is complete.
    """
    directory = Path(directory)
    with folder_lock(directory):
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=directory))
        try:
            _write_files(index, staging)
            _fsync(staging)  # its entries, before the folder becomes a version
            version = f"v{time.time_ns()}"
            os.rename(staging, directory / version)
            _fsync(directory)
            pointer = directory / f".{CURRENT_FILE}.{os.getpid()}.{threading.get_ident()}"
            pointer.write_text(version + "\n", encoding="utf-8")
            _fsync(pointer)
            os.replace(pointer, directory / CURRENT_FILE)
            _fsync(directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _remove_old_versions(directory, keep=version)
    index.directory, index.version = directory, version
    logger.info("Wrote %r to %s", index, directory / version)
    return version


def live_version(directory: str | Path) -> str | None:
    """The name of the live version folder, or None when the folder holds no index."""
    try:
        return (Path(directory) / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def load_index(index_dir: str | Path | None = None, *, settings=None) -> Index:
    """Open the index stored in ``index_dir``, checking every file against its checksum.

    Without ``index_dir``, the default store's live index: `QA_INDEX_DIR`, or Milvus
    with `QA_STORE=milvus` (``settings``, default `Settings.from_env()`).

    Raises:
        IndexNotFoundError: the folder holds no qa index.
        IndexCorruptError: a file is missing, truncated or altered.

    Example:
        >>> idx = load_index("index")  # the default QA_INDEX_DIR, once built (`qa index`)
        >>> idx.sources
        ['seeds/poutine-coree-du-nord.txt']
    """
    if index_dir is None:
        return index_store(settings or Settings.from_env()).load()
    directory = Path(index_dir)
    for attempt in range(_LOAD_ATTEMPTS):
        version = live_version(directory)
        if version is None:
            raise IndexNotFoundError(
                f"{directory} holds no qa index. Build one with `qa index` or `build_index(paths, {str(directory)!r})`."
            )
        try:
            return _load_version(directory, version)
        except IndexCorruptError:
            # Another process may have replaced this version while it was being read.
            if live_version(directory) == version or attempt == _LOAD_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _load_version(directory: Path, version: str) -> Index:
    folder = directory / version
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        check_manifest(manifest, str(folder))
        for name, expected in manifest["files"].items():
            if _file_sha256(folder / name) != expected:
                raise IndexCorruptError(f"{folder / name} is damaged (checksum mismatch); rebuild with `qa index`.")
        with open(folder / "documents.jsonl", encoding="utf-8") as lines:
            documents = [Document(**json.loads(line)) for line in lines]
        return Index(
            documents=documents,
            chunks=np.load(folder / "chunks.npy", allow_pickle=False),
            sentences=np.load(folder / "sentences.npy", allow_pickle=False),
            sentence_store=FaissVectorStore.load(folder / "sentence_vectors.faiss"),
            chunk_sparse=load_sparse(folder / "chunk_sparse.npz"),
            vocabulary=json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")),
            word_vectors=np.load(folder / "word_vectors.npy", allow_pickle=False),
            model=manifest["model"],
            chunk_size=manifest["chunk_size"],
            chunk_overlap=manifest["chunk_overlap"],
            precision=manifest["precision"],
            directory=directory,
            version=version,
        )
    except IndexCorruptError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"The index in {directory} cannot be read ({exc}); rebuild it with `qa index`.") from exc


def _write_files(index: Index, folder: Path) -> None:
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as out:
        for doc in index.documents:
            out.write(json.dumps({"source": doc.source, "text": doc.text}, ensure_ascii=False) + "\n")
    np.save(folder / "chunks.npy", index.chunks, allow_pickle=False)
    np.save(folder / "sentences.npy", index.sentences, allow_pickle=False)
    index.sentence_store.save(folder / "sentence_vectors.faiss")
    save_sparse(folder / "chunk_sparse.npz", index.chunk_sparse)
    (folder / "vocabulary.json").write_text(json.dumps(index.vocabulary, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "word_vectors.npy", index.word_vectors, allow_pickle=False)
    manifest = manifest_of(index) | {"files": {name: _file_sha256(folder / name) for name in DATA_FILES}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    for name in (*DATA_FILES, MANIFEST):
        _fsync(folder / name)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_old_versions(directory: Path, *, keep: str) -> None:
    """Remove earlier versions and what killed saves left: only folders holding nothing but qa's files."""
    ours = {*DATA_FILES, MANIFEST}
    for entry in directory.iterdir():
        if entry.name.startswith(f".{CURRENT_FILE}.") and entry.is_file():
            entry.unlink(missing_ok=True)  # the pointer of a save killed before its swap
            continue
        is_version = entry.name.startswith("v") and entry.name[1:].isdigit()
        if entry.name == keep or not entry.is_dir() or entry.is_symlink():
            continue
        if not (is_version or entry.name.startswith(_STAGING_PREFIX)):
            continue
        contents = list(entry.iterdir())
        if all(item.is_file() and not item.is_symlink() and item.name in ours for item in contents):
            if is_version and MANIFEST not in {item.name for item in contents}:
                continue  # an empty or foreign v<digits> folder: not ours to judge
            shutil.rmtree(entry, ignore_errors=True)


class FolderStore:
    """The versions of an index in a folder (`QA_STORE=faiss`): what `Collection` reads
    and writes through, as it does `qa.storing.milvus_store.MilvusStore`."""

    tracks_files = True  # the documents are the files of QA_CORPUS_DIR and QA_UPLOAD_DIR

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.lock = folder_lock(self.directory)

    def live_version(self) -> str | None:
        return live_version(self.directory)

    def load(self) -> Index:
        return load_index(self.directory)

    def save(self, index: Index) -> str:
        return save_index(index, self.directory)


def index_store(settings):
    """Where the default index of these settings lives: a folder, or Milvus."""
    if settings.store == "milvus":
        from qa.storing.milvus_store import MilvusStore

        return MilvusStore(settings)
    return FolderStore(settings.index_dir)
