"""The on-disk index: documents, chunk and sentence tables, their vectors and a manifest.

Layout of an index folder::

    CURRENT                  name of the live version folder (swapped atomically)
    v<timestamp>/
        manifest.json        model, chunking settings, documents and their hashes,
                             and a SHA-256 of every other file here
        documents.jsonl      one {"source", "text"} a line: the text offsets point into
        chunks.npy           int64 rows: document, start, end, first sentence, last sentence + 1
        sentences.npy        int64 rows: document, start, end
        sentence_vectors.faiss  FAISS index of the sentences' embeddings (dense retrieval
                             ranks a chunk by its best sentence)
        chunk_sparse.npz     sparse latent-term vectors of the chunks (`qa.sparse`; no
                             columns when the model has no sparse head)
        vocabulary.json      the documents' content words (see `qa.lexical.key_words`)
        word_vectors.npy     float32 embeddings of those words, to match a question's
                             words across languages

A build writes a new version folder beside the live one, then replaces `CURRENT`, so a
crash at any point leaves the previous index whole. Nothing is pickled.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.chunking import chunk_document, split_sentences
from qa.config import Settings
from qa.documents import SUPPORTED_SUFFIXES, content_hash, read_document
from qa.errors import IndexCorruptError, IndexNotFoundError, QAError
from qa.lexical import fingerprint as lexicon_fingerprint, key_words
from qa.sparse import load_sparse, save_sparse
from qa.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

FORMAT_VERSION = 7  # bump when chunking, sentence splitting, what is embedded or files change
# (the word lists behind the vocabulary are recorded apart: `qa.lexical.fingerprint`)

# A sentence this short ("» Une classe moyenne se développe.", a heading) says too little
# for the model alone, and e5 scores short texts high against anything: it is embedded
# with the sentences on either side (the window grounding reads), and still cited alone.
# On ../shared/eval/piaf_sample.json two such fragments of other paragraphs outranked the
# answer's: hit@1 46 -> 47 of 51, hit@3 49 -> 50; seed and multilingual sets unchanged
# (the same at 50 characters; 60 cost a seed first citation).
SHORT_SENTENCE_CHARS = 40
CURRENT_FILE = "CURRENT"
_MANIFEST = "manifest.json"
_DATA_FILES = (
    "documents.jsonl",
    "chunks.npy",
    "sentences.npy",
    "sentence_vectors.faiss",
    "chunk_sparse.npz",
    "vocabulary.json",
    "word_vectors.npy",
)


@dataclass(frozen=True)
class Document:
    """A document as indexed: offsets of passages and citations point into ``text``."""

    source: str
    text: str

    @functools.cached_property
    def sha256(self) -> str:
        return content_hash(self.text)


class Index:
    """An index loaded in memory; build one with `build_index`, open one with `load_index`."""

    def __init__(
        self,
        *,
        documents: list[Document],
        chunks: np.ndarray,
        sentences: np.ndarray,
        sentence_store: FaissVectorStore,
        chunk_sparse,
        vocabulary: list[str],
        word_vectors: np.ndarray,
        model: str,
        chunk_size: int,
        chunk_overlap: int,
        directory: Path | None = None,
    ):
        self.documents = documents
        self.chunks = chunks
        self.sentences = sentences
        self.sentence_store = sentence_store
        self.chunk_sparse = chunk_sparse
        # Chunks and their sentence ranges both grow in document order, so the chunks
        # holding sentence s are the contiguous run with first <= s < last.
        self._chunks_from = np.searchsorted(chunks[:, 4], np.arange(len(sentences)), side="right")
        self._chunks_to = np.searchsorted(chunks[:, 3], np.arange(len(sentences)), side="right")
        self.vocabulary = vocabulary
        self.word_vectors = word_vectors
        self.word_ids = {word: i for i, word in enumerate(vocabulary)}
        self.model = model
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.directory = directory
        self._by_source = {doc.source: doc for doc in documents}
        self._lexical_lock = threading.Lock()
        self._lexical = None
        self._document_stems: dict[int, frozenset[str]] = {}

    @property
    def sentence_vectors(self) -> np.ndarray:
        """All sentence vectors, in sentence order: a copy, made on each call.

        Answering reads the few it needs from the store (`sentence_store.vectors_of`):
        a copy kept beside the store would double the memory of a big index (1.5 GB
        more at a million sentences).
        """
        return self.sentence_store.vectors()

    def __repr__(self) -> str:
        return f"Index({len(self.documents)} documents, {len(self.chunks)} chunks, model={self.model!r})"

    @property
    def sources(self) -> list[str]:
        return [doc.source for doc in self.documents]

    def document_text(self, source: str) -> str:
        """The text of an indexed document, as its offsets index it."""
        try:
            return self._by_source[source].text
        except KeyError:
            raise QAError(f"{source!r} is not in this index; indexed documents: {', '.join(self.sources)}.") from None

    def document_stems(self, document: int) -> frozenset[str]:
        """The lexical terms of a document (computed once, on first use)."""
        from qa.lexical import terms

        with self._lexical_lock:
            if document not in self._document_stems:
                self._document_stems[document] = frozenset(terms(self.documents[document].text, keep_stopwords=True))
            return self._document_stems[document]

    @functools.cached_property
    def vocabulary_stems(self) -> frozenset[str]:
        """The lexical terms of all the documents' content words."""
        from qa.lexical import terms

        return frozenset(t for word in self.vocabulary for t in terms(word, keep_stopwords=True))

    def chunks_of_sentence(self, sentence: int) -> range:
        """The chunks that hold a sentence (one, or two where chunks overlap)."""
        return range(int(self._chunks_from[sentence]), int(self._chunks_to[sentence]))

    def span_text(self, document: int, start: int, end: int) -> str:
        return self.documents[document].text[start:end]

    def chunk_text(self, chunk: int) -> str:
        doc, start, end = self.chunks[chunk, :3]
        return self.span_text(int(doc), int(start), int(end))

    @property
    def lexical(self):
        """The BM25 index over chunks, built on first use."""
        from qa.lexical import LexicalIndex

        with self._lexical_lock:
            if self._lexical is None:
                self._lexical = LexicalIndex([self.chunk_text(i) for i in range(len(self.chunks))])
            return self._lexical

    def merged(self, other: Index) -> Index:
        """This index followed by ``other``'s documents (same model and chunking)."""
        from scipy.sparse import vstack

        doc_offset, sentence_offset = len(self.documents), len(self.sentences)
        chunks = other.chunks.copy()
        chunks[:, 0] += doc_offset
        chunks[:, 3:5] += sentence_offset
        sentences = other.sentences.copy()
        sentences[:, 0] += doc_offset
        vectors = np.vstack([self.sentence_store.vectors(), other.sentence_store.vectors()])
        return Index(
            documents=self.documents + other.documents,
            chunks=np.vstack([self.chunks, chunks]),
            sentences=np.vstack([self.sentences, sentences]),
            sentence_store=FaissVectorStore.from_vectors(vectors),
            chunk_sparse=vstack([self.chunk_sparse, other.chunk_sparse]).tocsr(),
            vocabulary=self.vocabulary + other.vocabulary,
            word_vectors=np.vstack([self.word_vectors, other.word_vectors]),
            model=self.model,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
        )

    def without(self, source: str) -> Index:
        """This index less one document; nothing is embedded again."""
        removed = self.sources.index(source)
        keep_sentences = self.sentences[:, 0] != removed
        keep_chunks = self.chunks[:, 0] != removed
        removed_before = np.cumsum(~keep_sentences)  # sentences dropped up to each index
        chunks = self.chunks[keep_chunks].copy()
        sentences = self.sentences[keep_sentences].copy()
        for table in (chunks, sentences):
            table[:, 0] -= table[:, 0] > removed
        if len(chunks):
            shift = np.concatenate([[0], removed_before])
            chunks[:, 3] -= shift[chunks[:, 3]]
            chunks[:, 4] -= shift[chunks[:, 4]]
        return Index(
            documents=[d for i, d in enumerate(self.documents) if i != removed],
            chunks=chunks,
            sentences=sentences,
            sentence_store=FaissVectorStore.from_vectors(self.sentence_store.vectors_of(np.flatnonzero(keep_sentences))),
            chunk_sparse=self.chunk_sparse[np.flatnonzero(keep_chunks)],
            vocabulary=self.vocabulary,
            word_vectors=self.word_vectors,
            model=self.model,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
        )

    def manifest(self) -> dict:
        return {
            "format": FORMAT_VERSION,
            "lexicon": lexicon_fingerprint(),
            "short_sentence_chars": SHORT_SENTENCE_CHARS,
            "model": self.model,
            "dimension": int(self.sentence_store.dimension),
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "documents": [{"source": d.source, "sha256": d.sha256, "chars": len(d.text)} for d in self.documents],
            "chunks": int(len(self.chunks)),
            "sentences": int(len(self.sentences)),
        }

    def save(self, directory: str | Path) -> None:
        """Write the index to ``directory`` atomically: the previous index stays whole until the swap."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=directory))
        try:
            with open(staging / "documents.jsonl", "w", encoding="utf-8") as out:
                for doc in self.documents:
                    out.write(json.dumps({"source": doc.source, "text": doc.text}, ensure_ascii=False) + "\n")
            np.save(staging / "chunks.npy", self.chunks, allow_pickle=False)
            np.save(staging / "sentences.npy", self.sentences, allow_pickle=False)
            self.sentence_store.save(staging / "sentence_vectors.faiss")
            save_sparse(staging / "chunk_sparse.npz", self.chunk_sparse)
            (staging / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
            np.save(staging / "word_vectors.npy", self.word_vectors, allow_pickle=False)
            manifest = self.manifest() | {"files": {name: _file_sha256(staging / name) for name in _DATA_FILES}}
            (staging / _MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
            for name in (*_DATA_FILES, _MANIFEST):
                _fsync(staging / name)
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
        self.directory = directory
        _remove_old_versions(directory, keep=version)
        logger.info("Wrote %r to %s", self, directory)


def build_index(
    paths: list[str | Path],
    index_dir: str | Path | None = None,
    *,
    settings: Settings | None = None,
    show_progress: bool = False,
) -> Index:
    """Read, chunk and embed documents into a new index, and write it to ``index_dir``.

    Args:
        paths: `.txt` or `.md` files; each passage's `source` is the path as given here.
        index_dir: where to write the index (default `QA_INDEX_DIR`). The previous
            index there stays loadable until the new one is complete.
        settings: chunking and model settings (default: from `QA_*` variables).
        show_progress: show a progress bar while embedding.

    Returns:
        The new index, already in memory.

    Raises:
        DocumentError: a document is missing, unsupported, binary or empty; nothing is written.

    Example:
        >>> idx = build_index(["seeds/poutine-coree-du-nord.txt"], "/tmp/qa-index")
        >>> len(idx.documents)
        1
    """
    from qa.embedding import load_embedder

    settings = settings or Settings.from_env()
    index_dir = Path(index_dir) if index_dir is not None else settings.index_dir
    documents = _read_documents(paths)
    index = encode_documents(documents, load_embedder(settings), settings, show_progress=show_progress)
    index.save(index_dir)
    return index


def encode_documents(
    documents: list[Document],
    embedder,
    settings: Settings,
    *,
    known_words: dict[str, int] | None = None,
    show_progress: bool = False,
) -> Index:
    """An in-memory index of ``documents``: split, chunk and embed them.

    Args:
        known_words: words already embedded elsewhere (an index being extended);
            only the others are embedded and kept in the new index's vocabulary.
    """
    chunk_rows, sentence_rows = [], []
    for doc_id, doc in enumerate(documents):
        sentences = split_sentences(doc.text)
        first_sentence = len(sentence_rows)
        sentence_rows.extend((doc_id, s.start, s.end) for s in sentences)
        starts = np.array([s.start for s in sentences], dtype=np.int64)
        ends = np.array([s.end for s in sentences], dtype=np.int64)
        for chunk in chunk_document(doc.text, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap):
            # sentences overlapping the chunk: they end after it starts and start before it ends
            lo = first_sentence + int(np.searchsorted(ends, chunk.start, side="right"))
            hi = first_sentence + int(np.searchsorted(starts, chunk.end, side="left"))
            chunk_rows.append((doc_id, chunk.start, chunk.end, lo, max(hi, lo)))

    texts = _sentence_texts(documents, sentence_rows)
    known = known_words or {}
    vocabulary = sorted({word for doc in documents for word in key_words(doc.text, type_words=True)} - known.keys())
    logger.info("Embedding %d sentences and %d words", len(sentence_rows), len(vocabulary))
    vectors = _embed(embedder.embed_passages, texts, embedder.dimension, show_progress)
    # Words are embedded as queries: a question's words are compared with them as equals.
    word_vectors = _embed(embedder.embed_queries, vocabulary, embedder.dimension, show_progress)
    return Index(
        documents=documents,
        chunks=np.array(chunk_rows, dtype=np.int64).reshape(-1, 5),
        sentences=np.array(sentence_rows, dtype=np.int64).reshape(-1, 3),
        sentence_store=FaissVectorStore.from_vectors(vectors),
        chunk_sparse=_sparse_vectors(embedder, [documents[d].text[s:e] for d, s, e, *_ in chunk_rows]),
        vocabulary=vocabulary,
        word_vectors=word_vectors,
        model=embedder.name,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
    )


def sentence_window(sentences, sentence: int) -> tuple[int, int, int]:
    """(document, start, end) of a sentence with its neighbours in the same document.

    Args:
        sentences: (document, start, end) rows, in document order.

    This is the context a reader sees, what answering's grounding reads, and what a
    short sentence is embedded with.
    """
    doc, start, end = (int(v) for v in sentences[sentence])
    if sentence > 0 and sentences[sentence - 1][0] == doc:
        start = int(sentences[sentence - 1][1])
    if sentence + 1 < len(sentences) and sentences[sentence + 1][0] == doc:
        end = int(sentences[sentence + 1][2])
    return doc, start, end


def _sentence_texts(documents: list[Document], rows: list[tuple[int, int, int]]) -> list[str]:
    """What is embedded of each sentence: itself, or its window when short."""
    texts = []
    for i, (doc, start, end) in enumerate(rows):
        if end - start < SHORT_SENTENCE_CHARS:
            doc, start, end = sentence_window(rows, i)
        texts.append(documents[doc].text[start:end])
    return texts


def _sparse_vectors(embedder, texts: list[str]):
    from scipy.sparse import csr_matrix

    if not embedder.has_sparse:
        return csr_matrix((len(texts), 0), dtype=np.float32)
    return embedder.embed_sparse(texts)


def _embed(encode, texts: list[str], dimension: int, show_progress: bool) -> np.ndarray:
    if not texts:
        return np.zeros((0, dimension), dtype=np.float32)
    return encode(texts, show_progress=show_progress)


def load_index(index_dir: str | Path) -> Index:
    """Open the index stored in ``index_dir``, checking every file against its checksum.

    Raises:
        IndexNotFoundError: the folder holds no qa index.
        IndexCorruptError: a file is missing, truncated or altered.

    Example:
        >>> idx = load_index("index")
    """
    directory = Path(index_dir)
    try:
        version = (directory / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        raise IndexNotFoundError(
            f"{directory} holds no qa index. Build one with `qa index` or `build_index(paths, {str(directory)!r})`."
        ) from None
    folder = directory / version
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        if (manifest.get("format"), manifest.get("lexicon"), manifest.get("short_sentence_chars")) != (
            FORMAT_VERSION,
            lexicon_fingerprint(),
            SHORT_SENTENCE_CHARS,
        ):
            raise IndexCorruptError(f"{folder} was written by another version of qa; rebuild it with `qa index`.")
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
            directory=directory,
        )
    except IndexCorruptError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"The index in {directory} cannot be read ({exc}); rebuild it with `qa index`.") from exc


def corpus_paths(settings: Settings) -> list[Path]:
    """The documents of the default index: `QA_CORPUS_DIR`, then `QA_UPLOAD_DIR`."""
    paths: list[Path] = []
    for folder in (settings.corpus_dir, settings.upload_dir):
        if folder.is_dir():
            paths.extend(
                sorted(
                    p
                    for p in folder.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                )
            )
    return paths


_default_lock = threading.Lock()
_default_cache: dict[tuple, tuple[tuple, Index]] = {}


def default_index(settings: Settings | None = None, *, show_progress: bool = False) -> Index:
    """The index of the default corpus, built when missing and rebuilt when stale.

    Stale means the documents in `QA_CORPUS_DIR`/`QA_UPLOAD_DIR` changed, or the model
    or chunking settings differ from those that built it.
    """
    settings = settings or Settings.from_env()
    paths = corpus_paths(settings)
    with _default_lock:
        cached = _default_cache.get(_cache_key(settings))
        if cached and cached[0] == _signature(paths):
            return cached[1]
        index = _fresh_index(settings, paths, show_progress=show_progress)
        _default_cache[_cache_key(settings)] = (_signature(paths), index)
        return index


def remember_default_index(settings: Settings, index: Index) -> None:
    """Make ``index`` the default index in memory, after the corpus changed on disk."""
    with _default_lock:
        _default_cache[_cache_key(settings)] = (_signature(corpus_paths(settings)), index)


def _cache_key(settings: Settings) -> tuple:
    return (settings.index_dir.resolve(), settings.corpus_dir.resolve(), settings.upload_dir.resolve(), settings.embedding_model)


def _signature(paths: list[Path]) -> tuple:
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


def _fresh_index(settings: Settings, paths: list[Path], *, show_progress: bool) -> Index:
    from qa.embedding import model_name

    try:
        index = load_index(settings.index_dir)
    except IndexNotFoundError:
        logger.info("No index in %s yet: building it", settings.index_dir)
        return build_index(paths, settings.index_dir, settings=settings, show_progress=show_progress)
    except IndexCorruptError as exc:
        logger.warning("%s Rebuilding it from the documents.", exc)
        return build_index(paths, settings.index_dir, settings=settings, show_progress=show_progress)
    wanted = {str(p): content_hash(read_document(p)) for p in paths}
    have = {d.source: d.sha256 for d in index.documents}
    settings_match = (index.model, index.chunk_size, index.chunk_overlap) == (
        model_name(settings),
        settings.chunk_size,
        settings.chunk_overlap,
    )
    if wanted == have and settings_match:
        return index
    logger.info("The index in %s is stale: rebuilding it", settings.index_dir)
    return build_index(paths, settings.index_dir, settings=settings, show_progress=show_progress)


def _read_documents(paths: list[str | Path]) -> list[Document]:
    documents: dict[str, Document] = {}
    for path in paths:
        source = str(path)
        if source not in documents:
            documents[source] = Document(source, read_document(path))
    return list(documents.values())


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
    for entry in directory.iterdir():
        is_version = entry.name.startswith("v") and entry.name[1:].isdigit()
        if entry.is_dir() and is_version and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)
