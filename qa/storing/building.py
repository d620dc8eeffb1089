"""Building an index: read documents, split and chunk them, embed their sentences and words.

`build_index` makes a new index and saves it; `encode_documents` makes one in memory
(what `qa.storing.collection` extends the default index with).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.errors import IndexingCancelled
from qa.reading.chunking import chunk_document, split_sentences
from qa.reading.documents import read_document
from qa.reading.formats.layout import is_table_row
from qa.storing.index import SHORT_SENTENCE_CHARS, Document, Index, document_words, sentence_window
from qa.storing.spill import SpilledRows
from qa.storing.storage import index_store, save_index
from qa.storing.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

# Told how a build advances, as progress(step, done, total): "documents" read (files, by
# `qa.storing.collection`), then "sentences" and "words" embedded, counted in the tokens the
# model read (its time goes in proportion to them, not to texts: a sentence of 60 tokens
# costs ten words), reported after each of the model's batches. A chunk's sparse vector
# comes from its sentences' pass, so chunks are no step of their own. Each embedding
# step is announced with done = 0 before the first one starts, so a progress bar knows
# the whole plan; the calls come from the thread doing the work.
Progress = Callable[[str, int, int], None]


def build_index(
    paths: list[str | Path],
    index_dir: str | Path | None = None,
    *,
    settings: Settings | None = None,
    show_progress: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Index:
    """Read, chunk and embed documents into a new index, and write it to ``index_dir``.

    Args:
        paths: files of `qa.reading.documents.SUPPORTED_SUFFIXES` (`.txt`, `.md`, `.pdf`,
            `.html`, `.docx`, `.odt`, `.epub`, `.eml`, ...); each passage's
            `source` is the path as given here.
        index_dir: where to write the index (default: the default store, `QA_INDEX_DIR`,
            or Milvus with `QA_STORE=milvus`). The previous index there stays loadable
            until the new one is complete.
        settings: chunking and model settings (default: from `QA_*` variables).
        show_progress: show a progress bar while embedding.
        progress: called as the embedding advances (see `Progress`).
        cancel: once set, the build stops at the end of the model's batch under way.

    Returns:
        The new index, already in memory.

    Raises:
        DocumentError: a document is missing, unsupported, binary or empty; nothing is written.
        IndexingCancelled: ``cancel`` was set; nothing is written.

    Example:
        >>> idx = build_index(["seeds/poutine-coree-du-nord.txt"], "/tmp/qa-index")
        >>> len(idx.documents)
        1
    """
    from qa.encoding.embedding import load_embedder

    settings = settings or Settings.from_env()
    documents = read_documents(paths)
    index = encode_documents(
        documents, load_embedder(settings), settings, show_progress=show_progress, progress=progress, cancel=cancel
    )
    if index_dir is None:
        index_store(settings).save(index)
    else:
        save_index(index, Path(index_dir))
    return index


def encode_documents(
    documents: list[Document],
    embedder,
    settings: Settings,
    *,
    known_words: dict[str, int] | None = None,
    show_progress: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Index:
    """An in-memory index of ``documents``: split, chunk and embed them.

    Args:
        known_words: words already embedded elsewhere (an index being extended);
            only the others are embedded and kept in the new index's vocabulary.
        show_progress: progress bars with a time estimate on the terminal (tqdm).
        progress: called as the embedding advances (see `Progress`).
        cancel: once set, the work stops at the end of the model's batch under way
            (`IndexingCancelled`); nothing is kept of it.

    The model runs once on each sentence (`Embedder.encode_sentences`: its vector, and
    the sparse vector its chunks pool) and once on each new word, in slices of `_SLICE`
    texts. The vectors wait in temporary files in ``settings.cache_dir``
    (`qa.storing.spill`) until the vector store is filled from them.

    Raises:
        IndexingCancelled: ``cancel`` was set.
    """
    _check(cancel)
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

    texts, spans = _sentence_texts(documents, sentence_rows)
    known = known_words or {}
    vocabulary = sorted(set().union(*(document_words(doc) for doc in documents)) - known.keys())
    chunks = np.array(chunk_rows, dtype=np.int64).reshape(-1, 5)
    _check(cancel)
    # The work is counted in tokens, before it starts: a progress report's share of it,
    # and the time left, are then in proportion to the model's time.
    sentence_tokens = embedder.token_counts(texts, "passage")
    word_tokens = embedder.token_counts(vocabulary, "query")
    # Words are embedded shortest first: the model batches words of one length together,
    # and a slice of words of one or two lengths fills its batches (in alphabetical order
    # a slice held a dozen lengths, each a small batch: words took 2.5x longer).
    word_order = np.argsort(np.array(word_tokens, dtype=np.int64), kind="stable")
    logger.info(
        "Embedding %d sentences (%d tokens) and %d words (%d tokens)",
        len(texts), sum(sentence_tokens), len(vocabulary), sum(word_tokens),
    )
    steps = {
        "sentences": _Step("sentences", sum(sentence_tokens), progress, cancel, show_progress and bool(texts)),
        "words": _Step("words", sum(word_tokens), progress, cancel, show_progress and bool(vocabulary)),
    }
    for step in steps.values():
        step.announce()
    from qa.encoding.torch_encoder import resolve_precision

    precision = settings.precision
    # Each slice's vectors go to a temporary file as they are made (`qa.storing.spill`), not into
    # memory: the model's working memory and the finished index's never add up with them.
    with (
        SpilledRows(embedder.dimension, settings.cache_dir) as sentence_vectors,
        SpilledRows(embedder.dimension, settings.cache_dir) as word_vectors,
        steps["sentences"] as step,
    ):
        sparse_parts = []
        for start, stop in _slices(len(texts)):
            vectors, sparse = embedder.encode_sentences(
                texts[start:stop], spans[start:stop], precision=precision, on_batch=step
            )
            sparse_parts.append(_pool_slice(sparse, len(sentence_vectors), chunks))
            sentence_vectors.append(vectors)
        step.close()
        # Words are embedded as queries: a question's words are compared with them as equals.
        with steps["words"] as step:
            for start, stop in _slices(len(vocabulary)):
                part = [vocabulary[i] for i in word_order[start:stop]]
                word_vectors.append(embedder.embed_words(part, precision=precision, on_batch=step))
        sentence_store = FaissVectorStore.from_spilled(sentence_vectors)
        words = _in_order(word_vectors, word_order)
    return Index(
        documents=documents,
        chunks=chunks,
        sentences=np.array(sentence_rows, dtype=np.int64).reshape(-1, 3),
        sentence_store=sentence_store,
        chunk_sparse=_chunk_sparse(sparse_parts, chunks),
        vocabulary=vocabulary,
        word_vectors=words,
        model=embedder.name,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        precision=resolve_precision(precision),
    )


def _sentence_texts(documents: list[Document], rows: list[tuple[int, int, int]]) -> tuple[list[str], list[tuple[int, int]]]:
    """What is embedded of each sentence (itself, or its window when short and not a
    table's row), and where the sentence itself lies in that text."""
    texts, spans = [], []
    for i, (doc, start, end) in enumerate(rows):
        text_start, text_end = start, end
        if end - start < SHORT_SENTENCE_CHARS and not is_table_row(documents[doc].text[start:end]):
            doc, text_start, text_end = sentence_window(rows, i)
        texts.append(documents[doc].text[text_start:text_end])
        spans.append((start - text_start, end - text_start))
    return texts, spans


def _pool_slice(sentence_sparse, first_sentence: int, chunks: np.ndarray):
    """A slice's share of its chunks' sparse vectors: (chunk rows, their vectors pooled
    over the sentences of the slice), or None for a model without the sparse head.

    Args:
        sentence_sparse: the sparse vectors of sentences ``first_sentence`` onwards.
    """
    from qa.encoding.sparse import pool_rows

    if sentence_sparse is None:
        return None
    end = first_sentence + sentence_sparse.shape[0]
    lo, hi = chunks[:, 3], chunks[:, 4]
    touched = np.flatnonzero((lo < end) & (hi > first_sentence))
    first = np.clip(lo[touched], first_sentence, end) - first_sentence
    last = np.clip(hi[touched], first_sentence, end) - first_sentence
    return touched, pool_rows(sentence_sparse, first, last)


def _chunk_sparse(parts: list, chunks: np.ndarray):
    """Each chunk's sparse vector from the slices' shares (`_pool_slice`): a chunk whose
    sentences span two slices takes the max of its two shares (`qa.encoding.sparse.pool_rows`
    loses nothing by pooling in steps). An empty matrix for a model without the sparse
    head (its parts are None).

    Pooling each slice as it is embedded keeps a chunk's vector (2 KB), not each of its
    sentences' until the end: at 84,740 sentences they took 0.3 GB at a build's peak.
    """
    from scipy.sparse import csr_matrix, vstack

    from qa.encoding.sparse import pool_rows

    if parts[0] is None:
        return csr_matrix((len(chunks), 0), dtype=np.float32)
    owners = np.concatenate([touched for touched, _ in parts])
    order = np.argsort(owners, kind="stable")
    shares = vstack([rows for _, rows in parts], format="csr")[order]
    owners = owners[order]
    rows = np.arange(len(chunks))
    return pool_rows(shares, np.searchsorted(owners, rows, "left"), np.searchsorted(owners, rows, "right"))


# Texts given to the model at a time. It sorts a call's texts by length and batches
# those of similar length (`qa.encoding.torch_encoder`): from more texts come fuller
# batches of more even lengths. On 2,048 sentences of the Debian reference, slices of
# 2,048 took half the time of slices of 256 (36 s against 66 s of CPU, 2 cores), and
# 2,048 words 11 s against 31-40 s. Progress is reported after each batch, not each slice.
_SLICE = 2048


def _slices(count: int) -> list[tuple[int, int]]:
    """(start, stop) of ``count`` items in slices of `_SLICE`: at least one, maybe empty
    (an empty index has its empty vector arrays)."""
    return [(start, min(start + _SLICE, count)) for start in range(0, max(count, 1), _SLICE)]


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise IndexingCancelled()


class _Step:
    """An embedding step's reports, after each of the model's batches: the tokens done
    so far to ``progress``, a tqdm bar with a time estimate when ``bar``; a set ``cancel``
    stops the work there (`IndexingCancelled`)."""

    def __init__(self, name: str, total: int, progress: Progress | None, cancel: threading.Event | None, bar: bool):
        self.name, self.total, self.done = name, total, 0
        self._progress, self._cancel, self._wants_bar = progress, cancel, bar
        self._bar = None

    def announce(self) -> None:
        if self._progress is not None:
            self._progress(self.name, 0, self.total)

    def __enter__(self) -> _Step:
        if self._wants_bar:
            from tqdm.auto import tqdm

            label = {"sentences": "Embedding sentences", "words": "Embedding words"}.get(self.name, self.name)
            self._bar = tqdm(total=self.total, desc=label, unit="token", unit_scale=True)
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, texts: int, tokens: int) -> None:
        self.done = min(self.done + tokens, self.total)
        if self._bar is not None:
            self._bar.update(tokens)
        if self._progress is not None:
            self._progress(self.name, self.done, self.total)
        _check(self._cancel)


def _in_order(rows: SpilledRows, order: np.ndarray) -> np.ndarray:
    """The rows, written in ``order``, back in their own order (row ``order[i]`` was written i-th)."""
    vectors = np.empty((len(rows), rows.dimension), dtype=np.float32)
    start = 0
    for part in rows.slices():
        vectors[order[start : start + len(part)]] = part
        start += len(part)
    return vectors


def read_documents(paths: list[str | Path]) -> list[Document]:
    """The documents at ``paths``, each once, in order.

    Raises:
        DocumentError: one of them cannot be read (naming it).
    """
    documents: dict[str, Document] = {}
    for path in paths:
        source = str(path)
        if source not in documents:
            documents[source] = Document(source, read_document(path))
    return list(documents.values())
