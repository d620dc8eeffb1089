"""Shared fixtures: the real model, loaded once per session, and a real index of the seed article."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "poutine-coree-du-nord.txt"


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from qa.config import Settings

    base = tmp_path_factory.mktemp("qa")
    return replace(
        Settings.from_env(),
        index_dir=base / "index",
        corpus_dir=base / "corpus",
        upload_dir=base / "uploads",
    )


@pytest.fixture(scope="session")
def embedder(settings):
    from qa.embedding import load_embedder

    return load_embedder(settings)


@pytest.fixture(scope="session")
def seed_index(settings, embedder, tmp_path_factory):
    from qa import build_index

    return build_index([SEED], tmp_path_factory.mktemp("seed-index"), settings=settings)
