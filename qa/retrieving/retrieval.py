"""Hybrid retrieval: dense (FAISS), sparse (latent terms) and lexical (BM25) rankings
fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.errors import EmptyQuestionError
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.pipeline import DEFAULT_PIPELINE, Pipeline
from qa.results import Passage

# Reciprocal-rank fusion. k=60 (Cormack et al., 2009) flattens the head of each list;
# with three strong rankings the first ranks should count more. k and the rankings'
# weights (`Pipeline`'s, qa.pipeline) were chosen by 5-fold cross-validation grouped by
# article on the 1,950 answerable PIAF-open dev questions and their cross-lingual copies
# (eval/experiments/fusion_weights.py; docs/answer-step.md): every fold chose k = 2 or 3;
# hit@1 75.4% at k = 20 against 77.5% chosen per fold.
RRF_K = 3
# Candidates taken from each ranking before fusion.
_CANDIDATES = 50


@dataclass(frozen=True)
class Query:
    """A question as the rankings need it: its text, dense vector and sparse vector."""

    text: str
    vector: np.ndarray
    sparse: object | None = None


def encode_query(text: str, embedder, index: Index, extra: list[str] = ()) -> tuple[Query, np.ndarray]:
    """Embed a query for every ranking the index supports, and ``extra`` texts alongside.

    Returns:
        The query, and the query embeddings of the ``extra`` texts (one row each).
    """
    sparse = embedder.has_sparse and index.chunk_sparse.shape[1] > 0
    vectors, sparse_vector = embedder.embed_question(text, list(extra), sparse=sparse)
    return Query(text, vectors[0], sparse_vector), vectors[1:]


@dataclass(frozen=True)
class ChunkHit:
    """A chunk's place in the fused ranking, with the evidence behind it."""

    chunk: int
    score: float
    dense: float
    lexical: float


def clean_question(question: str, settings: Settings) -> str:
    """The question with control characters and surrounding space removed, cut to the limit.

    Raises:
        EmptyQuestionError: nothing is left to ask.
    """
    if not isinstance(question, str):
        raise EmptyQuestionError("The question must be text.")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in question).strip()
    if not cleaned:
        raise EmptyQuestionError("The question is empty: type a question about the documents.")
    return cleaned[: settings.max_question_chars]


def search_chunks(
    index: Index, query: Query, k: int, *, pipeline: Pipeline, leave_out: int | None = None
) -> list[ChunkHit]:
    """The ``k`` best chunks for a query, by fused dense, sparse and lexical rank.

    The dense ranking scores a chunk by its best sentence, not by the chunk as a whole:
    a question usually asks about one detail, and a chunk's single vector blurs it
    (on ../shared/eval/piaf_sample.json, hit@1 44/51 against 41/51).

    Args:
        pipeline: the rankings' weights.
        leave_out: a document whose chunks are passed over, as if it were not indexed
            (`qa.tools.fit` asks a question without the paragraph that answers it, to learn
            what a near miss looks like).
    """
    if not len(index.chunks) or k <= 0:
        return []
    candidates = max(_CANDIDATES, k)
    dense = _dense_chunk_scores(index, query.vector, candidates)
    lexical_all = index.lexical.scores(query.text)
    rankings = [(list(dense), pipeline.dense_weight), (_positive_top(lexical_all, candidates), pipeline.lexical_weight)]
    if query.sparse is not None:
        sparse_all = np.asarray((index.chunk_sparse @ query.sparse.T).todense()).ravel()
        rankings.append((_positive_top(sparse_all, candidates), pipeline.sparse_weight))
    if leave_out is not None:
        rankings = [([c for c in ranking if int(index.chunks[c, 0]) != leave_out], weight) for ranking, weight in rankings]
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, chunk in enumerate(ranking, start=1):
            fused[chunk] = fused.get(chunk, 0.0) + weight / (RRF_K + rank)
    order = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    # 1.0 = first in every ranking; `or`: only the absent sparse ranking had weight.
    best = sum(weight for _, weight in rankings) / (RRF_K + 1) or 1.0
    return [ChunkHit(c, fused[c] / best, dense.get(c, 0.0), float(lexical_all[c])) for c in order]


def _positive_top(scores: np.ndarray, n: int) -> list[int]:
    return [int(c) for c in _top(scores, n) if scores[c] > 0]


def _dense_chunk_scores(index: Index, vector: np.ndarray, n_chunks: int) -> dict[int, float]:
    """Chunks by their best sentence's similarity, best first, from a sentence search."""
    n_sentences = min(len(index.sentences), n_chunks * 8)
    similarities, ids = index.sentence_store.search(vector[None, :], n_sentences)
    dense: dict[int, float] = {}
    for similarity, sentence in zip(similarities[0].tolist(), ids[0].tolist()):
        if sentence < 0:
            break
        for chunk in index.chunks_of_sentence(sentence):
            dense.setdefault(chunk, similarity)
        if len(dense) >= n_chunks:
            break
    return dense


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first (ties by position)."""
    n = min(n, len(scores))
    part = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


def to_passages(index: Index, hits: list[ChunkHit]) -> list[Passage]:
    passages = []
    for hit in hits:
        doc, start, end = (int(v) for v in index.chunks[hit.chunk, :3])
        passages.append(
            Passage(
                text=index.span_text(doc, start, end),
                source=index.documents[doc].source,
                start=start,
                end=end,
                score=round(hit.score, 6),
            )
        )
    return passages


def retrieve(
    question: str,
    k: int | None = None,
    *,
    index: Index | None = None,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
) -> list[Passage]:
    """The passages that best match a question, best first.

    Args:
        question: in any language; documents may be in another.
        k: how many passages (default `QA_TOP_K`, 5).
        index: an index from `build_index`/`load_index` (default: the default corpus's).
        settings: default `Settings.from_env()`.
        pipeline: the rankings fused and their weights (default `Pipeline()`).

    Returns:
        Up to ``k`` passages; `Passage.score` is the fused relevance in (0, 1].

    Raises:
        EmptyQuestionError: the question is empty.

    Example:
        >>> retrieve("Quand Poutine ira-t-il à Pyongyang ?", k=3)[0].source
        'seeds/poutine-coree-du-nord.txt'
    """
    from qa.encoding.embedding import load_embedder

    settings = settings or Settings.from_env()
    question = clean_question(question, settings)
    index = index if index is not None else default_index(settings)
    query, _ = encode_query(question, load_embedder(settings), index)
    hits = search_chunks(index, query, k or settings.top_k, pipeline=pipeline or DEFAULT_PIPELINE)
    return to_passages(index, hits)
