"""Batched encoding for index builds: the default model in torch, bf16 where the CPU has it.

`BertEncoder` (numpy) answers questions without importing torch. A build embeds
thousands of texts, and there torch's matrix products pay for its import (about 1 s):
`TorchEncoder` runs the same BERT over the same weights, and on CPUs with AVX-512 BF16
or AMX it runs the dense layers, attention, GELU and the sparse head in bfloat16 (the
residual stream, layer norms, softmax and pooling stay float32). On this machine that
embeds 2.5x faster than float32, and its vectors keep a cosine of at least 0.9999 to
the float32 ones (tests/encoding/test_torch_encoder.py).

One pass gives what a sentence needs: its passage embedding (mean of all its tokens,
prompt included) and its sparse vector (`qa.encoding.sparse`, over the tokens of one character
span of it: the sentence itself, without the prompt or the neighbours a short sentence
is embedded with).
"""

from __future__ import annotations

import ctypes
import logging
import os
import time
from collections.abc import Callable

import numpy as np

from qa.config import PRECISIONS
from qa.encoding.batching import similar_length_batches
from qa.errors import QAError

logger = logging.getLogger(__name__)

# oneDNN keeps a compiled kernel for each matrix shape it meets, 1,024 by default; 64
# hold every shape a build meets often (see `_LENGTH_STEP`). Read when oneDNN first
# runs, so it counts only if no matrix product ran in this process before.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")


def cpu_has_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices natively (AVX-512 BF16 or AMX)."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def resolve_precision(setting: str) -> str:
    """``fp32`` or ``bf16`` for a `QA_PRECISION` setting (``auto`` asks the CPU).

    Raises:
        QAError: the setting is not one of `PRECISIONS`.
    """
    if setting not in PRECISIONS:
        raise QAError(f"QA_PRECISION={setting!r} is not one of {', '.join(PRECISIONS)}.")
    if setting == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return setting


# A batch holds up to this many tokens (padding included) and this much attention
# (texts x length²). Torch's per-operation overhead is paid per batch: short texts (an
# index's words, 7 tokens each) go 1,000 at a time instead of 32, which embedded them
# in less than half the time.
_BATCH_TOKENS = 8192
_BATCH_ATTENTION = 32 * 128 * 128
# Shapes are rounded up: a batch's length to a multiple of 16, its texts to a multiple
# of 8, its packed tokens to a multiple of 128. oneDNN keeps a compiled kernel, with its
# own copy of the packed weights, for each matrix shape it meets: with exact shapes, a
# 10,000-passage build held 6 GB of them (and compiled a new kernel at most batches).
_LENGTH_STEP, _TEXTS_STEP, _TOKENS_STEP = 16, 8, 128
_SHORT_SOFTMAX = 16
_EXACT_LENGTH = 16
_EXACT_MIN_TEXTS = 64


def _release_freed_memory() -> None:
    """Give the memory freed by earlier calls' tensors back to the system (glibc only),
    at most every `_TRIM_EVERY_S` seconds.

    Tensors of ever-changing sizes leave glibc's heap fragmented: without this, a
    build's resident memory grew by about 100 MB every 1,000 sentences. Trimming after
    every call cost 10% of the build time (the next tensors fault their pages in
    again); every 2 s costs a few percent.
    """
    global _malloc_trim, _trimmed_at
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to do
            _malloc_trim = False
    if _malloc_trim and time.monotonic() - _trimmed_at >= _TRIM_EVERY_S:
        _malloc_trim(0)
        _trimmed_at = time.monotonic()


_malloc_trim = None
_trimmed_at = time.monotonic()  # the first trim comes some seconds into a build
_TRIM_EVERY_S = 2.0


# The activations `TorchEncoder._linear` asks of oneDNN's fused product, with the public
# computation each must match.
_FUSED_ACTIVATIONS = ("none", "gelu", "relu")


