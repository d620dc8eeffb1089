"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.errors import EmptyQuestionError
from qa.index import Index, default_index
from qa.results import Passage

# Reciprocal-rank fusion constant: 60 is the value of Cormack et al. (2009), robust
# across collections; a smaller value lets the first ranks dominate more.
RRF_K = 60
# Candidates taken from each ranking before fusion.
_CANDIDATES = 50


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


def search_chunks(index: Index, text: str, vector: np.ndarray, k: int) -> list[ChunkHit]:
    """The ``k`` best chunks for a query, by fused dense and lexical rank."""
    if not len(index.chunks) or k <= 0:
        return []
    dense_scores, dense_ids = index.chunk_vectors.search(vector[None, :], max(_CANDIDATES, k))
    dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0]) if i >= 0}
    lexical_all = index.lexical.scores(text)
    top_lexical = np.argsort(-lexical_all, kind="stable")[: max(_CANDIDATES, k)]
    fused: dict[int, float] = {}
    for rank, chunk in enumerate(dense, start=1):
        fused[chunk] = fused.get(chunk, 0.0) + 1.0 / (RRF_K + rank)
    for rank, chunk in enumerate((int(c) for c in top_lexical if lexical_all[c] > 0), start=1):
        fused[chunk] = fused.get(chunk, 0.0) + 1.0 / (RRF_K + rank)
    best = 2.0 / (RRF_K + 1)
    order = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    vectors_needed = [c for c in order if c not in dense]
    if vectors_needed:  # lexical-only hits: their dense similarity is still wanted as evidence
        dense.update(_dense_similarity(index, vector, vectors_needed))
    return [ChunkHit(c, fused[c] / best, dense[c], float(lexical_all[c])) for c in order]


def _dense_similarity(index: Index, vector: np.ndarray, chunks: list[int]) -> dict[int, float]:
    scores, ids = index.chunk_vectors.search(vector[None, :], len(index.chunks))
    by_id = dict(zip(ids[0].tolist(), scores[0].tolist()))
    return {c: float(by_id.get(c, 0.0)) for c in chunks}


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
) -> list[Passage]:
    """The passages that best match a question, best first.

    Args:
        question: in any language; documents may be in another.
        k: how many passages (default `QA_TOP_K`, 5).
        index: an index from `build_index`/`load_index` (default: the default corpus's).
        settings: default `Settings.from_env()`.

    Returns:
        Up to ``k`` passages; `Passage.score` is the fused relevance in (0, 1].

    Raises:
        EmptyQuestionError: the question is empty.

    Example:
        >>> retrieve("Quand Poutine ira-t-il à Pyongyang ?", k=3)[0].source
        'seeds/poutine-coree-du-nord.txt'
    """
    from qa.embedding import load_embedder

    settings = settings or Settings.from_env()
    question = clean_question(question, settings)
    index = index if index is not None else default_index(settings)
    vector = load_embedder(settings).embed_queries([question])[0]
    return to_passages(index, search_chunks(index, question, vector, k or settings.top_k))
