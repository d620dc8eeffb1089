"""The vector store behind dense retrieval: a small interface, with FAISS underneath.

`VectorStore` is all the rest of qa asks of a store: build one from vectors, search
it, save and load it, count and return its vectors. `FaissVectorStore` implements it
on one machine; a client of a distributed engine (Qdrant, Milvus, Weaviate, pgvector)
implementing the same methods can replace it for corpora beyond one machine (see
docs/scale.md).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

logger = logging.getLogger(__name__)

# Below this many vectors the store searches exactly (`IndexFlatIP`); above it, an IVF
# index. Measured on 2 shared cores, one query at a time and one FAISS thread: exact
# search takes 1.8 ms at 25,000 vectors of 384 dimensions, 4.4 ms at 50,000 and 8.4 ms at
# 100,000 (it grows with the count), while IVF stays under 1 ms up to 1,000,000. 50,000 keeps exact search within half of the
# 10 ms budget per query and spares small indexes (every document set most users have)
# the k-means training and any loss of recall.
EXACT_THRESHOLD = 50_000
# IVF cells: about 4 * sqrt(n) (FAISS's guideline is 4 to 16 * sqrt(n); the low end keeps
# k-means training short on 2 cores).
_LISTS_PER_SQRT = 4
# Cells probed per query, as a share of all cells: 1/32 found every exact top-10 neighbour
# (recall@10 1.000) at 1,000,000 vectors around real passage embeddings (docs/scale.md),
# and 1/56 still 0.993 at 200,000; the margin is for corpora less clustered than these.
_PROBE_SHARE = 1 / 32
_MIN_PROBES = 16
# k-means on at most this many points per cell (FAISS warns below 39); more points
# lengthen training without better cells.
_TRAIN_POINTS_PER_LIST = 40
# 10 k-means iterations instead of FAISS's 25: cells only need to be roughly balanced,
# and training is most of the build time.
_KMEANS_ITERATIONS = 10


@runtime_checkable
class VectorStore(Protocol):
    """What qa needs from a vector store: inner-product search over L2-normalised rows.

    Row ``i`` of the vectors given to `from_vectors` has id ``i``; `search` returns those
    ids. An index keeps one store of its sentences' embeddings and saves it as one file
    in its version folder.

    Example:
        >>> vectors = np.eye(8, dtype=np.float32)  # eight normalised rows
        >>> store = FaissVectorStore.from_vectors(vectors)
        >>> similarities, ids = store.search(vectors[:1], k=5)
        >>> int(ids[0, 0])
        0
    """

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> VectorStore:
        """A store of ``vectors`` (float32, one L2-normalised row each), ids 0..n-1."""
        ...

    @classmethod
    def load(cls, path: Path) -> VectorStore:
        """The store `save` wrote to ``path``."""
        ...

    def save(self, path: Path) -> None:
        """Write the store to one file at ``path``."""
        ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (similarities, ids) per query row, best first; ids are -1 past the end."""
        ...

    def vectors(self) -> np.ndarray:
        """All stored vectors in id order (a copy)."""
        ...

    def extended(self, vectors: np.ndarray) -> VectorStore:
        """A new store: these rows, then ``vectors`` (an index gaining documents)."""
        ...

    def subset(self, ids: np.ndarray) -> VectorStore:
        """A new store of the rows ``ids`` only, renumbered (an index losing a document)."""
        ...

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``, one row each (a copy)."""
        ...

    def __len__(self) -> int: ...

    @property
    def dimension(self) -> int: ...

    @property
    def kind(self) -> str:
        """What searches underneath, for reports (e.g. ``IndexFlatIP``)."""
        ...


class FaissVectorStore:
    """Cosine similarity (inner product of L2-normalised vectors) with FAISS.

    Exact (`IndexFlatIP`) up to `EXACT_THRESHOLD` vectors, then approximate
    (`IndexIVFFlat`, see `from_vectors`). Both compare full float32 vectors, so the
    similarities returned are exact; only which vectors are looked at is approximate.
    """

    def __init__(self, index):
        self._index = index

    @classmethod
    def from_vectors(
        cls,
        vectors: np.ndarray,
        *,
        exact_threshold: int | None = None,
        nprobe: int | None = None,
    ) -> FaissVectorStore:
        """A store of ``vectors``, exact below ``exact_threshold`` rows and IVF from there.

        The IVF index splits the vectors into about 4 * sqrt(n) cells by k-means and
        searches the 1/32 of cells nearest each query. It keeps the full vectors, so the
        candidates it finds are ranked by their exact similarity: no re-ranking step is
        needed (one with 8-bit codes and an exact re-rank found the same neighbours
        with 25% more memory, docs/scale.md).

        Args:
            vectors: float32 rows, L2-normalised.
            exact_threshold: fewest vectors that get the approximate index (default
                `EXACT_THRESHOLD`).
            nprobe: cells searched per query (default: 1/32 of them, at least 16).

        Example:
            >>> FaissVectorStore.from_vectors(np.eye(3, dtype=np.float32)).kind
            'IndexFlatIP'
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        return cls._filled(count, dimension, lambda rows: vectors[rows], [vectors], exact_threshold, nprobe)

    @classmethod
    def from_spilled(
        cls, spilled, *, exact_threshold: int | None = None, nprobe: int | None = None
    ) -> FaissVectorStore:
        """The store `from_vectors` makes of the rows of ``spilled`` (a `qa.storing.spill.SpilledRows`),
        filled from the file a slice at a time: only FAISS's own copy of the vectors is
        held in memory."""
        return cls._filled(len(spilled), spilled.dimension, spilled.take, spilled.slices(), exact_threshold, nprobe)

    @classmethod
    def _filled(cls, count: int, dimension: int, take, parts, exact_threshold, nprobe) -> FaissVectorStore:
        """A store of ``count`` vectors given as ``parts`` (arrays, in order); ``take(rows)``
        returns the rows IVF's k-means trains on."""
        import faiss

        if count < (EXACT_THRESHOLD if exact_threshold is None else exact_threshold):
            index = faiss.IndexFlatIP(dimension)
            for part in parts:
                if len(part):
                    index.add(part)
            return cls(index)
        lists = max(1, int(_LISTS_PER_SQRT * math.sqrt(count)))
        index = faiss.index_factory(dimension, f"IVF{lists},Flat", faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = _KMEANS_ITERATIONS
        sample = min(count, _TRAIN_POINTS_PER_LIST * lists)
        # A seeded sample: the same vectors always build the same index.
        rows = np.sort(np.random.default_rng(0).choice(count, size=sample, replace=False))
        logger.info("Training IVF%d on %d of %d vectors", lists, sample, count)
        index.train(take(rows))
        for part in parts:
            index.add(part)
        index.nprobe = nprobe or min(lists, max(_MIN_PROBES, round(lists * _PROBE_SHARE)))
        index.make_direct_map()  # lets `vectors()` reconstruct rows by id
        return cls(index)

    def extended(self, vectors: np.ndarray) -> FaissVectorStore:
        """A new store of these vectors followed by ``vectors`` (ids continue from ``len(self)``).

        An IVF store keeps its trained cells: adding a document to a large index costs
        the new vectors' assignment, not a new k-means (it took most of a rebuild at
        50,000+ vectors). When the store grows past `EXACT_THRESHOLD` while still exact,
        it is built anew as IVF. This store is left as it was (readers may hold it).
        """
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not hasattr(self._index, "nprobe") and len(self) + len(vectors) >= EXACT_THRESHOLD:
            return FaissVectorStore.from_vectors(np.vstack([self.vectors(), vectors]))
        index = faiss.clone_index(self._index)
        if len(vectors):
            index.add(vectors)
        return FaissVectorStore(index)

    def subset(self, ids: np.ndarray) -> FaissVectorStore:
        """A new store of the vectors of ``ids`` only, renumbered 0..len(ids)-1.

        An IVF store keeps its trained cells (the rows are added to an emptied copy), so
        removing a document does not train k-means again either.
        """
        import faiss

        kept = self.vectors_of(ids)
        if not hasattr(self._index, "nprobe"):
            return FaissVectorStore.from_vectors(kept)
        index = faiss.clone_index(self._index)
        index.reset()
        if len(kept):
            index.add(kept)
        index.make_direct_map()
        return FaissVectorStore(index)

    @property
    def kind(self) -> str:
        name = type(self._index).__name__
        if hasattr(self._index, "nprobe"):
            return f"{name} (nlist={self._index.nlist}, nprobe={self._index.nprobe})"
        return name

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def vectors(self) -> np.ndarray:
        """All stored vectors, one row each in id order (a copy)."""
        if not len(self):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(0, len(self))

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

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
