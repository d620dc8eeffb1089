"""The on-disk index: a build killed at any step leaves one whole index; clean-up touches only qa's folders."""

import os
import signal
import subprocess
import sys
import time

import pytest

from qa import build_index, load_index
from qa.storing.storage import CURRENT_FILE
from tests.conftest import ROOT, SEED

# A child builds an index and stops for good at one named step, after saying so in a
# file; the test then kills it there: the interleaving is forced, not hoped for.
_PAUSED_BUILD = """
import os, sys, time
from pathlib import Path
import qa.storing.building, qa.storing.storage

step, ready, index_dir, *paths = sys.argv[1:]

def pause():
    Path(ready).write_text(step)
    time.sleep(3600)

def pausing(function, when=lambda *args: True):
    def wrapper(*args, **kwargs):
        if when(*args):
            pause()
        return function(*args, **kwargs)
    return wrapper

if step == "embedding":
    qa.storing.building.encode_documents = pausing(qa.storing.building.encode_documents)
elif step == "before-rename":
    os.rename = pausing(os.rename)
elif step == "before-swap":
    os.replace = pausing(os.replace, when=lambda src, dst: Path(dst).name == "CURRENT")
elif step == "before-cleanup":
    qa.storing.storage._remove_old_versions = pausing(qa.storing.storage._remove_old_versions)
qa.storing.building.build_index(paths, index_dir)
"""


def _build_killed_at(step, index_dir, paths, settings, tmp_path):
    ready = tmp_path / f"ready-{step}"
    env = dict(os.environ, QA_CACHE_DIR=str(settings.cache_dir))
    child = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_BUILD, step, str(ready), str(index_dir), *map(str, paths)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while not ready.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, f"the build never reached {step}"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()


@pytest.mark.parametrize(
    "step, survivor",
    [("embedding", "old"), ("before-rename", "old"), ("before-swap", "old"), ("before-cleanup", "new")],
)
def test_a_build_killed_at_any_step_leaves_exactly_one_whole_index(tmp_path, settings, step, survivor):
    index_dir = tmp_path / "idx"
    build_index([SEED], index_dir, settings=settings)
    other = tmp_path / "other.txt"
    other.write_text("Le port de Zanthe a été agrandi en 1912 par l'ingénieur Paul Ravel.\n", encoding="utf-8")
    _build_killed_at(step, index_dir, [SEED, other], settings, tmp_path)
    loaded = load_index(index_dir)
    expected = {"old": [str(SEED)], "new": [str(SEED), str(other)]}[survivor]
    assert loaded.sources == expected
    assert len(loaded.sentence_vectors()) == len(loaded.sentences)
    # The next save clears what the killed one left behind.
    build_index([SEED], index_dir, settings=settings)
    leftovers = sorted(p.name for p in index_dir.iterdir() if p.name not in (CURRENT_FILE, ".qa-write.lock"))
    assert leftovers == [(index_dir / CURRENT_FILE).read_text().strip()]


def test_saving_leaves_folders_it_did_not_write(tmp_path, settings):
    index_dir = tmp_path / "idx"
    drafts = index_dir / "v2"
    drafts.mkdir(parents=True)
    (drafts / "draft.txt").write_text("my notes", encoding="utf-8")
    (index_dir / "v7").mkdir()
    (index_dir / "v123").mkdir()
    (index_dir / "v123" / "manifest.json").write_text("{}", encoding="utf-8")
    (index_dir / "v123" / "mine.csv").write_text("a,b", encoding="utf-8")
    build_index([SEED], index_dir, settings=settings)
    build_index([SEED], index_dir, settings=settings)
    assert (drafts / "draft.txt").read_text(encoding="utf-8") == "my notes"
    assert (index_dir / "v7").is_dir() and (index_dir / "v123" / "mine.csv").is_file()
    written = [p for p in index_dir.glob("v*") if p.name not in ("v2", "v7", "v123")]
    assert [p.name for p in written] == [(index_dir / CURRENT_FILE).read_text().strip()]


def test_a_reader_whose_version_is_replaced_while_loading_reads_the_new_one(tmp_path, settings, monkeypatch):
    import qa.storing.storage

    index_dir = tmp_path / "idx"
    build_index([SEED], index_dir, settings=settings)
    other = tmp_path / "other.txt"
    other.write_text("Le port de Zanthe a été agrandi en 1912 par l'ingénieur Paul Ravel.\n", encoding="utf-8")
    real = qa.storing.storage._load_version
    calls = []

    def replaced_during_load(directory, version):
        if not calls:  # a writer swaps CURRENT and removes this version mid-read
            calls.append(version)
            build_index([SEED, other], index_dir, settings=settings)
        return real(directory, version)

    monkeypatch.setattr(qa.storing.storage, "_load_version", replaced_during_load)
    assert load_index(index_dir).sources == [str(SEED), str(other)]
