"""Building an index: read documents, split and chunk them, embed their sentences and words.

`build_index` makes a new index and saves it; `encode_documents` makes one in memory
(what `qa.storing.collection` extends the default index with).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.reading.chunking import chunk_document, split_sentences
from qa.reading.documents import read_document
from qa.reading.formats.layout import is_table_row
from qa.storing.index import SHORT_SENTENCE_CHARS, Document, Index, document_words, sentence_window
from qa.storing.spill import SpilledRows
from qa.storing.storage import index_store, save_index
from qa.storing.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

# Told how a build advances, as progress(step, done, total): "documents" read (by
# `qa.storing.collection`), then "sentences" and "words" embedded (a chunk's sparse vector comes
# from its sentences' pass, so chunks are no step of their own). Each embedding
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

    Returns:
        The new index, already in memory.

    Raises:
        DocumentError: a document is missing, unsupported, binary or empty; nothing is written.

    Example:
        >>> idx = build_index(["seeds/poutine-coree-du-nord.txt"], "/tmp/qa-index")
        >>> len(idx.documents)
        1
    """
    from qa.encoding.embedding import load_embedder

    settings = settings or Settings.from_env()
    documents = read_documents(paths)
    index = encode_documents(
        documents, load_embedder(settings), settings, show_progress=show_progress, progress=progress
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
) -> Index:
    """An in-memory index of ``documents``: split, chunk and embed them.

    Args:
        known_words: words already embedded elsewhere (an index being extended);
            only the others are embedded and kept in the new index's vocabulary.
        show_progress: progress bars with a time estimate on the terminal (tqdm).
        progress: called as the embedding advances (see `Progress`).

    The model runs once on each sentence (`Embedder.encode_sentences`: its vector, and
    the sparse vector its chunks pool) and once on each new word, in slices of `_SLICE`
    texts between progress reports. The vectors wait in temporary files in
    ``settings.cache_dir`` (`qa.storing.spill`) until the vector store is filled from them.
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

    texts, spans = _sentence_texts(documents, sentence_rows)
    known = known_words or {}
    vocabulary = sorted(set().union(*(document_words(doc) for doc in documents)) - known.keys())
    chunks = np.array(chunk_rows, dtype=np.int64).reshape(-1, 5)
    logger.info("Embedding %d sentences and %d words", len(sentence_rows), len(vocabulary))
    if progress is not None:
        for step, items in (("sentences", texts), ("words", vocabulary)):
            progress(step, 0, len(items))
    from qa.encoding.torch_encoder import resolve_precision

    precision = settings.precision
    # Each slice's vectors go to a temporary file as they are made (`qa.storing.spill`), not into
    # memory: the model's working memory and the finished index's never add up with them.
    with (
        SpilledRows(embedder.dimension, settings.cache_dir) as sentence_vectors,
        SpilledRows(embedder.dimension, settings.cache_dir) as word_vectors,
    ):
        sparse_parts = []
        for part in _slices(list(zip(texts, spans)), _step(progress, "sentences"), show_progress, "Embedding sentences"):
            vectors, sparse = embedder.encode_sentences([t for t, _ in part], [s for _, s in part], precision=precision)
            sparse_parts.append(_pool_slice(sparse, len(sentence_vectors), chunks))
            sentence_vectors.append(vectors)
        # Words are embedded as queries: a question's words are compared with them as equals.
        for part in _slices(vocabulary, _step(progress, "words"), show_progress, "Embedding words"):
            word_vectors.append(embedder.embed_words(part, precision=precision))
        sentence_store = FaissVectorStore.from_spilled(sentence_vectors)
        words = word_vectors.array()
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


def _step(progress: Progress | None, step: str) -> Callable[[int, int], None] | None:
    return None if progress is None else lambda done, total: progress(step, done, total)


# Texts embedded between two progress reports: big enough that the model's batches stay
# full, small enough that a bar moves every few seconds.
_SLICE = 256


def _slices(items: list, progress, show_progress: bool, label: str):
    """``items`` in slices of `_SLICE` (at least one, maybe empty); after each is used,
    ``progress(done, total)`` and, when ``show_progress``, a tqdm bar with a time estimate."""
    bar = None
    if show_progress and items:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=label, unit="text")
    starts = list(range(0, len(items), _SLICE)) or [0]
    try:
        for start in starts:
            part = items[start : start + _SLICE]
            yield part
            if bar is not None:
                bar.update(len(part))
            if progress is not None:
                progress(start + len(part), len(items))
    finally:
        if bar is not None:
            bar.close()


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
