"""The default corpus as a collection: its index kept up to date, documents added and removed.

One `Collection` per index folder owns everything about the default index: the index
in memory, the files on disk, and the write lock (`qa.storing.locking.FolderLock`, which holds
across threads and processes, so the web app and `qa docs add` in a terminal queue
for each other instead of overwriting each other's work).

With `QA_STORE=milvus` the index, document texts included, lives in Milvus
(`qa.storing.milvus_store`) and the lock is a lease there: the same methods serve every
replica, and the local folders only seed the first build (uploads are not kept as files).

- Readers (`index()`) never wait for a writer's embedding: until a new version is
  saved they get the index as it was; a change saved by any process (another replica,
  the CLI) is noticed at the next question, by the index folder's `CURRENT` pointer.
- Writers (`add`, `remove`, `reindex`, and a rebuild when the index is stale) hold the
  lock from the moment they look at the index to the moment the new one is saved.
- Added files are read in a child process with limits (`qa.reading.sandbox`), copied into
  `QA_UPLOAD_DIR` (never into the tracked `QA_CORPUS_DIR`) and embedded on their own.
- A file in the corpus or upload folder that cannot be read is skipped and reported
  (`Collection.skipped`, `qa docs list`, the web app), never allowed to take the
  index down.
- An add or re-index under way is told to any thread that asks (`Collection.indexing`:
  what, how far, the time left; every tab of the web app, `GET /api/v1/documents`), and
  any of them may stop it (`Collection.cancel_indexing`): the index stays as it was.
  Two at once (the web app's and a REST client's) are told together, and stopped together.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import regex

from qa.config import Settings
from qa.reading.documents import SUPPORTED_SUFFIXES, content_hash, read_document, sections_of
from qa.errors import DocumentError, DocumentExistsError, IndexCorruptError, IndexNotFoundError, QAError
from qa.results import document_name
from qa.storing.building import Progress, encode_documents
from qa.storing.index import Document, Index
from qa.storing.progress import IndexingJob, IndexingStatus, new_id, together
from qa.storing.storage import index_store

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 150
# A file name may hold 255 bytes (Linux, macOS). A document's name is kept to 200, so that
# every name made from it fits too: its staged, parked and replaced copies ("{pid}-replaced-{name}",
# pid_max is 2**22 at most) and the "-1", "-2"... of `free_name` (kept within 200).
MAX_NAME_BYTES = 200
_FILE_NAME_BYTES = 255
_INCOMING = ".incoming"


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed document, as listed to a person.

    Attributes:
        source: its path, as citations give it.
        name: its file name.
        characters: the length of its text.
        uploaded: True for an upload (`QA_UPLOAD_DIR`, removable), False for a file of `QA_CORPUS_DIR`.
        section_kind: what it is divided into (`qa.reading.documents.SECTION_KINDS`: "page",
            "slide", "sheet", "chapter"), or None for a format without sections (.txt, .md, ...).
        sections: how many of them (a two-page PDF: 2), or None without sections.
        size: its file's size in bytes; None when there is no file (`QA_STORE=milvus` keeps
            the texts, not the files).
        added: when its file was added, in UTC: an upload's time of upload (or of the
            upload that replaced it), a corpus file's modification time; None without a file.
    """

    source: str
    name: str
    characters: int
    uploaded: bool
    section_kind: str | None = None
    sections: int | None = None
    size: int | None = None
    added: datetime | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file of the corpus or upload folder that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class _Snapshot:
    """The index in memory and what it was made from: the live version and the files."""

    index: Index
    version: str | None
    signature: tuple | None
    skipped: tuple[SkippedFile, ...] = field(default=())


