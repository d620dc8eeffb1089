"""An index in memory: documents, chunk and sentence tables, their vectors; and its build.

`build_index` reads, chunks and embeds documents and saves the result (`qa.storage`
holds the on-disk format); `qa.collection` keeps the default corpus's index up to date.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.reading.chunking import chunk_document, split_sentences
from qa.config import Settings
from qa.reading.documents import content_hash, read_document
from qa.errors import QAError
from qa.text.lexical import key_words
from qa.spill import SpilledRows
from qa.storage import CURRENT_FILE, load_index, save_index  # noqa: F401 (part of this module's API)
from qa.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

# A sentence this short ("» Une classe moyenne se développe.", a heading) says too little
# for the model alone, and e5 scores short texts high against anything: it is embedded
# with the sentences on either side (the window grounding reads), and still cited alone.
# On ../shared/eval/piaf_sample.json two such fragments of other paragraphs outranked the
# answer's: hit@1 46 -> 47 of 51, hit@3 49 -> 50; seed and multilingual sets unchanged
# (the same at 50 characters; 60 cost a seed first citation).
SHORT_SENTENCE_CHARS = 40

# Told how a build advances, as progress(step, done, total): "documents" read (by
# `qa.collection`), then "sentences" and "words" embedded (a chunk's sparse vector comes
# from its sentences' pass, so chunks are no step of their own). Each embedding
# step is announced with done = 0 before the first one starts, so a progress bar knows
# the whole plan; the calls come from the thread doing the work.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Document:
    """A document as indexed: offsets of passages and citations point into ``text``."""

    source: str
    text: str

    @functools.cached_property
    def sha256(self) -> str:
        return content_hash(self.text)


# How much of a document tells its language (`Index.document_language`).
LANGUAGE_SAMPLE_CHARACTERS = 1000


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
        precision: str = "fp32",
        directory: Path | None = None,
        version: str | None = None,
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
        # What the documents were embedded in (`Settings.precision`): "fp32", "bf16", or
        # both ("bf16+fp32") once documents embedded each way are merged.
        self.precision = precision
        self.directory = directory
        self.version = version  # the version folder it was loaded from or saved as
        self._by_source = {doc.source: doc for doc in documents}
        self._lexical_lock = threading.Lock()
        self._lexical = None
        self._document_stems: dict[int, frozenset[str]] = {}
        self._document_languages: dict[int, str] = {}

    def sentence_vectors(self) -> np.ndarray:
        """All sentence vectors, in sentence order: a new array on each call.

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
        from qa.text.lexical import terms

        with self._lexical_lock:
            if document not in self._document_stems:
                self._document_stems[document] = frozenset(terms(self.documents[document].text, keep_stopwords=True))
            return self._document_stems[document]

    def document_language(self, document: int) -> str:
        """The language of a document, told from its first characters (computed once)."""
        from qa.text.language import document_language

        with self._lexical_lock:
            if document not in self._document_languages:
                sample = self.documents[document].text[:LANGUAGE_SAMPLE_CHARACTERS]
                self._document_languages[document] = document_language(sample)
            return self._document_languages[document]

    @functools.cached_property
    def vocabulary_stems(self) -> frozenset[str]:
        """The lexical terms of all the documents' content words."""
        from qa.text.lexical import terms

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
        from qa.text.lexical import LexicalIndex

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
        return Index(
            documents=self.documents + other.documents,
            chunks=np.vstack([self.chunks, chunks]),
            sentences=np.vstack([self.sentences, sentences]),
            sentence_store=self.sentence_store.extended(other.sentence_store.vectors()),
            chunk_sparse=vstack([self.chunk_sparse, other.chunk_sparse]).tocsr(),
            vocabulary=self.vocabulary + other.vocabulary,
            word_vectors=np.vstack([self.word_vectors, other.word_vectors]),
            model=self.model,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            precision="+".join(sorted({*self.precision.split("+"), *other.precision.split("+")})),
        )

    def without(self, *sources: str) -> Index:
        """This index less some documents, as a fresh build of the others would be.

        Nothing is embedded again; the removed documents' own words leave the vocabulary
        (a word one shares with a kept document stays).
        """
        removed = {self.sources.index(source) for source in sources}
        kept_documents = np.array([i not in removed for i in range(len(self.documents))], dtype=bool)
        new_number = np.cumsum(kept_documents) - 1  # a kept document's place among the kept
        keep_sentences = kept_documents[self.sentences[:, 0]]
        keep_chunks = kept_documents[self.chunks[:, 0]]
        removed_before = np.cumsum(~keep_sentences)  # sentences dropped up to each index
        chunks = self.chunks[keep_chunks].copy()
        sentences = self.sentences[keep_sentences].copy()
        for table in (chunks, sentences):
            table[:, 0] = new_number[table[:, 0]]
        remaining = set().union(*(document_words(d) for i, d in enumerate(self.documents) if i not in removed))
        kept_words = sorted((i for i, word in enumerate(self.vocabulary) if word in remaining), key=self.vocabulary.__getitem__)
        if len(chunks):
            shift = np.concatenate([[0], removed_before])
            chunks[:, 3] -= shift[chunks[:, 3]]
            chunks[:, 4] -= shift[chunks[:, 4]]
        return Index(
            documents=[d for i, d in enumerate(self.documents) if i not in removed],
            chunks=chunks,
            sentences=sentences,
            sentence_store=self.sentence_store.subset(np.flatnonzero(keep_sentences)),
            chunk_sparse=self.chunk_sparse[np.flatnonzero(keep_chunks)],
            vocabulary=[self.vocabulary[i] for i in kept_words],
            word_vectors=self.word_vectors[kept_words],
            model=self.model,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            precision=self.precision,
        )

    def save(self, directory: str | Path) -> str:
        """Write the index to ``directory`` atomically (`qa.storage.save_index`); returns its version."""
        return save_index(self, directory)


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
        paths: `.txt`, `.md`, `.pdf`, `.html`/`.htm` or `.docx` files; each passage's
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
    from qa.storage import index_store

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
    ``settings.cache_dir`` (`qa.spill`) until the vector store is filled from them.
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
    # Each slice's vectors go to a temporary file as they are made (`qa.spill`), not into
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


def _sentence_texts(documents: list[Document], rows: list[tuple[int, int, int]]) -> tuple[list[str], list[tuple[int, int]]]:
    """What is embedded of each sentence (itself, or its window when short), and where
    the sentence itself lies in that text."""
    texts, spans = [], []
    for i, (doc, start, end) in enumerate(rows):
        text_start, text_end = start, end
        if end - start < SHORT_SENTENCE_CHARS:
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


def document_words(document: Document) -> frozenset[str]:
    """The words of a document that the vocabulary holds (`qa.text.lexical.key_words`)."""
    return frozenset(key_words(document.text, type_words=True))


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


def default_index(settings: Settings | None = None, *, show_progress: bool = False) -> Index:
    """The index of the default corpus (`QA_CORPUS_DIR` and `QA_UPLOAD_DIR`), kept up to date.

    Built when missing, rebuilt when stale; see `qa.collection.Collection.index`.
    """
    from qa.collection import default_collection

    return default_collection(settings).index(show_progress=show_progress)