def _has_fused_linear() -> bool:
    """Whether torch's oneDNN build runs a bf16 product with its bias and each activation
    of `_FUSED_ACTIVATIONS` fused, and gives what the public path (torch.addmm, then
    torch.nn.functional's activation) gives. Without it, or where one differs or fails,
    every product takes the public path.

    Why a private op: ``torch.ops.mkldnn._linear_pointwise`` is what torch.compile emits
    for a product with its bias and activation on CPU, and no public function runs it
    without compiling (torch.compile costs seconds at every start). torch.addmm copies the
    bias into every row of its output first (2.27 ms against 1.78 ms for 4,096 tokens into
    1,536 features), and the activation then reads and writes the output once more. A
    torch release that drops or changes the op fails this probe and builds stay correct,
    only slower.
    """
    import torch
    import torch.nn.functional as F

    x = torch.linspace(-2, 2, 8 * 16).reshape(8, 16).to(torch.bfloat16)
    weight = torch.linspace(-1, 1, 4 * 16).reshape(4, 16).to(torch.bfloat16)
    bias = torch.linspace(-1, 1, 4).to(torch.bfloat16)
    public = torch.addmm(bias, x, weight.T).float()
    expected = {"none": public, "gelu": F.gelu(public), "relu": torch.relu(public)}
    for activation in _FUSED_ACTIVATIONS:
        algorithm = "none" if activation == "gelu" else ""
        try:
            fused = torch.ops.mkldnn._linear_pointwise(x, weight, bias, activation, [], algorithm)
        except (AttributeError, RuntimeError, NotImplementedError, TypeError):
            return False
        if fused.shape != expected[activation].shape or not torch.allclose(
            fused.float(), expected[activation], atol=0.05
        ):
            return False
    return True


def _softmax(scores):
    """Softmax over the last dimension. torch's kernel vectorises along that dimension:
    over a word's 5 to 15 tokens it took 8 ms for 1,170 words' scores, against 1.2 ms
    for these element-wise steps; from 16 tokens on it is the faster."""
    import torch

    if scores.shape[-1] >= _SHORT_SOFTMAX:
        return torch.softmax(scores, dim=-1)
    exp = (scores - scores.amax(dim=-1, keepdim=True)).exp_()
    return exp.div_(exp.sum(dim=-1, keepdim=True))


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


# Told after each batch: (texts, tokens) it embedded. A build's progress reports and
# cancellation happen there, between two batches (a batch holds at most `_BATCH_TOKENS`).
BatchDone = Callable[[int, int], None]


