"""Grounding: which of a question's words a sentence's window holds, by spelling or by
meaning (word embeddings), and which of its names no document mentions."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import numpy as np

from qa.answering.answer_types import NAME_RE, counted_words
from qa.storing.index import Index, sentence_window
from qa.text.language import CAPITALISED_NOUNS
from qa.text.lexical import TYPE_KINDS, is_stopword, key_words, terms

# A question word is found in a sentence when one of its words has the same stem, or
# an embedding this close: translations of a word score 0.89-1.0 with e5, related but
# different words (gifts/visit, China/Korea, rocket/satellite) 0.83-0.885.
WORD_MATCH = 0.89


@dataclass(frozen=True)
class QuestionWords:
    """A question's content words, their stems and embeddings, its names, what it counts."""

    words: list[str]
    stems: list[str]
    vectors: np.ndarray
    names: frozenset[str]
    counted: list[str]
    counted_vectors: np.ndarray
    name_groups: list[list[str]]

    @classmethod
    def of(cls, question: str, language: str, vectors: dict[str, np.ndarray]) -> QuestionWords:
        words = key_words(question)
        counted = counted_words(question)
        stems = [_stem(w) for w in words]
        # Capitalised words after the first are names: "Yoweri Museveni", "Zgorzelec".
        # German capitalises every noun, so there capitals say nothing.
        groups = [] if language in CAPITALISED_NOUNS else _name_groups(question)
        names = frozenset(_stem(w) for group in groups for w in group)
        return cls(words, stems, _stack(vectors, words), names, counted, _stack(vectors, counted), groups)

    def anchors(self, index: Index, kind: str | None):
        """A test of whether a (lower-case) word of a sentence is what the answer must
        stand next to: the thing counted for `how_many`, a question word for
        `duration`; None when there is no such thing."""
        if kind == "how_many" and self.counted:
            words, vectors = self.counted, self.counted_vectors
        elif kind == "duration" and self.words:
            words, vectors = self.words, self.vectors
        else:
            return None
        stems = {_stem(w) for w in words}
        kinds = {TYPE_KINDS[w] for w in words if w in TYPE_KINDS}

        def is_anchor(word: str) -> bool:
            if _stem(word) in stems or TYPE_KINDS.get(word) in kinds:
                return True
            row = index.word_ids.get(word)
            return row is not None and float((vectors @ index.word_vectors[row]).max()) >= WORD_MATCH

        return is_anchor


def question_vocabulary(question: str) -> list[str]:
    """The question's words that need an embedding: content words and counted words."""
    return list(dict.fromkeys(key_words(question) + counted_words(question)))


def question_word_vectors(index: Index, words: list[str], embedded: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Embeddings of question words: the index's own for words of the documents.

    (A word found by its stem could borrow the embedding of the document word with that
    stem and skip a forward pass, but 6-character stems join different words, "commun"
    and "communauté": it cost a PIAF answer.)
    """
    return {w: index.word_vectors[index.word_ids[w]] if w in index.word_ids else embedded[w] for w in words}


def _stack(vectors: dict[str, np.ndarray], words: list[str]) -> np.ndarray:
    if not words:
        dimension = next((len(v) for v in vectors.values()), 1)
        return np.zeros((0, dimension), np.float32)
    return np.stack([vectors[w] for w in words])


_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'-]+$")


def _name_groups(question: str) -> list[list[str]]:
    """The question's names, as runs of capitalised words ("Lejano Oriente"), lower-cased."""
    groups: list[list[str]] = []
    previous_end = -2
    for match in NAME_RE.finditer(question):
        if not _LATIN_NAME.match(match.group()) or match.group().isupper():
            # Acronyms change letters across languages (USA, EU, США, ONU), and names in
            # another script rarely embed close to their Latin spelling ("Пхеньяне").
            previous_end = -2
            continue
        parts = [w for w in re.findall(r"\w+", match.group().lower()) if not is_stopword(w)]
        if not parts:  # "¿Cuándo ...": a question word after opening punctuation
            continue
        if groups and not question[previous_end : match.start()].strip():
            groups[-1].extend(parts)
        else:
            groups.append(parts)
        previous_end = match.end()
    return groups


def unknown_names(index: Index, words: QuestionWords) -> list[str]:
    """The question's names that no document mentions, by spelling or by meaning.

    "Comment la Chine a-t-elle réagi ?" cannot be answered by documents that never
    name China, however close the rest of the question is to them. A name of several
    words counts as mentioned when one of them is ("Lejano Oriente", "Extrême-Orient").
    """
    if not words.name_groups or not len(index.vocabulary):
        return []
    vectors = dict(zip(words.words, words.vectors))

    def known(word: str) -> bool:
        if _stem(word) in index.vocabulary_stems:
            return True
        vector = vectors.get(word)
        return vector is None or float((index.word_vectors @ vector).max()) >= WORD_MATCH

    return [" ".join(group) for group in words.name_groups if not any(known(w) for w in group)]


def _stem(word: str) -> str:
    stems = terms(word, keep_stopwords=True)
    return stems[0] if stems else word


@dataclass(frozen=True)
class WindowWords:
    """What grounding reads of a sentence's window: its words' rows in the index's
    vocabulary and its stems."""

    word_ids: np.ndarray
    stems: frozenset[str]


# Windows already read, per index: the same sentences come back question after
# question (half of `score_candidates`). Bounded, as a server lives long.
_windows: weakref.WeakKeyDictionary[Index, dict[int, WindowWords]] = weakref.WeakKeyDictionary()
_MAX_WINDOWS = 20_000


def window_words(index: Index, sentence: int) -> WindowWords:
    """A sentence's window (`_window_text`) as grounding reads it."""
    cache = _windows.setdefault(index, {})
    window = cache.get(sentence)
    if window is None:
        if len(cache) >= _MAX_WINDOWS:
            cache.clear()
        text = _window_text(index, sentence)
        ids = np.array([index.word_ids[w] for w in key_words(text, type_words=True) if w in index.word_ids], dtype=np.int64)
        window = cache[sentence] = WindowWords(ids, frozenset(terms(text, keep_stopwords=True)))
    return window


def grounding(words: QuestionWords, window: WindowWords, index: Index, document_stems: frozenset[str]) -> float:
    """Share of the question's content words found in a sentence's window, by stem or
    by meaning.

    A name counts as found anywhere in the sentence's document: the sentence that
    answers often calls its subject "he" or "the city".
    """
    if not words.words:
        return 1.0
    ids = window.word_ids
    similar = (words.vectors @ index.word_vectors[ids].T).max(axis=1) if len(ids) else np.zeros(len(words.words))
    found = [
        stem in window.stems or sim >= WORD_MATCH or (stem in words.names and stem in document_stems)
        for stem, sim in zip(words.stems, similar)
    ]
    return sum(found) / len(found)


def _window_text(index: Index, sentence: int) -> str:
    """A sentence with its neighbours in the same document: the context a reader sees."""
    return index.span_text(*sentence_window(index.sentences, sentence))