class Collection:
    """The default index of one corpus folder, upload folder and index folder.

    Get the shared instance with `default_collection(settings)`.

    Example:
        >>> import pathlib, tempfile
        >>> notes = pathlib.Path(tempfile.mkdtemp()) / "notes.md"
        >>> _ = notes.write_text("The lighthouse of Kervalen was lit in 1887.", encoding="utf-8")
        >>> collection = default_collection()
        >>> index = collection.add([notes])  # copied into QA_UPLOAD_DIR, embedded, searchable
        >>> [d.name for d in collection.documents()]
        ['poutine-coree-du-nord.txt', 'notes.md']
        >>> index = collection.remove(index.documents[-1].source)
        >>> [d.name for d in collection.documents()]
        ['poutine-coree-du-nord.txt']
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._store = index_store(settings)
        self._lock = self._store.lock
        self._loading = threading.Lock()  # one reload of a new Milvus version at a time
        self._snapshot: _Snapshot | None = None
        # (path, size, mtime) -> the text's sha256, or why the file is left out
        self._hash_cache: dict[tuple[str, int, int], str | SkippedFile] = {}
        # Adds and re-indexes under way, oldest first (one works, the others wait for the lock),
        # and the number each set of them is told under (`progress.together`).
        self._jobs: list[IndexingJob] = []
        self._jobs_guard = threading.Lock()
        self._set_ids: dict[tuple[int, ...], int] = {}

    # --- reading ------------------------------------------------------------------

    def index(self, *, show_progress: bool = False) -> Index:
        """The index of the corpus as it is on disk now: built when missing, brought up to
        date when stale.

        Stale means a document in `QA_CORPUS_DIR`/`QA_UPLOAD_DIR` was added, changed or
        removed outside qa (then only those documents are embedded), or the model or
        chunking settings differ from those that built it (then all are embedded again).
        """
        snapshot = self._snapshot
        if snapshot is not None and self._is_current(snapshot):
            return snapshot.index
        if not self._store.tracks_files:
            # A Milvus version never changes once live: reading it needs no writer's lock.
            # One thread loads a new version; the others answer from the one before meanwhile.
            if not self._loading.acquire(blocking=snapshot is None):
                return snapshot.index
            try:
                live = self._live_from_store()
            finally:
                self._loading.release()
            if live is not None:
                return live
        # A writer at work (in this process or another) holds the lock: until it has
        # finished, questions are answered from the index as it was, without waiting.
        if snapshot is not None and not self._lock.acquire(blocking=False):
            return snapshot.index
        if snapshot is None:
            self._lock.acquire()
        try:
            return self._current(show_progress=show_progress).index
        finally:
            self._lock.release()

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        """Files of the folders left out of the index because they could not be read."""
        self.index()
        return self._snapshot.skipped if self._snapshot else ()

    def documents(self) -> list[DocumentInfo]:
        """The indexed documents, in index order."""
        upload_dir = self.settings.upload_dir.resolve()
        return [_document_info(d, upload_dir) for d in self.index().documents]

    @property
    def version(self) -> str | None:
        """The version of the index this process last loaded or saved: it changes with every
        add, removal and re-index made here. None before the first load. Never reads the
        store (cheap enough for every open page to ask each second)."""
        snapshot = self._snapshot
        return snapshot.version if snapshot is not None else None

    @property
    def indexing(self) -> IndexingStatus | None:
        """Every add or re-index under way in this process, told as one, or None: what, how
        far, and the time left.

        One job is told as it is. Several (an add from the web app and one from the REST
        API: one works, the other waits for the lock) are told together
        (`qa.storing.progress.together`): all their names, and the step that Cancel still
        acts on. `cancel_indexing` stops all that this tells of.

        Example:
            >>> collection = default_collection()
            >>> collection.indexing is None  # nothing being added
            True
        """
        with self._jobs_guard:
            jobs = list(self._jobs)
        return self._told(jobs)

    def cancel_indexing(self) -> IndexingStatus | None:
        """Stop every add or re-index that `indexing` tells of, at the end of the model's
        batch under way: each call raises `qa.errors.IndexingCancelled`, the index and the
        upload folder stay as they were. Too late for one once it is saving (`step` "saving").

        Returns:
            The status of the jobs asked to stop (as `indexing` tells it), or None when none runs.
        """
        with self._jobs_guard:
            jobs = list(self._jobs)
        for job in jobs:
            job.cancel()
        return self._told(jobs)

    def _told(self, jobs: list[IndexingJob]) -> IndexingStatus | None:
        """``jobs`` told as one (`progress.together`), under the number of that set of jobs."""
        if not jobs:
            return None
        if len(jobs) == 1:
            return jobs[0].status()
        with self._jobs_guard:
            key = tuple(job.id for job in jobs)
            # (a set one of whose jobs has ended since is numbered, not kept: it is told no more)
            set_id = self._set_ids.setdefault(key, new_id()) if all(j in self._jobs for j in jobs) else new_id()
        return together([job.status() for job in jobs], set_id)

    # --- writing ------------------------------------------------------------------

    def add(
        self,
        paths: list[str | Path],
        *,
        names: list[str] | None = None,
        replace: bool = False,
        progress: Progress | None = None,
        show_progress: bool = False,
        cancel: threading.Event | None = None,
    ) -> Index:
        """Copy documents into `QA_UPLOAD_DIR` and add them to the index.

        Args:
            paths: files to add (one of `SUPPORTED_SUFFIXES`).
            names: the names to keep them under, one per path (default: their own); only
                the final component is used, so `../x.txt` or `/etc/x.txt` stay inside the
                folder, and a name over `MAX_NAME_CHARS` characters or `MAX_NAME_BYTES` bytes
                (UTF-8) is shortened, its extension kept.
            replace: an upload of the same name is swapped for the new version, in the
                same save of the index that adds it: until then questions are answered
                from the old version, and if the new one cannot be read or indexed the old
                one stays. Without it, a name already uploaded is refused. A name of a
                document in `QA_CORPUS_DIR` is taken as an uploaded one is, but never
                replaced by an upload (change the file there).
            progress: called as the files are read and embedded (`qa.storing.building.Progress`).
            show_progress: progress bars with a time estimate on the terminal (tqdm).
            cancel: once set (or `cancel_indexing` called), the add stops between two
                files or two of the model's batches, and nothing of it is kept. Meanwhile
                `indexing` tells how far it is.

        Returns:
            The updated index; the added (or replacing) documents are its last ones.

        Raises:
            DocumentExistsError: without ``replace``, a name is already uploaded, or is
                a corpus document's (checked before anything is read); nothing is copied
                and the index is unchanged.
            DocumentError: with ``replace``, a name is a corpus document's; a file is
                unsupported, too large, empty, binary or unreadable,
                or its text is already indexed under another name, or `names` does not give
                one name per path, or gives one twice; then nothing is copied and the index
                is unchanged.
            IndexingCancelled: it was cancelled; nothing is copied and the index is unchanged.

        Example:
            >>> collection = default_collection()
            >>> collection.add(["lemon-cake.txt"])  # "Bake for 40 minutes."  # doctest: +SKIP
            >>> collection.add(["edited/lemon-cake.txt"])  # doctest: +SKIP
            Traceback (most recent call last):
            qa.errors.DocumentExistsError: lemon-cake.txt exists; pass replace=True to replace it, or rename the file.
            >>> collection.add(["edited/lemon-cake.txt"], replace=True)  # "Bake for 55 minutes."  # doctest: +SKIP
        """
        from qa.encoding.embedding import load_embedder

        settings = self.settings
        if names is not None and len(names) != len(paths):
            raise DocumentError(
                f"{len(paths)} file(s) but {len(names)} name(s): give one name per file, in the same order "
                "(or no names, to keep the files' own)."
            )
        names = [_safe_name(n) for n in (names if names is not None else [Path(p).name for p in paths])]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise DocumentError(f"{', '.join(twice)}: given to more than one file; give each file its own name.")
        limit = settings.max_upload_mb * 1024 * 1024
        for path, name in zip(paths, names):
            if not Path(path).is_file():
                raise DocumentError(f"{name}: no such file.")
            size = Path(path).stat().st_size
            if size > limit:
                raise DocumentError(f"{name}: {size / 1e6:.1f} MB is over the {settings.max_upload_mb} MB limit.")
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                raise DocumentError(
                    f"{name}: unsupported file type ({Path(name).suffix.lower() or 'no extension'}); "
                    f"qa reads {', '.join(SUPPORTED_SUFFIXES)}."
                )
        # Said at once, before the files are read (checked again under the lock).
        self._refuse_taken(names, self.index(show_progress=show_progress), replace=replace)
        with self._job(", ".join(names), cancel, progress) as job:
            # Read everything first, each in a child process with limits: a bad file changes nothing.
            texts = []
            for path, name in zip(paths, names):
                job.check()
                texts.append(self._read_upload(path, name))
                job("documents", len(texts), len(paths))

            with self._lock:
                index = self._current(show_progress=show_progress).index
                targets = [settings.upload_dir / name for name in names]
                self._refuse_taken(names, index, replace=replace)
                # The old versions leave in the same save that brings the new ones.
                replaced = [str(target) for target in targets if str(target) in index.sources]
                kept = index.without(*replaced) if replaced else index
                known = {d.sha256: d.source for d in kept.documents}
                new_documents = []
                for name, target, text in zip(names, targets, texts):
                    digest = content_hash(text)
                    if digest in known:
                        raise DocumentError(f"{name}: the same text is already indexed as {Path(known[digest]).name}.")
                    new_documents.append(Document(str(target), text))
                    known[digest] = str(target)
                addition = encode_documents(
                    new_documents,
                    load_embedder(settings),
                    settings,
                    known_words=kept.word_ids,
                    progress=job,
                    show_progress=show_progress,
                    cancel=job.cancel_event,
                )
                job.check()  # the last moment: past it, the files and the index are written
                job.saving()
                updated = kept.merged(addition)
                # Files first, then the index: a crash between the two leaves the files, and
                # the next start rebuilds with them; the other order would lose the upload.
                # A replaced file is kept aside until the save, and put back if it fails.
                # (In Milvus the index holds the texts: no file is kept.)
                placed = _place_files(paths, targets, settings.upload_dir) if self._store.tracks_files else []
                try:
                    version = self._store.save(updated)
                except BaseException:
                    _restore(placed)
                    raise
                for _, aside in placed:
                    if aside is not None:
                        aside.unlink(missing_ok=True)
                self._remember_hashes(new_documents, ())  # read once already, in the child
                self._remember(updated, version)
        replaced_names = {Path(source).name for source in replaced}
        if replaced_names:
            logger.info("Replaced %s", ", ".join(sorted(replaced_names)))
        added = [n for n in names if n not in replaced_names]
        if added:
            logger.info("Added %s", ", ".join(added))
        return updated

    def free_name(self, name: str) -> str:
        """The name an upload called ``name`` can be added under without replacing
        anything: ``name`` itself, else the first free of ``name-1``, ``name-2``... (a name
        of an upload or of a document in `QA_CORPUS_DIR` is not free).

        Example:
            >>> default_collection().free_name("lemon-cake.txt")  # lemon-cake.txt is uploaded  # doctest: +SKIP
            'lemon-cake-1.txt'
        """
        # In Milvus no file marks a name as used: the indexed sources do. A corpus
        # document's name is taken too (as if it were uploaded).
        index = self.index()
        folder = self.settings.upload_dir
        taken = [Path(source) for source in index.sources] + [folder / n for n in self._corpus_names(index)]
        return _free_name(folder, _safe_name(name), taken=taken).name

    def remove(self, source: str) -> Index:
        """Remove an uploaded document from `QA_UPLOAD_DIR` and from the index.

        The index left is the one a fresh build of the other documents would give.

        Raises:
            QAError: the document is not indexed, or belongs to `QA_CORPUS_DIR` (remove
                the file there to drop it).
        """
        settings = self.settings
        with self._lock:
            index = self._current().index
            if source not in index.sources:
                names = ", ".join(Path(s).name for s in index.sources) or "none"
                raise QAError(f"{source!r} is not indexed; indexed documents: {names}.")
            if not _is_inside(Path(source), settings.upload_dir.resolve()):
                raise QAError(f"{source} is part of QA_CORPUS_DIR ({settings.corpus_dir}); remove the file there to drop it.")
            updated = index.without(source)
            # The file leaves the folder before the index is saved (a crash between the
            # two rebuilds without it), and comes back if the save fails.
            parked = _park(Path(source), settings.upload_dir) if self._store.tracks_files else None
            try:
                version = self._store.save(updated)
            except BaseException:
                if parked is not None:
                    parked.replace(source)
                raise
            if parked is not None:
                parked.unlink(missing_ok=True)
            self._remember(updated, version)
        return updated

    def reindex(
        self, *, show_progress: bool = False, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> Index:
        """Rebuild the index from every readable document of the corpus and upload folders
        (in Milvus: from the documents it holds, or the folders when it holds none).

        ``progress`` is called as the files are read and embedded (`qa.storing.building.Progress`);
        ``cancel``, or `cancel_indexing`, stops it as it stops `add`: the index stays as it was.
        """
        with self._job("all documents", cancel, progress) as job, self._lock:
            documents = None
            if not self._store.tracks_files:  # Milvus holds the documents; the folders seed an empty one
                try:
                    documents = self._store.load().documents
                except (IndexNotFoundError, IndexCorruptError):
                    documents = None
            return self._rebuild(show_progress=show_progress, job=job, documents=documents).index

    @contextmanager
    def _job(self, name: str, cancel: threading.Event | None, progress: Progress | None) -> Iterator[IndexingJob]:
        """An `IndexingJob` told to `indexing`'s readers while the block runs."""
        job = IndexingJob(name, cancel=cancel, listener=progress)
        with self._jobs_guard:
            self._jobs.append(job)
        try:
            yield job
        finally:
            with self._jobs_guard:
                self._jobs.remove(job)
                self._set_ids = {key: number for key, number in self._set_ids.items() if job.id not in key}

    # --- internals (the lock is held) ----------------------------------------------

    def _current(self, *, show_progress: bool = False) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and self._is_current(snapshot):
            return snapshot
        try:
            loaded = self._store.load()
        except IndexNotFoundError:
            logger.info("No index in %s yet: building it", self._where)
            return self._rebuild(show_progress=show_progress)
        except IndexCorruptError as exc:
            logger.warning("%s Rebuilding it from the documents.", exc)
            return self._rebuild(show_progress=show_progress)
        if not self._store.tracks_files:
            # Milvus holds the documents: the folders of this machine only seed a first build.
            if self._settings_match(loaded):
                self._snapshot = _Snapshot(loaded, loaded.version, None)
                return self._snapshot
            logger.info("The index in %s was built with other settings: rebuilding it", self._where)
            return self._rebuild(show_progress=show_progress, documents=loaded.documents)
        paths = corpus_paths(self.settings)
        signature = _signature(paths)
        hashes, skipped = self._hashes(paths)
        if self._matches(loaded, hashes):
            self._snapshot = _Snapshot(loaded, loaded.version, signature, skipped)
            return self._snapshot
        return self._refresh(loaded, hashes, show_progress=show_progress)

    def _refresh(self, index: Index, hashes: dict[str, str], *, show_progress: bool) -> _Snapshot:
        """The index brought up to date with the folders: the documents that left or
        changed leave it, the new or changed ones are embedded, and every other document
        keeps its vectors (a file dropped into a large corpus is embedded alone).

        When most documents changed there is nothing to keep: all are embedded again.
        """
        from qa.encoding.embedding import load_embedder

        if not self._settings_match(index):
            logger.info("The index in %s was built with other settings: rebuilding it", self._where)
            return self._rebuild(show_progress=show_progress)
        indexed = {d.source: d.sha256 for d in index.documents}
        gone = [source for source, digest in indexed.items() if hashes.get(source) != digest]
        new = [Path(source) for source, digest in hashes.items() if indexed.get(source) != digest]
        if not indexed or len(gone) * 2 > len(indexed):
            logger.info("The index in %s is stale: rebuilding it", self._where)
            return self._rebuild(show_progress=show_progress)
        logger.info("The index in %s is stale: %d document(s) to drop, %d to embed", self._where, len(gone), len(new))
        index = index.without(*gone)
        documents, skipped = _read_folder(new)
        self._remember_hashes(documents, skipped)
        if documents:
            embedder = load_embedder(self.settings)
            addition = encode_documents(
                documents, embedder, self.settings, known_words=index.word_ids, show_progress=show_progress
            )
            index = index.merged(addition)
        self._remember(index, self._store.save(index))
        return self._snapshot

    def _rebuild(
        self, *, show_progress: bool, job: IndexingJob | None = None, documents: list[Document] | None = None
    ) -> _Snapshot:
        """Embed the documents again: those given, else (in a folder store, or a first
        Milvus build) the readable files of the corpus and upload folders."""
        from qa.encoding.embedding import load_embedder

        signature, skipped = None, ()
        if documents is None:
            paths = corpus_paths(self.settings)
            signature = _signature(paths) if self._store.tracks_files else None
            documents, skipped = _read_folder(paths, job)
            self._remember_hashes(documents, skipped)
        index = encode_documents(
            documents,
            load_embedder(self.settings),
            self.settings,
            show_progress=show_progress,
            progress=job,
            cancel=job.cancel_event if job is not None else None,
        )
        if job is not None:
            job.check()
            job.saving()
        version = self._store.save(index)
        if not self._store.tracks_files:
            index = self._store.load()  # served as every other replica serves it
        self._snapshot = _Snapshot(index, version, signature, skipped)
        return self._snapshot

    def _remember(self, index: Index, version: str) -> None:
        if not self._store.tracks_files:
            self._snapshot = _Snapshot(self._store.load(), version, None)  # as every replica serves it
            return
        paths = corpus_paths(self.settings)
        _, skipped = self._hashes(paths)
        self._snapshot = _Snapshot(index, version, _signature(paths), skipped)

    @property
    def _where(self) -> str:
        if self._store.tracks_files:
            return str(self.settings.index_dir)
        return f"Milvus at {self.settings.milvus_uri} (prefix {self.settings.milvus_prefix})"

    def _hashes(self, paths: list[Path]) -> tuple[dict[str, str], tuple[SkippedFile, ...]]:
        """Each readable file's text hash, and the unreadable files: a file is read again
        only when its size or modification time changed since it was last hashed."""
        hashes, skipped, cache = {}, [], {}
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # gone since the folder was listed
            key = (str(path), stat.st_size, stat.st_mtime_ns)
            known = self._hash_cache.get(key)
            if known is None:
                read = _read_or_skip(path)
                known = read if isinstance(read, SkippedFile) else read.sha256
            cache[key] = known
            if isinstance(known, SkippedFile):
                skipped.append(known)
            else:
                hashes[str(path)] = known
        self._hash_cache = cache  # files gone or changed leave it
        return hashes, tuple(skipped)

    def _remember_hashes(self, documents: list[Document], skipped: tuple[SkippedFile, ...]) -> None:
        """Keep what a rebuild read, so that the next check of the folders reads nothing again."""
        for item in [*documents, *skipped]:
            path = Path(item.source if isinstance(item, Document) else item.path)
            try:
                stat = path.stat()
            except OSError:
                continue
            self._hash_cache[(str(path), stat.st_size, stat.st_mtime_ns)] = (
                item.sha256 if isinstance(item, Document) else item
            )

    def _matches(self, index: Index, hashes: dict[str, str]) -> bool:
        return hashes == {d.source: d.sha256 for d in index.documents} and self._settings_match(index)

    def _settings_match(self, index: Index) -> bool:
        from qa.encoding.embedding import model_name

        settings = self.settings
        return (index.model, index.chunk_size, index.chunk_overlap) == (
            model_name(settings),
            settings.chunk_size,
            settings.chunk_overlap,
        )

    def _live_from_store(self) -> Index | None:
        """The store's live index when it is there and built with these settings."""
        try:
            loaded = self._store.load()
        except (IndexNotFoundError, IndexCorruptError):
            return None
        if not self._settings_match(loaded):
            return None
        self._snapshot = _Snapshot(loaded, loaded.version, None)
        return loaded

    def _is_current(self, snapshot: _Snapshot) -> bool:
        if snapshot.version != self._store.live_version():
            return False
        if not self._store.tracks_files:
            return True
        return snapshot.signature is not None and snapshot.signature == _signature(corpus_paths(self.settings))

    def _taken(self, names: list[str], index: Index) -> list[str]:
        """The names of ``names`` (safe ones) that are uploaded already: the file is in
        the upload folder, or (in Milvus, or a file gone since) the index holds it."""
        folder = self.settings.upload_dir
        return [
            name
            for name in names
            if str(folder / name) in index.sources or (self._store.tracks_files and (folder / name).exists())
        ]

    def _corpus_names(self, index: Index) -> set[str]:
        """The names of the documents of `QA_CORPUS_DIR`: those indexed, and (with the files
        kept here) the files there not indexed, or not yet."""
        uploads = self.settings.upload_dir.resolve()
        sources = list(index.sources)
        if self._store.tracks_files:
            sources += [str(path) for path in corpus_paths(self.settings)]
        return {document_name(source) for source in sources if not _is_inside(Path(source), uploads)}

    def _refuse_taken(self, names: list[str], index: Index, *, replace: bool) -> None:
        """Refuse a name a corpus document has (an upload cannot replace it, and two
        documents of one name could not be told apart), and without ``replace`` an uploaded one."""
        corpus_names = self._corpus_names(index)
        in_corpus = [name for name in names if name in corpus_names]
        if in_corpus and replace:
            which = ", ".join(in_corpus)
            raise DocumentError(
                f"{which}: a document of that name is in the corpus folder (QA_CORPUS_DIR), which "
                "an upload cannot replace: change it there, or add yours under another name."
            )
        uploaded = self._taken(names, index)
        taken = [name for name in names if name in corpus_names or name in uploaded]
        if taken and not replace:
            raise DocumentExistsError(taken)

    def _read_upload(self, path: str | Path, name: str) -> str:
        from qa.reading.sandbox import read_document_isolated

        # Uploads arrive under temporary names; read them with the suffix they were given.
        with tempfile.TemporaryDirectory() as tmp:
            named = Path(tmp) / name
            shutil.copyfile(path, named)
            return read_document_isolated(
                named,
                name=name,
                timeout_s=self.settings.parse_timeout_s,
                memory_mb=self.settings.parse_memory_mb,
                ocr_page_timeout_s=self.settings.ocr_page_timeout_s,
            )


