"""e5's XLM-R tokenizer on SentencePiece, loaded without holding the GIL.

The prepared model folder keeps its vocabulary twice (`qa.encoding.model_prep`): as
``tokenizer.json`` for ``tokenizers`` (what sentence-transformers and the torch build
encoder read, with character offsets), and as ``sentencepiece.model`` plus the
normaliser's compiled character map, read here. Building ``tokenizers``' Unigram trie
of 250,002 pieces takes 0.6-0.9 s and holds the GIL; SentencePiece takes 0.4 s and
releases it, so a cold `qa ask` loads it while it reads the index
(`qa.serving.cli._start_loading`).

Both give the same ids (tests/encoding/test_tokenizer.py) on 34,965 of 34,998 texts tried (the
PIAF paragraphs and questions in 9 languages, this repository's text and code, every
character to U+3000). The others:
- long runs of one character ("--------"), where Viterbi meets segmentations of equal
  score and the two libraries break the tie differently;
- a literal "<s>" or "</s>" in the text, which ``tokenizers`` reads as the special token
  and SentencePiece as text (as a question's words should be).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

SENTENCEPIECE_FILE = "sentencepiece.model"
CHARSMAP_FILE = "normaliser.charsmap"
# What tokenizers' WhitespaceSplit splits on: Rust's `char::is_whitespace`, Unicode's
# White_Space (Python's `str.split()` also splits on U+001C-U+001F).
_WHITESPACE = re.compile("[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


class E5Tokenizer:
    """Token ids of texts, with <s> and </s>, truncated to the model's length.

    The vocabulary loads in a background thread from construction; the first call
    waits for it.

    Args:
        folder: a prepared model folder holding `SENTENCEPIECE_FILE` and `CHARSMAP_FILE`.
        max_length: the most tokens a text keeps, <s> and </s> included.

    Example:
        >>> tokenizer = E5Tokenizer(folder, max_length=512)  # doctest: +SKIP
        >>> tokenizer.encode_batch(["query: Bonjour"])  # doctest: +SKIP
        [[0, 41, 1294, 12, 84602, 2]]
    """

    def __init__(self, folder: Path, *, max_length: int):
        from tokenizers import normalizers

        self._max_length = max_length
        self._model_file = folder / SENTENCEPIECE_FILE
        # tokenizer.json's normaliser: SentencePiece's compiled character map.
        try:
            self._normaliser = normalizers.Precompiled((folder / CHARSMAP_FILE).read_bytes())
        except OSError as exc:
            raise _unreadable(folder / CHARSMAP_FILE, exc) from exc
        self._processor = None
        self._error: Exception | None = None
        self._loaded = threading.Thread(target=self._load, name="sentencepiece-load", daemon=True)
        self._loaded.start()

    def _load(self) -> None:
        import sentencepiece

        try:
            self._processor = sentencepiece.SentencePieceProcessor(model_file=str(self._model_file))
        except (OSError, RuntimeError) as exc:  # reported by the first call, in the caller's thread
            self._error = exc

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids."""
        self._loaded.join()
        if self._processor is None:
            raise _unreadable(self._model_file, self._error) from self._error
        pieces = self._processor.encode([self._normalised(text) for text in texts])
        bos, eos, keep = self._processor.bos_id(), self._processor.eos_id(), self._max_length - 2
        return [[bos, *ids[:keep], eos] for ids in pieces]

    def _normalised(self, text: str) -> str:
        # tokenizer.json then splits on whitespace and marks each word's start (▁), as
        # SentencePiece does for words one space apart.
        return " ".join(word for word in _WHITESPACE.split(self._normaliser.normalize_str(text)) if word)


def _unreadable(path: Path, error: Exception | None):
    from qa.errors import ModelError

    return ModelError(f"Cannot read {path}: {error}. Run `qa model prepare --force`.")
