"""The default corpus as a collection: list, add and remove documents without a full rebuild.

Added documents are copied into `QA_UPLOAD_DIR` (never into the tracked `QA_CORPUS_DIR`)
and embedded on their own; the index grows by them and is saved atomically, so they are
searchable at once and survive a restart.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qa.config import Settings
from qa.documents import SUPPORTED_SUFFIXES, read_document
from qa.errors import DocumentError, QAError
from qa.index import Document, Index, default_index, encode_documents, remember_default_index

logger = logging.getLogger(__name__)

# One writer at a time: concurrent uploads each extend the index they find.
_write_lock = threading.Lock()


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed document, as listed to a person."""

    source: str
    name: str
    characters: int
    uploaded: bool


def list_documents(*, settings: Settings | None = None) -> list[DocumentInfo]:
    """The documents of the default index.

    Example:
        >>> [d.name for d in list_documents()]
        ['poutine-coree-du-nord.txt']
    """
    settings = settings or Settings.from_env()
    upload_dir = settings.upload_dir.resolve()
    return [
        DocumentInfo(d.source, Path(d.source).name, len(d.text), _is_inside(Path(d.source), upload_dir))
        for d in default_index(settings).documents
    ]


def add_documents(paths: list[str | Path], *, settings: Settings | None = None, names: list[str] | None = None) -> Index:
    """Copy documents into `QA_UPLOAD_DIR` and add them to the default index.

    Args:
        paths: files to add (`.txt`, `.md`, `.pdf`, `.html`, `.docx`).
        names: the names to keep them under (default: their own); only the final
            component is used, so `../x.txt` or `/etc/x.txt` stay inside the folder.

    Returns:
        The updated default index.

    Raises:
        DocumentError: a file is unsupported, too large, empty, binary or unreadable;
            then nothing is copied and the index is unchanged.
    """
    settings = settings or Settings.from_env()
    names = names or [Path(p).name for p in paths]
    limit = settings.max_upload_mb * 1024 * 1024
    for path, name in zip(paths, names):
        size = Path(path).stat().st_size if Path(path).is_file() else 0
        if size > limit:
            raise DocumentError(f"{name}: {size / 1e6:.1f} MB is over the {settings.max_upload_mb} MB limit.")
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise DocumentError(f"{name}: unsupported file type; qa reads {', '.join(SUPPORTED_SUFFIXES)}.")
    # Read everything first: a bad file must change nothing.
    texts = [_read_as(path, name) for path, name in zip(paths, names)]

    from qa.embedding import load_embedder

    with _write_lock:
        index = default_index(settings)
        known = {d.sha256: d.source for d in index.documents}
        new_documents, targets = [], []
        for name, text in zip(names, texts):
            document = Document("", text)
            if document.sha256 in known:
                raise DocumentError(f"{name}: the same text is already indexed as {Path(known[document.sha256]).name}.")
            target = _free_name(settings.upload_dir, _safe_name(name), taken=targets)
            targets.append(target)
            new_documents.append(Document(str(target), text))
            known[document.sha256] = str(target)
        # Files wait in a hidden folder (not part of the corpus) until the index that
        # holds them is saved: readers never see a document the index lacks.
        staging = settings.upload_dir / ".incoming"
        staging.mkdir(parents=True, exist_ok=True)
        staged = [staging / target.name for target in targets]
        try:
            for path, stage in zip(paths, staged):
                shutil.copyfile(path, stage)
            addition = encode_documents(new_documents, load_embedder(settings), settings, known_words=index.word_ids)
            updated = index.merged(addition)
            updated.save(settings.index_dir)
        except BaseException:
            for stage in staged:
                stage.unlink(missing_ok=True)
            raise
        for stage, target in zip(staged, targets):
            stage.replace(target)
        remember_default_index(settings, updated)
    logger.info("Added %s", ", ".join(Path(d.source).name for d in new_documents))
    return updated


def remove_document(source: str, *, settings: Settings | None = None) -> Index:
    """Remove an uploaded document from `QA_UPLOAD_DIR` and from the default index.

    Raises:
        QAError: the document is not indexed, or belongs to `QA_CORPUS_DIR` (remove
            the file there to drop it).
    """
    settings = settings or Settings.from_env()
    with _write_lock:
        index = default_index(settings)
        if source not in index.sources:
            names = ", ".join(Path(s).name for s in index.sources) or "none"
            raise QAError(f"{source!r} is not indexed; indexed documents: {names}.")
        if not _is_inside(Path(source), settings.upload_dir.resolve()):
            raise QAError(f"{source} is part of QA_CORPUS_DIR ({settings.corpus_dir}); remove the file there to drop it.")
        updated = index.without(source)
        updated.save(settings.index_dir)
        Path(source).unlink(missing_ok=True)
        remember_default_index(settings, updated)
    return updated


def reindex_all(*, settings: Settings | None = None, show_progress: bool = False) -> Index:
    """Rebuild the default index from every document of the corpus and upload folders."""
    from qa.index import build_index, corpus_paths

    settings = settings or Settings.from_env()
    with _write_lock:
        index = build_index(corpus_paths(settings), settings.index_dir, settings=settings, show_progress=show_progress)
        remember_default_index(settings, index)
    return index


def _read_as(path: str | Path, name: str) -> str:
    # Uploads arrive under temporary names; read them with the suffix they were given.
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as tmp:
        named = Path(tmp) / _safe_name(name)
        shutil.copyfile(path, named)
        try:
            return read_document(named)
        except DocumentError as exc:
            raise DocumentError(str(exc).replace(str(named), name)) from None


def _safe_name(name: str) -> str:
    """A plain file name: last path component, no control characters or leading dots."""
    base = Path(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base).lstrip(".").strip()
    if not base or not Path(base).stem:
        raise DocumentError(f"{name!r} is not a usable file name.")
    return base[:150]


def _free_name(folder: Path, name: str, *, taken: list[Path] = ()) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 1
    while target.exists() or target in taken:
        target = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return target


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False
