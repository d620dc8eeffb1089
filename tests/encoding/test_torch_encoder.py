"""Index builds' encoder: the numpy model's vectors in torch, bf16 close to fp32, one pass per sentence."""

import json
from dataclasses import replace

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import QAError
from qa.encoding.torch_encoder import _strongest, cpu_has_bf16, resolve_precision
from tests.conftest import ROOT, SEED

TEXTS = [
    "passage: Vladimir Poutine a été invité à Pyongyang par Kim Jong Un.",
    "passage: Court.",
    "passage: Кто подписал договор о дружбе в 1961 году? Le traité fut signé à Moscou, en juillet.",
    "query: traité",
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_fp32_gives_the_question_path_vectors_and_sparse_features(embedder):
    vectors, sparse = embedder.batch_encoder("fp32").encode(TEXTS, [(9, len(t)) for t in TEXTS])
    assert _cosines(vectors, embedder.model.embed(TEXTS)).min() > 0.99999
    # The sparse head over the tokens after the prompt ("passage", ":"), as numpy reads them.
    states = embedder.model.token_states(TEXTS[:3])
    expected = embedder.sparse.encode_states([np.concatenate([s[:1], s[3:]]) for s in states]).toarray()
    got = sparse[:3].toarray()
    assert [set(np.flatnonzero(row)) for row in got] == [set(np.flatnonzero(row)) for row in expected]
    assert np.allclose(got, expected, atol=1e-4)


def test_bf16_vectors_stay_within_a_cosine_of_0_9999_of_fp32(embedder):
    fp32, sparse32 = embedder.batch_encoder("fp32").encode(TEXTS, [(0, len(t)) for t in TEXTS])
    bf16, sparse16 = embedder.batch_encoder("bf16").encode(TEXTS, [(0, len(t)) for t in TEXTS])
    assert _cosines(bf16, fp32).min() > 0.9999
    assert _cosines(sparse16.toarray(), sparse32.toarray()).min() > 0.95


def test_words_batched_by_their_exact_length_embed_as_the_question_path_does(embedder):
    """Words of one token length go in a batch without padding or mask (`_batches`);
    long padded texts through the fused attention: both as numpy's padded batches."""
    from qa.encoding.torch_encoder import _EXACT_LENGTH, _EXACT_MIN_TEXTS, _batches

    words = ["query: " + w for w in ("traité", "amitié", "Pyongyang", "1961", "signé", "Moscou", "juillet", "дружбе", "東京")]
    words *= _EXACT_MIN_TEXTS  # enough of each length for batches of their own
    lengths = [embedder.model.token_count(w) for w in words]
    batches = _batches(lengths)
    assert sorted(r for b in batches for r in b) == list(range(len(words)))
    assert all(len({lengths[r] for r in b}) == 1 for b in batches)
    assert len(batches) == len(set(lengths))  # a batch a length
    texts = words + [TEXTS[2] * 4, TEXTS[0] * 3]  # two padded texts of more than 16 tokens
    assert min(lengths) <= _EXACT_LENGTH < embedder.model.token_count(texts[-1])
    for precision, close in (("fp32", 0.99999), ("bf16", 0.9999)):
        vectors = embedder.batch_encoder(precision).embed(texts)
        assert _cosines(vectors, embedder.model.embed(texts)).min() > close, precision


def test_a_few_short_texts_of_one_length_go_padded_with_the_others(embedder):
    """A slice of sentences holds a few headings or table rows of each short length: as
    batches of their own, each would be a new shape for oneDNN to compile."""
    from qa.encoding.torch_encoder import _batches

    texts = ["passage: Sommaire.", "passage: Annexe.", *TEXTS[:3]]
    lengths = [embedder.model.token_count(t) for t in texts]
    assert [len(b) for b in _batches(lengths)] == [len(texts)]  # one padded batch
    vectors = embedder.batch_encoder("fp32").embed(texts)
    assert _cosines(vectors, embedder.model.embed(texts)).min() > 0.99999


def test_sentences_pooled_into_a_chunk_give_the_chunk_tokens_vector(embedder):
    import torch

    from qa.encoding.sparse import pool_rows

    encoder = embedder.batch_encoder("fp32")
    states = torch.from_numpy(np.concatenate(embedder.model.token_states(TEXTS[:3])))
    text_of = torch.tensor([i for i, s in enumerate(embedder.model.token_states(TEXTS[:3])) for _ in range(len(s))])
    each = encoder._sparse_vectors(states, text_of, 3)
    together = encoder._sparse_vectors(states, torch.zeros_like(text_of), 1)
    assert np.allclose(pool_rows(each, [0], [3]).toarray(), together.toarray())


def test_strongest_are_those_of_a_full_topk():
    import torch

    activations = torch.relu(torch.randn(50, 16384))
    values, columns = _strongest(activations, 32)
    assert torch.equal(torch.sort(values, dim=1).values, torch.sort(torch.topk(activations, 32, dim=1).values, dim=1).values)
    assert torch.equal(torch.gather(activations, 1, columns), values)


def test_precision_setting_is_checked_and_auto_asks_the_cpu():
    assert resolve_precision("auto") == ("bf16" if cpu_has_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32"
    with pytest.raises(QAError, match="QA_PRECISION"):
        resolve_precision("int4")
    with pytest.raises(QAError, match="QA_PRECISION='half'"):
        Settings.from_env({"QA_PRECISION": "half"})
    assert Settings.from_env({"QA_PRECISION": "bf16"}).precision == "bf16"


@pytest.fixture(scope="module")
def indexes(settings, embedder, tmp_path_factory):
    from qa import build_index

    return {
        precision: build_index([SEED], tmp_path_factory.mktemp(precision), settings=replace(settings, precision=precision))
        for precision in ("fp32", "bf16")
    }


def test_the_manifest_records_the_precision_and_a_reload_keeps_it(indexes):
    from qa import load_index

    for precision, index in indexes.items():
        manifest = json.loads((index.directory / index.version / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["precision"] == precision
        assert load_index(index.directory).precision == precision


def test_fp32_and_bf16_indexes_give_the_same_top_passages_on_the_seed_questions(indexes):
    from qa import retrieve

    lines = (ROOT / "eval" / "multilingual_qa.jsonl").read_text(encoding="utf-8").splitlines()
    examples = [json.loads(line) for line in lines if line.strip()]
    assert len(examples) >= 20
    same_three = 0
    for example in examples:
        fp32, bf16 = ([(p.start, p.end) for p in retrieve(example["question"], k=3, index=indexes[p])] for p in ("fp32", "bf16"))
        if example["answerable"]:
            assert fp32[0] == bf16[0], example["question"]
        same_three += set(fp32) == set(bf16)
    # Fused scores of passages 2 and 3 can tie within bf16's rounding (1 question of 22 here).
    assert same_three >= 0.9 * len(examples)


def test_the_fused_product_probe_checks_every_activation_against_the_public_path(monkeypatch):
    """`_has_fused_linear` keeps oneDNN's private fused product only when it gives what
    torch.addmm and the activation give, for each activation the encoder uses."""
    import torch

    from qa.encoding import torch_encoder

    real = getattr(getattr(torch.ops, "mkldnn", None), "_linear_pointwise", None)
    if real is None or not torch_encoder._has_fused_linear():
        pytest.skip("this torch build has no fused bf16 product: the public path is used")
    for broken in torch_encoder._FUSED_ACTIVATIONS:

        def differs_for_one(x, weight, bias, activation, scalars, algorithm, broken=broken):
            out = real(x, weight, bias, activation, scalars, algorithm)
            return out + 1 if activation == broken else out

        monkeypatch.setattr(torch.ops.mkldnn, "_linear_pointwise", differs_for_one)
        assert not torch_encoder._has_fused_linear(), broken
    monkeypatch.setattr(torch.ops.mkldnn, "_linear_pointwise", real)
    assert torch_encoder._has_fused_linear()


def test_bf16_without_the_fused_product_gives_the_same_vectors(embedder, monkeypatch):
    """The public path (torch.addmm, then the activation), taken where the probe fails,
    embeds as the fused one does."""
    from qa.encoding import torch_encoder

    fused = embedder.batch_encoder("bf16").embed(TEXTS)
    monkeypatch.setattr(torch_encoder, "_has_fused_linear", lambda: False)
    public = torch_encoder.TorchEncoder(embedder.model, embedder.sparse, "bf16")
    assert not public._fused
    assert _cosines(public.embed(TEXTS), fused).min() > 0.999