_collections: dict[tuple, Collection] = {}
_collections_guard = threading.Lock()


def default_collection(settings: Settings | None = None) -> Collection:
    """The one `Collection` of these settings in this process.

    Collections of the same index folder under other settings share its lock, and each
    sees the others' saves by the folder's `CURRENT` pointer.
    """
    settings = settings or Settings.from_env()
    key = (settings, settings.index_dir.resolve(), settings.corpus_dir.resolve(), settings.upload_dir.resolve())
    with _collections_guard:
        if key not in _collections:
            _collections[key] = Collection(settings)
        return _collections[key]


def default_index(settings: Settings | None = None, *, show_progress: bool = False) -> Index:
    """The index of the default corpus (`QA_CORPUS_DIR` and `QA_UPLOAD_DIR`), kept up to date.

    Built when missing, rebuilt when stale; see `Collection.index`.
    """
    return default_collection(settings).index(show_progress=show_progress)


def document_text(source: str | Path, *, index: Index | None = None) -> str:
    """The text of an indexed document: what `start`/`end` offsets index into.

    For a UTF-8 file it equals ``Path(source).read_text(encoding="utf-8")``; for other
    encodings it is the decoded text.

    Example:
        >>> from qa import retrieve
        >>> p = retrieve("Qui a invité Poutine ?")[0]
        >>> document_text(p.source)[p.start:p.end] == p.text
        True
    """
    index = index if index is not None else default_index(Settings.from_env())
    return index.document_text(str(source))


