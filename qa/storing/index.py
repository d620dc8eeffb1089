"""An index in memory: documents, chunk and sentence tables, and their vectors.

`qa.storing.building` makes one from documents, `qa.storing.storage` holds the on-disk
format, and `qa.storing.collection` keeps the default corpus's index up to date.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.reading.documents import content_hash
from qa.errors import QAError
from qa.text.lexical import key_words
from qa.storing.vectors import FaissVectorStore

logger = logging.getLogger(__name__)

# A sentence this short ("» Une classe moyenne se développe.", a heading) says too little
# for the model alone, and e5 scores short texts high against anything: it is embedded
# with the sentences on either side (the window grounding reads), and still cited alone.
# On ../shared/eval/piaf_sample.json two such fragments of other paragraphs outranked the
# answer's: hit@1 46 -> 47 of 51, hit@3 49 -> 50; seed and multilingual sets unchanged
# (the same at 50 characters; 60 cost a seed first citation). A table's row
# ("City: Tokyo; Daily allowance: 120 EUR.", `qa.reading.formats.layout.is_table_row`)
# is embedded alone however short: with its neighbours, the rows of a table were one
# blur, and "What is the daily allowance in Tokyo?" quoted the Oslo row first. No short
# sentence of the eval sets' documents (352 texts) reads as a row, so they are unchanged.
SHORT_SENTENCE_CHARS = 40

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


def document_words(document: Document) -> frozenset[str]:
    """The words of a document that the vocabulary holds (`qa.text.lexical.key_words`)."""
    return frozenset(key_words(document.text, type_words=True))
