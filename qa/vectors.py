"""The vector store behind dense retrieval: a small interface, with FAISS underneath.

Anything with `search`, `save` and `load` like `FaissVectorStore` can replace it, for
instance a client of a distributed vector engine for corpora beyond one machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class FaissVectorStore:
    """Exact inner-product search over L2-normalised vectors (cosine similarity)."""

    def __init__(self, index):
        self._index = index

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> FaissVectorStore:
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @property
    def kind(self) -> str:
        """The FAISS index type underneath, e.g. `IndexFlatIP`."""
        return type(self._index).__name__

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def vectors(self) -> np.ndarray:
        """All stored vectors, one row each (a copy)."""
        if not len(self):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(0, len(self))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (similarities, ids) for each query row; ids are -1 past the end."""
        k = max(1, min(k, len(self)))
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissVectorStore:
        import faiss

        return cls(faiss.read_index(str(path)))