def corpus_paths(settings: Settings) -> list[Path]:
    """The documents of the default index: `QA_CORPUS_DIR`, then `QA_UPLOAD_DIR`.

    An upload folder inside the corpus folder is read once, as the upload folder (its
    files stay removable as uploads).
    """
    paths: list[Path] = []
    uploads = settings.upload_dir.resolve()
    # Checked once: only then does each corpus file need resolving (this runs at every question).
    nested = _is_inside(settings.upload_dir, settings.corpus_dir.resolve())
    for folder in (settings.corpus_dir, settings.upload_dir):
        if folder.is_dir():
            paths.extend(
                sorted(
                    p
                    for p in folder.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                    and not (nested and folder is settings.corpus_dir and _is_inside(p, uploads))
                )
            )
    return paths


# --- the functions of `qa`'s public API -------------------------------------------------


def list_documents(*, settings: Settings | None = None) -> list[DocumentInfo]:
    """The documents of the default index: each one's name, sections, size and time added
    (`DocumentInfo`).

    Example:
        >>> [d.name for d in list_documents()]
        ['poutine-coree-du-nord.txt']
        >>> [(d.section_kind, d.sections, d.uploaded) for d in list_documents()]  # a .txt has no sections
        [(None, None, False)]
    """
    return default_collection(settings).documents()


