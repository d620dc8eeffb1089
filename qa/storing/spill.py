"""Vectors written to a temporary file as a build makes them, and read back in slices.

An index build embeds its sentences and words slice by slice; keeping every vector in
memory until the end cost 1.5 KB a sentence and a word, on top of the copy the vector
store makes. `SpilledRows` holds them on disk instead: the store is filled from the file
a slice at a time (`qa.storing.vectors.FaissVectorStore.from_spilled`).

The file is unnamed (`tempfile.TemporaryFile`): it is gone when closed, when the process
ends, or if it is killed, so a failed build leaves nothing behind. It is read and
written with plain file calls, not `np.memmap`: a mapped file's pages count in the
build's resident memory once touched, which is what spilling is meant to keep down.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import numpy as np

logger = logging.getLogger(__name__)

# Rows read back at a time: 16 MB of 384-dimensional float32 vectors.
READ_ROWS = 10_000


class SpilledRows:
    """float32 rows of one width, appended to a temporary file and read back in order.

    Example:
        >>> rows = SpilledRows(2)
        >>> rows.append(np.eye(2, dtype=np.float32))
        >>> rows.read(1, 2)
        array([[0., 1.]], dtype=float32)
    """

    def __init__(self, dimension: int, directory: str | Path | None = None):
        """
        Args:
            dimension: the width of every row.
            directory: where the unnamed file is made; the system's temporary folder
                when it is None or cannot be written to (a read-only cache).
        """
        self._file = _unnamed_file(directory)
        self.dimension = dimension
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def append(self, rows: np.ndarray) -> None:
        """Write ``rows`` (n × dimension) after the rows already written."""
        rows = np.ascontiguousarray(rows, dtype=np.float32).reshape(-1, self.dimension)
        if not len(rows):
            return
        self._file.seek(0, 2)
        self._file.write(memoryview(rows).cast("B"))
        self._count += len(rows)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (a new array)."""
        stop = min(stop, self._count)
        rows = np.empty((max(0, stop - start), self.dimension), dtype=np.float32)
        if len(rows):
            self._file.seek(start * self.dimension * 4)
            if self._file.readinto(memoryview(rows).cast("B")) != rows.nbytes:
                raise OSError("a temporary vector file was cut short")
        return rows

    def slices(self, size: int = READ_ROWS) -> Iterator[np.ndarray]:
        """All rows in order, ``size`` at a time."""
        for start in range(0, self._count, size):
            yield self.read(start, start + size)

    def take(self, ids: np.ndarray) -> np.ndarray:
        """The rows of ``ids`` (sorted, unique), read slice by slice."""
        ids = np.asarray(ids, dtype=np.int64)
        parts = []
        for start in range(0, self._count, READ_ROWS):
            lo, hi = np.searchsorted(ids, [start, start + READ_ROWS])
            if hi > lo:
                parts.append(self.read(start, start + READ_ROWS)[ids[lo:hi] - start])
        return np.concatenate(parts) if parts else np.zeros((0, self.dimension), dtype=np.float32)

    def array(self) -> np.ndarray:
        """All rows, in memory."""
        return self.read(0, self._count)


def _unnamed_file(directory: str | Path | None):
    """A temporary file without a name in ``directory``, or in the system's temporary
    folder when ``directory`` is None or cannot be written to."""
    if directory is not None:
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            return tempfile.TemporaryFile(dir=directory)
        except OSError as exc:
            logger.info("Cannot write vectors to %s (%s): using the system's temporary folder", directory, exc)
    return tempfile.TemporaryFile()
