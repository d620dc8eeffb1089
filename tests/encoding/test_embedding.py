"""The default model's numpy encoder gives sentence-transformers' vectors, without importing torch."""

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import ROOT

# Several languages and scripts, one word to a long passage: a batch pads most of them.
SAMPLE = [
    "When was the friendship treaty signed?",
    "Quand Poutine ira-t-il à Pyongyang ?",
    "¿Cuándo viajó Kim al Lejano Oriente ruso?",
    "Кто подписал договор о дружбе?",
    "北朝鮮とロシアの首脳会談",
    "Wie heeft het verdrag ondertekend?",
    "traité",
    "  Leading and trailing spaces.  ",
    "“Nous sommes prêts”, a écrit Poutine.  Deux   espaces, ﬁ ligature, ① ２",
    "La Corée du Nord et l’ex-Union soviétique ont signé un traité d’amitié et d’assistance mutuelle en 1961, "
    "lors de la visite du fondateur national du Nord, Kim Il-sung, à Moscou. " * 3,
]


@pytest.fixture(scope="module")
def sentence_transformer(settings):
    from sentence_transformers import SentenceTransformer

    from qa.encoding.model_prep import ensure_default_model

    return SentenceTransformer(str(ensure_default_model(settings.cache_dir)), device="cpu")


def _min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float((a * b).sum(axis=1).min())


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_default_model_matches_sentence_transformers(embedder, sentence_transformer, kind):
    ours = embedder.embed_queries(SAMPLE) if kind == "query" else embedder.embed_passages(SAMPLE)
    theirs = sentence_transformer.encode(SAMPLE, prompt_name=kind, normalize_embeddings=True, batch_size=32)
    assert ours.shape == (len(SAMPLE), 384) and ours.dtype == np.float32
    assert _min_cosine(ours, theirs) >= 0.9999


def test_default_model_token_states_match_sentence_transformers(embedder, sentence_transformer):
    ours = embedder.model.token_states(SAMPLE)
    theirs = sentence_transformer.encode(SAMPLE, output_value="token_embeddings", convert_to_numpy=False)
    for mine, reference in zip(ours, theirs):
        assert mine.shape == tuple(reference.shape)
        assert np.abs(mine - reference.numpy()).max() < 1e-3


def test_question_embedding_matches_sentence_transformers(embedder, sentence_transformer):
    question, words = SAMPLE[1], ["poutine", "pyongyang"]
    vectors, sparse = embedder.embed_question(question, words, sparse=True)
    assert _min_cosine(vectors, embedder.embed_queries([question, *words])) >= 0.9999
    # As before: the unprompted question's states, padded to the prompted question's length.
    outputs = sentence_transformer.encode(["query: " + question, question], output_value=None, convert_to_numpy=False)
    expected = embedder.sparse.encode_states([outputs[1]["token_embeddings"].numpy()])
    assert set(sparse.indices) == set(expected.indices)
    assert np.allclose(sparse.toarray(), expected.toarray(), atol=1e-4)


def test_other_models_load_through_sentence_transformers(settings, embedder):
    from qa.encoding.embedding import _load
    from qa.encoding.model_prep import default_model_dir

    other = _load(replace(settings, embedding_model=str(default_model_dir(settings.cache_dir))))
    assert type(other.model).__name__ == "SentenceTransformer" and not other.has_sparse
    assert _min_cosine(other.embed_passages(SAMPLE), embedder.embed_passages(SAMPLE)) >= 0.9999
    vectors, sparse = other.embed_question(SAMPLE[0], ["treaty"])
    assert sparse is None and _min_cosine(vectors, embedder.embed_queries([SAMPLE[0], "treaty"])) >= 0.9999


def _modules_loaded_by(code: str) -> set[str]:
    heavy = ("torch", "transformers", "sentence_transformers", "gradio")
    check = f"{code}\nimport sys\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_qa_and_its_cli_loads_no_heavy_library():
    assert _modules_loaded_by("import qa, qa.serving.cli, qa.answering.extractive, qa.retrieving.retrieval") == set()


def test_embedding_a_question_with_the_default_model_loads_no_torch(settings):
    code = (
        "from pathlib import Path\nfrom qa.config import Settings\nfrom qa.encoding.embedding import load_embedder\n"
        f"settings = Settings(cache_dir=Path({str(settings.cache_dir)!r}))\n"
        "load_embedder(settings).embed_question('Quand ?', ['quand'], sparse=True)"
    )
    assert _modules_loaded_by(code) == set()


def test_gelu_matches_the_exact_erf():
    from scipy.special import erf

    from qa.encoding.embedding import _gelu

    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    exact = 0.5 * x.astype(np.float64) * (1 + erf(x.astype(np.float64) / np.sqrt(2)))
    assert np.abs(_gelu(x.copy()) - exact).max() < 2e-6  # float32 with scipy's erf: 4.5e-7


def test_weights_read_by_rows_match_the_file(tmp_path):
    from safetensors.numpy import save_file

    from qa.encoding.embedding import _read_safetensors

    table, norm = np.arange(40, dtype=np.float32).reshape(10, 4), np.ones(4, np.float32)
    save_file({"table": table, "norm": norm}, tmp_path / "model.safetensors")
    weights = _read_safetensors(tmp_path / "model.safetensors", by_rows=lambda name: name == "table")
    ids = np.array([7, 2, 7, 0])
    assert np.array_equal(weights["table"][ids], table[ids]) and weights["table"].shape == (10, 4)
    assert np.array_equal(weights["norm"], norm) and weights["norm"].flags.writeable


@pytest.mark.parametrize("content", ["float16", "corrupt"])
def test_unusable_weights_raise_a_model_error(tmp_path, content):
    from safetensors.numpy import save_file

    from qa.encoding.embedding import _read_safetensors
    from qa.errors import ModelError

    path = tmp_path / "model.safetensors"
    if content == "float16":
        save_file({"table": np.ones((2, 2), np.float16)}, path)
    else:
        path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not a header}")
    with pytest.raises(ModelError, match="qa model prepare --force"):
        _read_safetensors(path)
