"""What an index was built from and with, written beside it and checked when it is read
(by the folder store, `qa.storing.storage`, and by Milvus, `qa.storing.milvus_store`)."""

from __future__ import annotations

from qa.errors import IndexCorruptError
from qa.storing.index import SHORT_SENTENCE_CHARS, Index
from qa.text.lexical import fingerprint as lexicon_fingerprint

FORMAT_VERSION = 10  # bump when chunking, sentence splitting, what is embedded or files change
# (the word lists behind the vocabulary are recorded apart: `qa.text.lexical.fingerprint`)


def manifest_of(index: Index) -> dict:
    """What an index was built from and with: checked when it is loaded."""
    return {
        "format": FORMAT_VERSION,
        "lexicon": lexicon_fingerprint(),
        "short_sentence_chars": SHORT_SENTENCE_CHARS,
        "model": index.model,
        "dimension": int(index.sentence_store.dimension),
        "chunk_size": index.chunk_size,
        "chunk_overlap": index.chunk_overlap,
        "precision": index.precision,
        "documents": [{"source": d.source, "sha256": d.sha256, "chars": len(d.text)} for d in index.documents],
        "chunks": int(len(index.chunks)),
        "sentences": int(len(index.sentences)),
    }


def check_manifest(manifest: dict, where: str) -> None:
    """Raise `IndexCorruptError` when an index was written by another version of qa."""
    if (manifest.get("format"), manifest.get("lexicon"), manifest.get("short_sentence_chars")) != (
        FORMAT_VERSION,
        lexicon_fingerprint(),
        SHORT_SENTENCE_CHARS,
    ):
        raise IndexCorruptError(f"{where} was written by another version of qa; rebuild it with `qa index`.")