def document_file(name: str, *, settings: Settings | None = None, text: str | None = None) -> Path | None:
    """The file of the indexed document named ``name`` (its name in the collection, as
    `list_documents` gives it), kept in `QA_CORPUS_DIR` or `QA_UPLOAD_DIR`; None when no
    document has that name or the server keeps no file of it (`QA_STORE=milvus`).

    The name is looked up, never taken for a path: a name with a folder in it, or one
    not indexed, finds nothing. Two documents of one name (in two corpus subfolders) are
    told apart by ``text``, the one whose text it is.

    Raises:
        DocumentError: without ``text``, two or more documents with a file have that name;
            the message names each by its path in its folder.

    Example:
        >>> document_file("poutine-coree-du-nord.txt").name
        'poutine-coree-du-nord.txt'
        >>> document_file("../config.py") is None
        True
    """
    settings = settings or Settings.from_env()
    folders = [settings.corpus_dir.resolve(), settings.upload_dir.resolve()]
    found = []
    for document in default_index(settings).documents:
        if document_name(document.source) != name or (text is not None and document.text != text):
            continue
        path = Path(document.source)
        if path.is_file() and any(_is_inside(path, folder) for folder in folders):
            found.append(path.resolve())
    if len(found) > 1 and text is None:
        raise DocumentError(
            f"{len(found)} documents are named {name}: {_in_folders(found, settings)}. "
            "Rename one of them in its folder to open it by name."
        )
    return found[0] if found else None