def _batch_size(longest: int) -> int:
    """Texts a batch holds when its longest text has this many tokens."""
    length = _round_up(longest, _LENGTH_STEP)
    return min(_BATCH_TOKENS // length, _BATCH_ATTENTION // length**2)


def _batches(lengths: list[int]) -> list[list[int]]:
    """Rows of texts of these token lengths in batches: texts of up to `_EXACT_LENGTH`
    tokens (an index's words) with others of exactly their length when there are at
    least `_EXACT_MIN_TEXTS` of that length, the others with texts of similar length
    (`qa.encoding.batching.similar_length_batches`).

    A batch of one length has no padding: attention needs no mask and reads its queries,
    keys and values in place. Words (7 tokens on average) padded to 16 spent most of
    their attention on padding. A few short texts of one length (a slice of sentences
    holds headings, table rows, lines of code) go padded with the others instead: each
    small batch of its own made a new shape, which oneDNN compiles anew (4 texts of 10
    tokens took 1.5 s, 200 times the time of their tokens in a full batch).
    """
    by_length: dict[int, list[int]] = {}
    for row, length in enumerate(lengths):
        if length <= _EXACT_LENGTH:
            by_length.setdefault(length, []).append(row)
    exact = {length: rows for length, rows in by_length.items() if len(rows) >= _EXACT_MIN_TEXTS}
    padded = [row for row, length in enumerate(lengths) if length not in exact]
    batches = [[padded[i] for i in batch] for batch in similar_length_batches([lengths[r] for r in padded], _batch_size)]
    for length, rows in sorted(exact.items(), reverse=True):
        size = _BATCH_TOKENS // length
        batches.extend(rows[start : start + size] for start in range(0, len(rows), size))
    return batches


def _padded_batch(token_ids: list[list[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (texts, length) at rounded shapes, and where they are real tokens; texts
    of one length up to `_EXACT_LENGTH` tokens at their own shape, with no padding."""
    lengths = set(map(len, token_ids))
    if len(lengths) == 1 and max(lengths) <= _EXACT_LENGTH:
        ids = np.array(token_ids, dtype=np.int64)
        return ids, np.ones(ids.shape, dtype=bool)
    shape = (_round_up(len(token_ids), _TEXTS_STEP), _round_up(max(map(len, token_ids)), _LENGTH_STEP))
    ids = np.full(shape, pad, dtype=np.int64)
    keep = np.zeros(shape, dtype=bool)
    for row, text_ids in enumerate(token_ids):
        ids[row, : len(text_ids)] = text_ids
        keep[row, : len(text_ids)] = True
    return ids, keep


def _strongest(activations, k: int):
    """(values, columns) of each row's ``k`` largest values: `qa.encoding.sparse._strongest` in torch.

    A row's k largest values lie in the k blocks of `_BLOCK` columns with the largest
    maxima, so the search runs on those blocks alone (a third of a full `topk`'s time).
    """
    import torch

    from qa.encoding.sparse import _BLOCK

    rows, columns = activations.shape
    if columns % _BLOCK or k * _BLOCK >= columns:
        return torch.topk(activations, k, dim=1, sorted=False)
    blocks = activations.view(rows, columns // _BLOCK, _BLOCK)
    best_blocks = torch.topk(blocks.amax(dim=2), k, dim=1, sorted=False).indices
    candidates = torch.gather(blocks, 1, best_blocks[:, :, None].expand(-1, -1, _BLOCK)).reshape(rows, -1)
    values, chosen = torch.topk(candidates, k, dim=1, sorted=False)
    return values, torch.gather(best_blocks, 1, chosen // _BLOCK) * _BLOCK + chosen % _BLOCK


class TorchEncoder:
    """The default model's forward pass and sparse head in torch, at one precision.

    Args:
        bert: the loaded `qa.encoding.embedding.BertEncoder` (its weights are shared, not copied,
            in float32; bfloat16 copies of the dense ones take 43 MB).
        sparse: the `qa.encoding.sparse.SparseEncoder` whose head to run, or None.
        precision: ``fp32`` or ``bf16``.
    """

    def __init__(self, bert, sparse, precision: str):
        import torch

        self.precision = precision
        self._bert = bert
        self._dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        # Attention's 1/sqrt(head size) is folded into the query's weights and bias: one
        # product less per layer.
        scale = np.ones(3 * bert.dimension, np.float32)
        scale[: bert.dimension] = (bert.dimension // bert._heads) ** -0.5

        self._fused = precision == "bf16" and _has_fused_linear()

        def cast(name: str, array: np.ndarray, weight: bool):
            tensor = torch.from_numpy(array * (scale if name == "qkv" else 1)).to(self._dtype)
            # oneDNN's fused product wants (out, in) weights; torch.addmm (in, out).
            return tensor.T.contiguous() if weight and self._fused else tensor

        self._dense = [
            {name: (cast(name, w, True), cast(name, b, False)) for name, (w, b) in layer.items()} for layer in bert._dense
        ]
        self._norms = {name: torch.from_numpy(value) for name, value in bert._weights.items() if "LayerNorm" in name}
        self._positions = torch.from_numpy(bert._weights["embeddings.position_embeddings.weight"])
        self._token_type = torch.from_numpy(bert._weights["embeddings.token_type_embeddings.weight"][0])
        self._sparse = None
        if sparse is not None:
            weights = torch.from_numpy(sparse._weights_t).to(self._dtype)
            self._sparse = (
                weights.T.contiguous() if self._fused else weights,
                torch.from_numpy(sparse._bias).to(self._dtype),
                sparse._per_token,
                sparse.dimension,
            )

    def embed(self, texts: list[str], *, on_batch: BatchDone | None = None) -> np.ndarray:
        """Mean-pooled, L2-normalised float32 embeddings (prompts already in ``texts``)."""
        return self.encode(texts, on_batch=on_batch)[0]

    def encode(
        self, texts: list[str], spans: list[tuple[int, int]] | None = None, *, on_batch: BatchDone | None = None
    ):
        """Embeddings of ``texts`` and, with ``spans``, sparse vectors of a span of each.

        Args:
            texts: what to embed, prompts included.
            spans: one (start, end) character range per text: the tokens that begin
                inside it make that text's sparse vector.
            on_batch: called after each batch with its texts and tokens (`BatchDone`);
                what it raises stops the work there.

        Returns:
            (float32 embeddings, one row a text; CSR sparse vectors, or None).
        """
        import torch
        from scipy.sparse import csr_matrix, vstack

        bert = self._bert
        encodings = bert.offsets_tokenizer.encode_batch(texts)
        vectors = np.zeros((len(texts), bert.dimension), dtype=np.float32)
        wants_sparse = spans is not None and self._sparse is not None
        parts, order = [], []
        with torch.inference_mode():
            for rows in _batches([len(e.ids) for e in encodings]):
                ids, keep = _padded_batch([encodings[i].ids for i in rows], bert._pad)
                states = self._forward(ids, keep)  # (tokens, dimension), real tokens in row order
                text_of = torch.from_numpy(np.nonzero(keep)[0])
                sums = torch.zeros((len(rows), bert.dimension)).index_add_(0, text_of, states)
                vectors[rows] = torch.nn.functional.normalize(sums, dim=1).numpy()  # a mean, normalised
                if wants_sparse:
                    in_span = np.zeros_like(keep)
                    for i, row in enumerate(rows):
                        start, end = spans[row]
                        # Real tokens (not <s>, </s>: their offsets are empty) that start in the span.
                        for t, (s, e) in enumerate(encodings[row].offsets):
                            in_span[i, t] = e > s and start <= s < end
                    chosen = torch.from_numpy(in_span[keep])
                    parts.append(self._sparse_vectors(states[chosen], text_of[chosen], len(rows)))
                    order.extend(rows)
                if on_batch is not None:
                    on_batch(len(rows), int(keep.sum()))
        _release_freed_memory()
        if not wants_sparse:
            return vectors, None
        if not parts:
            return vectors, csr_matrix((len(texts), self._sparse[3]), dtype=np.float32)
        sparse = vstack(parts, format="csr")
        return vectors, sparse[np.argsort(order)]

    def _sparse_vectors(self, states, text_of, texts: int):
        """`qa.encoding.sparse.SparseEncoder` in torch: each text's strongest features, as CSR rows.

        Args:
            states: (tokens, dimension) states of the tokens to read.
            text_of: which of the ``texts`` each token belongs to.
        """
        import torch
        from scipy.sparse import csr_matrix

        from qa.encoding.sparse import TOP_FEATURES

        weights_t, bias, per_token, dimension = self._sparse
        pooled = torch.zeros(texts * dimension)
        # A slice of tokens at a time: 1,024 tokens' activations take 64 MB.
        for start in range(0, len(states), 1024):
            tokens = states[start : start + 1024]
            rows = len(tokens)
            tokens = torch.nn.functional.pad(tokens, (0, 0, 0, _round_up(rows, _TOKENS_STEP) - rows))
            activations = self._linear(tokens, (weights_t, bias), "relu")[:rows]
            values, features = _strongest(activations, min(per_token, dimension))
            flat = (text_of[start : start + 1024, None] * dimension + features).reshape(-1)
            pooled.scatter_reduce_(0, flat, values.float().reshape(-1), "amax")
        values, features = torch.topk(pooled.view(texts, dimension), min(TOP_FEATURES, dimension), dim=1)
        values, features = values.numpy(), features.numpy()
        kept = values > 0
        order = np.argsort(np.where(kept, features, dimension), axis=1, kind="stable")  # features ascending
        features = np.take_along_axis(features, order, axis=1)
        values = np.take_along_axis(values, order, axis=1)
        kept = np.take_along_axis(kept, order, axis=1)
        indptr = np.concatenate([[0], np.cumsum(kept.sum(axis=1))])
        return csr_matrix((values[kept], features[kept], indptr), shape=(texts, dimension), dtype=np.float32)

    def _forward(self, ids: np.ndarray, keep: np.ndarray):
        """Last hidden states of the real tokens, (tokens, dimension) float32 in row order:
        `BertEncoder._forward` in torch.

        Only real tokens go through the dense layers, packed in one (tokens, dimension)
        matrix; attention runs on the padded batch with padding masked out.
        """
        import torch
        import torch.nn.functional as F

        bert = self._bert
        batch, length = ids.shape
        heads = bert._heads
        head_size = bert.dimension // heads
        kept = torch.from_numpy(keep)
        word_rows = torch.from_numpy(bert._weights["embeddings.word_embeddings.weight"][ids[keep]])
        x = word_rows + self._positions[torch.from_numpy(np.nonzero(keep)[1])] + self._token_type
        tokens = len(x)
        x = torch.nn.functional.pad(x, (0, 0, 0, _round_up(tokens, _TOKENS_STEP) - tokens))  # rows of zeros
        x = self._layer_norm(x, "embeddings.LayerNorm")
        # Attention, three ways, each the fastest measured for its texts (bf16, this CPU):
        # - texts of one length (an index's words, 5 to 16 tokens): no padding, so no
        #   mask; the products written out, 2.6x faster than torch's fused attention
        #   (`scaled_dot_product_attention`) at 7 tokens;
        # - padded texts of up to `_SHORT_SOFTMAX` tokens: the same, padding masked out by
        #   a very negative score, scores in float32;
        # - longer padded texts (sentences): the fused attention with a mask, 1.6-1.9x
        #   faster than the written-out products, whose bf16 scores took a fifth of a
        #   build when converted to float32 and back.
        written_out = length <= _SHORT_SOFTMAX
        padded = None  # a batch without padding attends in place
        if not keep.all():
            padded = torch.zeros((batch, length, 3, heads, head_size), dtype=self._dtype)
            attend = kept[:, None, None, :]
            key_bias = torch.zeros((batch, 1, 1, length)).masked_fill_(~attend, torch.finfo(torch.float32).min)
        context = torch.zeros((len(x), bert.dimension), dtype=self._dtype)  # padded rows stay zero
        for layer, dense in enumerate(self._dense):
            p = f"encoder.layer.{layer}."
            qkv = self._linear(x, dense["qkv"])[:tokens]
            if padded is None:
                qkv = qkv.view(batch, length, 3, heads, head_size)
            else:
                padded[kept] = qkv.reshape(-1, 3, heads, head_size)
                qkv = padded
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (batch, heads, length, head size)
            if written_out or padded is None:
                scores = (q @ k.transpose(-1, -2)).float()
                if padded is not None:
                    scores.add_(key_bias)
                attended = _softmax(scores).to(self._dtype) @ v
            else:
                # The 1/√d scale is in the query weights already.
                attended = F.scaled_dot_product_attention(q, k, v, attn_mask=attend, scale=1.0)
            attended = attended.transpose(1, 2)
            context[:tokens] = (attended if padded is None else attended[kept]).reshape(-1, bert.dimension)
            x = self._layer_norm(x.add_(self._linear(context, dense["attention"])), p + "attention.output.LayerNorm")
            # GELU in the products' own precision: the widest tensor is not converted twice.
            hidden = self._linear(x, dense["intermediate"], "gelu")
            x = self._layer_norm(x.add_(self._linear(hidden, dense["output"])), p + "output.LayerNorm")
        return x[:tokens]

    def _linear(self, x, dense, activation: str = "none"):
        """activation(x @ weight + bias), in the encoder's precision (float32 in, its dtype out).

        Args:
            activation: ``none``, ``gelu`` (BERT's exact, erf GELU) or ``relu``.

        In bf16 the bias and the activation run inside oneDNN's product where the probe
        `_has_fused_linear` found it to give what the public path gives (why: see there).
        """
        import torch
        import torch.nn.functional as F

        weight, bias = dense
        x = x.to(self._dtype)
        if self._fused:
            algorithm = "none" if activation == "gelu" else ""
            return torch.ops.mkldnn._linear_pointwise(x, weight, bias, activation, [], algorithm)
        out = torch.addmm(bias, x, weight)
        if activation == "gelu":
            return F.gelu(out)
        return torch.relu_(out) if activation == "relu" else out

    def _layer_norm(self, x, name: str):
        import torch.nn.functional as F

        return F.layer_norm(x, (x.shape[-1],), self._norms[name + ".weight"], self._norms[name + ".bias"], self._bert._eps)
