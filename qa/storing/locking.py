"""One writer at a time per index folder, across threads and processes.

A `FolderLock` is a `threading.RLock` joined to an exclusive `flock` on a lock file in
the folder: the web app, a second replica on the same disk and `qa docs add` in a
terminal all queue on it. It is reentrant in the thread that holds it, so a collection
can hold it across a whole update and still call `save_index`, which takes it too.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_FILE = ".qa-write.lock"


class FolderLock:
    """The write lock of one folder; get it with `folder_lock(path)`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock; with ``blocking=False``, return False at once if it is held."""
        if not self._thread_lock.acquire(blocking=blocking):
            return False
        if self._depth == 0:
            try:
                if not self._lock_file(blocking):
                    self._thread_lock.release()
                    return False
            except BaseException:
                self._thread_lock.release()
                raise
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread_lock.release()

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _lock_file(self, blocking: bool) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not blocking:
                os.close(fd)
                return False
            logger.warning("Another qa process is updating the index in %s: waiting for it to finish.", self.folder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True


_locks: dict[Path, FolderLock] = {}
_locks_guard = threading.Lock()


def folder_lock(folder: str | Path) -> FolderLock:
    """The one `FolderLock` of ``folder`` in this process."""
    folder = Path(folder).resolve()
    with _locks_guard:
        if folder not in _locks:
            _locks[folder] = FolderLock(folder)
        return _locks[folder]
