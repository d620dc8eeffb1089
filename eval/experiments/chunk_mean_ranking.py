"""A fourth ranking for the fusion, its weight chosen by cross-validation grouped by
article. Two kinds were measured:

- the mean of a chunk's sentence vectors (free: no new pass of the model), over the union
  of the three rankings' candidates;
- with `--passages`, the chunk's own e5 passage embedding (one more pass at build time),
  its first 50 chunks over the whole corpus.

    .venv/bin/python eval/experiments/fusion_weights.py      # caches the three rankings
    .venv/bin/python eval/experiments/chunk_mean_ranking.py [--passages]
"""

from __future__ import annotations

import itertools
import pickle
import sys

import numpy as np
from fusion_weights import EVAL, SCRATCH, top_document

from qa.config import Settings
from qa.encoding.embedding import load_embedder
from qa.tools.evaluation import _paragraph_index, read_examples
from qa.retrieving.retrieval import encode_query

GRID = list(itertools.product((0.75, 1.0), (0.75, 1.0), (0.0, 0.25, 0.5, 0.75, 1.0), (2, 3, 5)))
SHIPPED = (0.75, 1.0, 0.0, 3)  # sparse, lexical, chunk-mean weights and k; dense is 1.0


def chunk_mean_rankings(rows, settings, embedder, passages: bool = False) -> list[list[int]]:
    """Each question's chunks ordered by their mean sentence vector's similarity to it, or
    by their passage embedding's."""
    rankings = []
    for name in ("piaf_open_dev.json", "piaf_open_dev_xling.json"):
        path = EVAL / name
        examples, paragraphs = read_examples(path)
        index = _paragraph_index(path, paragraphs, settings, show_progress=False)
        if passages:
            chunk_vectors = embedder.embed_passages([index.chunk_text(i) for i in range(len(index.chunks))])
        else:
            vectors = index.sentence_store.vectors()
            chunk_vectors = np.stack([vectors[c[3] : max(c[4], c[3] + 1)].mean(0) for c in index.chunks])
            chunk_vectors /= np.maximum(np.linalg.norm(chunk_vectors, axis=1, keepdims=True), 1e-9)
        for example in examples:
            if not example.answerable:
                continue
            query, _ = encode_query(example.question, embedder, index)
            if passages:
                rankings.append(list(np.argsort(-(chunk_vectors @ query.vector), kind="stable")[:50]))
                continue
            union = sorted(set().union(*rows[len(rankings)][2]))
            order = np.argsort(-(chunk_vectors[union] @ query.vector), kind="stable")
            rankings.append([union[j] for j in order])
    return rankings


def main() -> None:
    settings = Settings.from_env()
    with open(SCRATCH, "rb") as scratch:
        rows, chunk_documents = pickle.load(scratch)
    fourth = chunk_mean_rankings(rows, settings, load_embedder(settings), passages="--passages" in sys.argv)
    hits = np.array(
        [
            [top_document(chunk_documents, (*row[2], extra), (1.0, s, lex, m), k) == row[1] for (s, lex, m, k) in GRID]
            for row, extra in zip(rows, fourth)
        ]
    )
    fold = np.array([row[0] for row in rows]) % 5
    chosen = np.zeros(len(rows), bool)
    for f in range(5):
        best = int(np.argmax(hits[fold != f].mean(axis=0)))
        chosen[fold == f] = hits[fold == f, best]
        print(f"fold {f}: chose {GRID[best]}")
    print(f"cross-validated hit@1 {chosen.mean():.4f}; shipped fusion {hits[:, GRID.index(SHIPPED)].mean():.4f}")
    alone = np.array([chunk_documents[extra[0]] == row[1] for row, extra in zip(rows, fourth)])
    print(f"the fourth ranking alone: hit@1 {alone.mean():.4f}")


if __name__ == "__main__":
    main()
