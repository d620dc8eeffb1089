"""How far an indexing job is and how long it has left, told to everyone who asks.

A `Collection` makes one `IndexingJob` for each add or re-index: the build reports to
it (it is a `qa.storing.building.Progress`), and any thread reads its `IndexingStatus`
meanwhile (every browser tab of the web app, `GET /api/v1/documents`). Its ``cancel``
event stops the build between two of the model's batches.

The time left is the work left at the rate measured so far. The work is counted in the
model's tokens (`STEP_COSTS`), which its time follows, and the rate is measured from the
end of the first batch: the seconds before it (the model loaded, its kernels compiled)
say nothing of the rest.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from qa.errors import IndexingCancelled

# The model's time for one token of each embedding step, relative to a sentence's
# token. A word's token costs less: words of one length are batched without padding or
# a sparse head. Measured on the Debian reference (300 KB, 2 cores, bf16): 4,500-5,000
# sentence tokens a second, 6,500 word tokens.
STEP_COSTS = {"sentences": 1.0, "words": 0.7}

_ids = itertools.count(1)


@dataclass(frozen=True)
class IndexingStatus:
    """What an indexing job is doing, as anyone may be told.

    Attributes:
        id: the job's number in this process (a new job, a new number).
        name: what is indexed: a document's name, "a.txt, b.md", or "all documents".
        step: ``reading`` (the files), ``embedding`` (the model at work), ``saving``
            (the index written; too late to cancel) or ``cancelling``.
        done: the share of the embedding done, 0 to 1.
        seconds_left: the embedding's time left, or None until it can be told (the
            first batch is done and one more report came).
    """

    id: int
    name: str
    step: str
    done: float
    seconds_left: float | None

    def to_dict(self) -> dict:
        """The status as JSON (`GET /api/v1/documents`'s ``indexing``)."""
        left = None if self.seconds_left is None else round(self.seconds_left)
        return {"name": self.name, "step": self.step, "done": round(self.done, 3), "seconds_left": left}


def seconds_left(first: tuple[float, float] | None, latest: tuple[float, float] | None, total: float) -> float | None:
    """The seconds left of ``total`` work at the rate measured between two reports.

    Args:
        first: (time, work done) of the first report after the first batch: the time
            before it (loading, warming up) is not counted.
        latest: (time, work done) of the latest report.
        total: all the work.

    Returns:
        The work left over the measured rate; None when no rate is measured yet.

    Example:
        >>> seconds_left((10.0, 100.0), (20.0, 300.0), 1000.0)  # 20 units a second, 700 to go
        35.0
        >>> seconds_left((10.0, 100.0), (10.0, 100.0), 1000.0) is None
        True
    """
    if first is None or latest is None:
        return None
    elapsed, worked = latest[0] - first[0], latest[1] - first[1]
    if elapsed <= 0 or worked <= 0:
        return None
    return max(0.0, total - latest[1]) * elapsed / worked


def together(statuses: list[IndexingStatus], id: int) -> IndexingStatus:
    """Several jobs under way (two adds at once: one waits for the other's lock) told as one.

    Their names in the order they started; the step the Cancel of them all still acts on
    (``embedding``, else ``reading``, else ``saving``; ``cancelling`` once all are asked to
    stop); the mean of their shares done (a job still reading has told no total yet, so
    each counts the same); and the sum of their times left, None while one is not known.

    Args:
        statuses: each job's status, oldest first.
        id: the number of this set of jobs (a new set, a new number); one job keeps its own.

    Example:
        >>> a = IndexingStatus(1, "a.txt", "embedding", 0.5, 10.0)
        >>> together([a, IndexingStatus(2, "b.md", "reading", 0.0, None)], 3)
        IndexingStatus(id=3, name='a.txt, b.md', step='embedding', done=0.25, seconds_left=None)
    """
    if len(statuses) == 1:
        return statuses[0]
    steps = {status.step for status in statuses}
    step = next(step for step in ("embedding", "reading", "saving", "cancelling") if step in steps)
    lefts = [status.seconds_left for status in statuses]
    return IndexingStatus(
        id,
        ", ".join(status.name for status in statuses),
        step,
        sum(status.done for status in statuses) / len(statuses),
        None if None in lefts else sum(lefts),
    )


def new_id() -> int:
    """A number no job or set of jobs of this process had."""
    return next(_ids)


class IndexingJob:
    """One add or re-index, as it advances: a `qa.storing.building.Progress` that keeps
    what it is told, passes it on to ``listener``, and reads as an `IndexingStatus`.

    Args:
        name: what is indexed, as said to people.
        cancel: the event that stops it (a new one when None); `cancel()` sets it.
        listener: another `Progress` told of every report (a caller's own).
        clock: seconds, for the time left (`time.monotonic`).

    Example:
        >>> job = IndexingJob("notes.md")
        >>> job("sentences", 0, 1000); job("words", 0, 100)
        >>> job.status().step, job.status().done
        ('embedding', 0.0)
    """

    def __init__(
        self,
        name: str,
        *,
        cancel: threading.Event | None = None,
        listener: Callable[[str, int, int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.id = new_id()
        self.name = name
        self.cancel_event = cancel if cancel is not None else threading.Event()
        self._listener = listener
        self._clock = clock
        self._guard = threading.Lock()
        self._totals: dict[str, int] = {}
        self._done: dict[str, int] = {}
        self._saving = False
        self._first: tuple[float, float] | None = None
        self._latest: tuple[float, float] | None = None

    def __call__(self, step: str, done: int, total: int) -> None:
        with self._guard:
            self._totals[step], self._done[step] = total, done
            if step in STEP_COSTS:
                point = (self._clock(), self._work(self._done))
                if self._first is None:
                    if point[1] > 0:  # the end of the first batch: the warm-up is behind
                        self._first = point
                else:
                    self._latest = point
        if self._listener is not None:
            self._listener(step, done, total)

    def saving(self) -> None:
        """The build is done; the index is being written (too late to cancel)."""
        with self._guard:
            self._saving = True

    def cancel(self) -> None:
        """Ask the job to stop (at the end of the model's batch under way)."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        """Raise `IndexingCancelled` if the job was asked to stop."""
        if self.cancelled:
            raise IndexingCancelled()

    def status(self) -> IndexingStatus:
        with self._guard:
            total = self._work(self._totals)
            done = min(1.0, self._work(self._done) / total) if total else 0.0
            if self._saving:
                step = "saving"
            elif self.cancelled:
                step = "cancelling"
            else:
                step = "embedding" if any(s in STEP_COSTS for s in self._totals) else "reading"
            left = None
            if step == "embedding":
                left = seconds_left(self._first, self._latest, total)
            return IndexingStatus(self.id, self.name, step, done, left)

    @staticmethod
    def _work(counts: dict[str, int]) -> float:
        return sum(STEP_COSTS[step] * n for step, n in counts.items() if step in STEP_COSTS)