def _in_folders(paths: list[Path], settings: Settings) -> str:
    """Resolved files named by their paths in their folder, never the server's folders:
    "a/report.pdf (QA_CORPUS_DIR), b/report.pdf (QA_CORPUS_DIR)"."""
    uploads, corpus = settings.upload_dir.resolve(), settings.corpus_dir.resolve()

    def where(path: Path) -> str:
        folder, label = (uploads, "QA_UPLOAD_DIR") if _is_inside(path, uploads) else (corpus, "QA_CORPUS_DIR")
        return f"{path.relative_to(folder).as_posix()} ({label})"

    return ", ".join(where(path) for path in paths)


def add_documents(
    paths: list[str | Path],
    *,
    settings: Settings | None = None,
    names: list[str] | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Index:
    """Copy documents into `QA_UPLOAD_DIR` and add them to the default index (`Collection.add`).

    With ``replace=True`` an upload of the same name is swapped for the new version;
    without it, a name already uploaded raises `qa.errors.DocumentExistsError`. A name of
    a document in `QA_CORPUS_DIR` raises it too, and with ``replace=True`` a
    `qa.errors.DocumentError` (change that document in its folder, or add under another name).

    Example:
        >>> add_documents(["lemon-cake.txt"], replace=True)  # doctest: +SKIP
    """
    return default_collection(settings).add(paths, names=names, replace=replace, progress=progress, cancel=cancel)


def remove_document(source: str, *, settings: Settings | None = None) -> Index:
    """Remove an uploaded document from the default index (`Collection.remove`)."""
    return default_collection(settings).remove(source)


def reindex_all(
    *,
    settings: Settings | None = None,
    show_progress: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Index:
    """Rebuild the default index from every document of the corpus and upload folders
    (`Collection.reindex`; ``cancel`` stops it, the index as it was)."""
    return default_collection(settings).reindex(show_progress=show_progress, progress=progress, cancel=cancel)


# --- files --------------------------------------------------------------------------------


def _document_info(document: Document, upload_dir: Path) -> DocumentInfo:
    """What a person is shown of an indexed document: its sections from its text, its size
    and time from its file (when there is one)."""
    path = Path(document.source)
    kind, count = sections_of(path.name, document.text) or (None, None)
    try:
        stat = path.stat()
    except OSError:  # no file: the index (Milvus) holds the text alone, or the file left since
        size, added = None, None
    else:
        size, added = stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
    return DocumentInfo(
        document.source,
        document_name(document.source),
        len(document.text),
        _is_inside(path, upload_dir),
        section_kind=kind,
        sections=count,
        size=size,
        added=added,
    )


def _read_folder(
    paths: list[Path], job: IndexingJob | None = None
) -> tuple[list[Document], tuple[SkippedFile, ...]]:
    """The readable documents among ``paths``, and the others with the reason (told to
    ``job``, which may stop it between two files)."""
    documents, skipped = [], []
    for done, path in enumerate(paths, start=1):
        if job is not None:
            job.check()
        read = _read_or_skip(path)
        (skipped if isinstance(read, SkippedFile) else documents).append(read)
        if job is not None:
            job("documents", done, len(paths))
    return documents, tuple(skipped)


def _read_or_skip(path: Path) -> Document | SkippedFile:
    """A file of the folders as a document, or why it is left out."""
    try:
        return Document(str(path), read_document(path))
    except DocumentError as exc:
        reason = str(exc)
    except MemoryError:
        reason = f"{path}: too large to read."
    logger.warning("Skipped %s", reason)
    return SkippedFile(str(path), reason)


def _signature(paths: list[Path]) -> tuple | None:
    """What the files look like now, cheaply; None when one vanished while looking."""
    try:
        return tuple((str(p), (stat := p.stat()).st_size, stat.st_mtime_ns) for p in paths)
    except FileNotFoundError:
        return None


def _incoming(folder: Path) -> Path:
    """The upload folder's hidden staging folder, cleared of what dead processes left.

    A file there is named after the process that staged it (`{pid}-...`): one whose
    process is gone is a copy that a crash interrupted before it reached the corpus, or
    a document parked for removal (gone from the corpus already: the next check of the
    folder drops it from the index).
    """
    incoming = folder / _INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    for leftover in incoming.iterdir():
        pid = leftover.name.partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            leftover.unlink(missing_ok=True)
    return incoming


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _place_files(paths: list[str | Path], targets: list[Path], folder: Path) -> list[tuple[Path, Path | None]]:
    """Copy each file to its target; a file appears whole or not at all.

    A file already at a target is swapped for the new one in one rename, a link to it
    kept aside in the hidden incoming folder: (target, aside or None) of each, for
    `_restore` when the index cannot be saved. Whatever fails here is undone.
    """
    incoming = _incoming(folder)
    placed: list[tuple[Path, Path | None]] = []
    try:
        for path, target in zip(paths, targets):
            staged = incoming / f"{os.getpid()}-{target.name}"
            shutil.copyfile(path, staged)
            aside = _aside(target, incoming)
            try:
                staged.replace(target)
            except BaseException:
                if aside is not None:
                    aside.unlink(missing_ok=True)
                raise
            placed.append((target, aside))
    except BaseException:
        _restore(placed)
        raise
    return placed


def _aside(path: Path, incoming: Path) -> Path | None:
    """A second name for a file about to be replaced, in the incoming folder (None when there is no file)."""
    if not path.exists():
        return None
    prefix = f"{os.getpid()}-replaced-"
    aside = incoming / (prefix + _cut(path.name, max_bytes=_FILE_NAME_BYTES - len(prefix.encode())))
    aside.unlink(missing_ok=True)
    try:
        os.link(path, aside)  # the same file under a second name: nothing copied
    except OSError:  # a file system without hard links
        shutil.copy2(path, aside)
    return aside


def _restore(placed: list[tuple[Path, Path | None]]) -> None:
    """Undo `_place_files`: each replaced file back in place, each new one gone."""
    for target, aside in reversed(placed):
        if aside is not None:
            aside.replace(target)
        else:
            target.unlink(missing_ok=True)


def _park(path: Path, folder: Path) -> Path | None:
    """Move a file out of the corpus into the hidden incoming folder."""
    if not path.exists():
        return None
    incoming = _incoming(folder)
    prefix = f"{os.getpid()}-removed-"
    # The name is cut to fit after the prefix: a file put in the folder by hand may have a 255-byte name.
    parked = incoming / (prefix + _cut(path.name, max_bytes=_FILE_NAME_BYTES - len(prefix.encode())))
    path.replace(parked)
    return parked


def _safe_name(name: str) -> str:
    """A plain file name: last path component, no control characters or leading dots,
    at most `MAX_NAME_CHARS` characters and `MAX_NAME_BYTES` bytes with its extension kept.

    Raises:
        DocumentError: nothing of the name is left, or not even its first character fits.
    """
    base = Path(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base)
    base = re.sub(r"^[\s.]+", "", base).strip()  # " .hidden.txt" would be a hidden, unindexed file
    stem, suffix = Path(base).stem, Path(base).suffix
    if not base or not stem:
        raise DocumentError(f"{name!r} is not a usable file name.")
    if len(base) > MAX_NAME_CHARS or len(base.encode()) > MAX_NAME_BYTES:
        base = _shortened(stem, suffix[:16])
        if base is None:
            raise DocumentError(
                f"{name[:40]!r}...: the name is too long ({len(name.encode())} bytes) to be cut short; "
                "rename the file with a shorter name and add it again."
            )
    return base


def _shortened(stem: str, suffix: str) -> str | None:
    """``stem + suffix`` within `MAX_NAME_CHARS` characters and `MAX_NAME_BYTES` bytes, the
    stem cut as short as needed; None when not even its first character fits."""
    stem = _cut(
        stem, max_bytes=MAX_NAME_BYTES - len(suffix.encode()), max_chars=MAX_NAME_CHARS - len(suffix)
    ).rstrip()
    return stem + suffix if stem else None


def _cut(text: str, *, max_bytes: int, max_chars: int | None = None) -> str:
    """The longest start of ``text`` within ``max_bytes`` bytes (UTF-8) and ``max_chars``
    characters, cut between two characters as a reader sees them: a letter keeps its
    accents, an emoji its modifiers and joined parts."""
    kept, size, chars = [], 0, 0
    for grapheme in regex.findall(r"\X", text):
        size, chars = size + len(grapheme.encode()), chars + len(grapheme)
        if size > max_bytes or (max_chars is not None and chars > max_chars):
            break
        kept.append(grapheme)
    return "".join(kept)


def _free_name(folder: Path, name: str, *, taken: list[Path] = ()) -> Path:
    """``folder / name``, or when it is taken the first free of ``name-1``, ``name-2``...,
    the stem shortened when the number would take the name over the limits."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 1
    while target.exists() or target in taken:
        # (None when the stem's first character alone nearly fills the limit: the number stands alone)
        target = folder / (_shortened(stem, f"-{counter}{suffix}") or f"{counter}{suffix}")
        counter += 1
    return target


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False
