"""Does a bilingual lexicon help cross-lingual grounding? (issue 11, "every language")

Debian's FreeDict dictionaries (apt: dict-freedict-eng-fra, -fra-eng, -deu-fra,
-fra-deu, -fra-spa, -fra-ita, -fra-por, -por-fra, -fra-rus, -nld-fra, -fra-nld,
-pol-fra, -fra-pol) give each question word its translations into the document's
language, read both ways. A question word then also counts as found in a sentence's
window when one of its translations has a stem there. The answer step is
cross-validated (`qa.tools.fit.cross_validate`, 5 folds grouped by article) three ways:

- as shipped;
- with the lexicon grounding of cross-lingual candidates as one more ranker feature;
- with grounding and cross_grounding themselves counting the lexicon's matches on
  cross-lingual candidates (so the abstainer reads them too).

    .venv/bin/python eval/experiments/lexicon_grounding.py
"""

from __future__ import annotations

import gzip
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

import qa.answering.answer_scorer
from qa.tools import fit
from qa.answering.answer_scorer import FEATURES
from qa.config import Settings
from qa.answering.grounding import WORD_MATCH, window_words
from qa.text.lexical import terms

DICTD = Path("/usr/share/dictd")
CODES = {"eng": "en", "fra": "fr", "deu": "de", "spa": "es", "ita": "it", "por": "pt", "rus": "ru", "nld": "nl", "pol": "pl"}
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_SENSE = re.compile(r"^\s*\d+\.\s*|\s+\d+\.\s*$")


def _number(text: str) -> int:
    value = 0
    for c in text:
        value = value * 64 + _B64[c]
    return value


def read_dictionary(path: Path) -> dict[str, set[str]]:
    """Headword -> its translations, from a dictd dictionary. FreeDict puts the
    translations on the line after the headword ("quand 2." when more senses follow,
    as glosses in the source language); the older dictionaries number each
    translation's line ("1. quand", "2. lorsque")."""
    data = gzip.open(path.with_suffix(".dict.dz")).read()
    entries: dict[str, set[str]] = defaultdict(set)
    for line in path.with_suffix(".index").read_text(encoding="utf-8").splitlines():
        head, offset, length = line.split("\t")[:3]
        if head.startswith("00database") or not head:
            continue
        start = _number(offset)
        lines = data[start : start + _number(length)].decode("utf-8", "replace").split("\n")
        for place, text in enumerate(lines[1:]):
            if place and not re.match(r"^\d+\.\s+\S", text):
                continue
            text = _SENSE.sub("", text).strip()
            if not text or len(text) > 80:
                continue
            for translation in re.split(r"[,;]", text):
                if translation.strip():
                    entries[head.lower()].add(translation.strip().lower())
    return entries


def lexicon() -> dict[tuple[str, str], dict[str, set[str]]]:
    """(question language, document language) -> a word's stem -> its translations' stems
    (keyed by stem, so "Geschenke" finds "Geschenk")."""
    pairs: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for index in sorted(DICTD.glob("freedict-*.index")):
        source, target = index.name[len("freedict-") : -len(".index")].split("-")
        if source not in CODES or target not in CODES:
            continue
        a, b = CODES[source], CODES[target]
        for head, translations in read_dictionary(index).items():
            head_stems = set(terms(head, keep_stopwords=False))
            for translation in translations:
                stems = set(terms(translation, keep_stopwords=False))
                for stem in head_stems:
                    pairs[a, b][stem].update(stems)
                for stem in stems:
                    pairs[b, a][stem].update(head_stems)
    return pairs


def lexicon_found(item, pairs) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the share of question words found by stem, meaning or the
    lexicon, and whether the candidate is cross-lingual."""
    c = item.considered
    index, words = c.index, c.words
    shares, cross = [], []
    for candidate in c.candidates:
        document = int(index.sentences[candidate.sentence][0])
        language = index.document_language(document)
        window = window_words(index, candidate.sentence)
        if language == c.language or not words.words:
            shares.append(candidate.grounding)
            cross.append(0.0)
            continue
        table = pairs.get((c.language, language), {})
        ids = window.word_ids
        similar = (words.vectors @ index.word_vectors[ids].T).max(axis=1) if len(ids) else np.zeros(len(words.words))
        document_stems = index.document_stems(document)
        found = [
            stem in window.stems
            or sim >= WORD_MATCH
            or (stem in words.names and stem in document_stems)
            or bool(table.get(stem, set()) & window.stems)
            for stem, sim in zip(words.stems, similar)
        ]
        shares.append(sum(found) / len(found))
        cross.append(1.0)
    return np.asarray(shares, np.float32), np.asarray(cross, np.float32)


def report(name: str, result: dict) -> None:
    print(f"== {name}")
    for set_name, row in result["report"]["fitted"].items():
        print(f"  {set_name}: {row}")
    never = result["report"]["fitted, never abstain"]
    print(f"  never abstain: { {k: round(v['answer_accuracy'], 4) for k, v in never.items()} }")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    pairs = lexicon()
    print({k: len(v) for k, v in pairs.items()}, file=sys.stderr)
    items = fit.collect(Settings.from_env(), show_progress=False)
    # The fitted step computes a question's features again from what it considered:
    # it is given the experiment's instead.
    qa.answering.answer_scorer.candidate_features = lambda considered: features_of[id(considered)]
    features_of = {id(it.considered): it.features for it in items}
    shipped = [it.features for it in items]
    extra = [lexicon_found(it, pairs) for it in items]
    print("cross-lingual candidates whose grounding the lexicon raises:",
          sum(int(((s > it.features[:, 2]) & (x > 0)).sum()) for it, (s, x) in zip(items, extra) if len(s)),
          "of", sum(int(x.sum()) for _, x in extra))
    report("shipped", fit.cross_validate(items))
    for it, base, (share, cross) in zip(items, shipped, extra):
        it.features = np.column_stack([base, cross * share]).astype(np.float32) if len(base) else base
    features_of.update({id(it.considered): it.features for it in items})
    report("+ lexicon grounding as a feature", fit.cross_validate(items))
    g, cg = FEATURES.index("grounding"), FEATURES.index("cross_grounding")
    for it, base, (share, cross) in zip(items, shipped, extra):
        features = base.copy()
        if len(features):
            features[:, g] = np.where(cross > 0, share, features[:, g])
            features[:, cg] = cross * share
        it.features = features
    features_of.update({id(it.considered): it.features for it in items})
    report("grounding counts the lexicon", fit.cross_validate(items))


if __name__ == "__main__":
    main()
