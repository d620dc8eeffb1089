"""Retrieval fusion settings chosen by cross-validation (grouped by article): hit@1 of
the fused chunk ranking on PIAF-open dev and its cross-lingual copy.

    .venv/bin/python eval/experiments/fusion_weights.py

Each question's three rankings (dense by best sentence, BM25, learned sparse) are
computed once; every (dense, sparse, lexical weight, RRF k) of the grid is then scored
offline. The setting is chosen on 4 folds of articles and scored on the fifth.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.encoding.embedding import load_embedder
from qa.tools.evaluation import _paragraph_index, read_examples
from qa.retrieving.retrieval import _CANDIDATES, _dense_chunk_scores, _positive_top, encode_query

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
DENSE = (1.0,)
# A first grid (sparse 0.5-2.0, lexical 0-1.0, k 5-60) put the best at k = 5 and
# lexical 1.0, its edges; this one is centred there.
SPARSE = (0.5, 0.75, 1.0)
LEXICAL = (0.5, 0.75, 1.0, 1.25, 1.5)
RRF = (1, 2, 3, 5, 8, 10, 20)
SCRATCH = Path("/tmp/qa-fusion-rankings.pkl")


def rankings(index, embedder, question: str):
    query, _ = encode_query(question, embedder, index)
    dense = list(_dense_chunk_scores(index, query.vector, _CANDIDATES))
    lexical = _positive_top(index.lexical.scores(question), _CANDIDATES)
    sparse_all = np.asarray((index.chunk_sparse @ query.sparse.T).todense()).ravel()
    return dense, _positive_top(sparse_all, _CANDIDATES), lexical


def top_document(chunk_documents, ranks, weights, k):
    fused: dict[int, float] = {}
    for ranking, weight in zip(ranks, weights):
        for rank, chunk in enumerate(ranking, start=1):
            fused[chunk] = fused.get(chunk, 0.0) + weight / (k + rank)
    best = min(fused, key=lambda c: (-fused[c], c))
    return int(chunk_documents[best])


def main() -> None:
    import pickle

    settings = Settings.from_env()
    embedder = load_embedder(settings)
    if SCRATCH.is_file():
        rows, chunk_documents = pickle.loads(SCRATCH.read_bytes())
    else:
        rows, chunk_documents = collect(settings, embedder)
        SCRATCH.write_bytes(pickle.dumps((rows, chunk_documents)))
    score(rows, chunk_documents)


def collect(settings, embedder):
    """(article, gold document, rankings, file) of each answerable question, and the index."""
    rows = []
    for name in ("piaf_open_dev.json", "piaf_open_dev_xling.json"):
        path = EVAL / name
        examples, paragraphs = read_examples(path)
        index = _paragraph_index(path, paragraphs, settings, show_progress=False)
        data = json.loads(path.read_text(encoding="utf-8"))
        article_of = [a for a, article in enumerate(data["data"]) for _ in article["paragraphs"]]
        for example in examples:
            if not example.answerable:
                continue
            paragraph = int(example.source.split("-")[1].split(".")[0]) - 1
            rows.append((article_of[paragraph], paragraph, rankings(index, embedder, example.question), name))
        print(name, len(rows), file=sys.stderr)
    return rows, index.chunks[:, 0].copy()  # each chunk's document


def score(rows, chunk_documents) -> None:
    grid = list(itertools.product(DENSE, SPARSE, LEXICAL, RRF))
    hits = np.zeros((len(rows), len(grid)), dtype=bool)
    for i, (_, gold, ranks, _) in enumerate(rows):
        for j, (d, s, l, k) in enumerate(grid):
            hits[i, j] = top_document(chunk_documents, ranks, (d, s, l), k) == gold
    articles = np.array([r[0] for r in rows])
    fold = articles % 5
    shipped = grid.index((1.0, 1.0, 0.5, 20))
    chosen_hits = np.zeros(len(rows), dtype=bool)
    for f in range(5):
        train, test = fold != f, fold == f
        best = int(np.argmax(hits[train].mean(axis=0)))
        print(f"fold {f}: chose {grid[best]}, held out {hits[test, best].mean():.3f} vs shipped {hits[test, shipped].mean():.3f}")
        chosen_hits[test] = hits[test, best]
    xling = np.array([r[3].endswith("xling.json") for r in rows])
    print(f"cross-validated hit@1: chosen {chosen_hits.mean():.4f} (xling {chosen_hits[xling].mean():.3f}), "
          f"shipped {hits[:, shipped].mean():.4f} (xling {hits[xling, shipped].mean():.3f})")
    best = int(np.argmax(hits.mean(axis=0)))
    print("best on all:", grid[best], f"{hits[:, best].mean():.4f}")
    order = np.argsort(-hits.mean(axis=0))[:8]
    for j in order:
        print(grid[j], f"{hits[:, j].mean():.4f}")


if __name__ == "__main__":
    main()
