import json
import os
import re
import subprocess
import sys

from tests.conftest import ROOT, SEED


def run_qa(*args, settings, cwd=ROOT, extra_env=None):
    env = dict(os.environ, QA_CACHE_DIR=str(settings.cache_dir), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "qa.serving.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_ask_json_has_the_documented_shape(seed_index, settings):
    done = run_qa("ask", "When was the friendship treaty signed?", "--json", "-k", "3", "--index", str(seed_index.directory), settings=settings)
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert list(reply) == [
        "question", "language", "abstained", "status", "confidence", "mode", "llm_error", "overview", "answer", "short",
        "citations", "dropped", "passages",
    ]
    assert (reply["mode"], reply["llm_error"], reply["dropped"]) == ("extractive", None, [])
    assert reply["language"] == "en" and reply["abstained"] is False and reply["status"] in ("answered", "uncertain")
    assert reply["confidence"] is None or 0 <= reply["confidence"] <= 1
    assert [c["n"] for c in reply["citations"]][0] == 1
    assert [p["rank"] for p in reply["passages"]] == [1, 2, 3]
    text = SEED.read_text(encoding="utf-8")
    assert all(text[c["start"] : c["end"]] == c["text"] for c in reply["citations"])
    assert set(reply["passages"][0]) == {"rank", "text", "source", "start", "end", "score"}


def test_ask_on_missing_index_fails_with_a_message(tmp_path, settings):
    done = run_qa("ask", "Hello?", "--index", str(tmp_path), settings=settings)
    assert done.returncode == 2
    assert "holds no qa index" in done.stderr and "Traceback" not in done.stderr


def test_help_does_not_load_torch():
    code = "import sys; from qa.serving.cli import _parser; _parser().format_help(); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_docs_add_list_remove(tmp_path, settings):
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    (corpus / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    note = tmp_path / "note.txt"
    note.write_text("Epsilon est une étoile visible en hiver.\n", encoding="utf-8")
    env = {"QA_CORPUS_DIR": str(corpus), "QA_UPLOAD_DIR": str(uploads), "QA_INDEX_DIR": str(tmp_path / "index")}
    added = run_qa("docs", "add", str(note), settings=settings, extra_env=env)
    assert added.returncode == 0, added.stderr
    assert "note.txt" in added.stdout and "(uploaded)" in added.stdout
    # The corpus is indexed first, then the note (one sentence): each with progress bars on
    # stderr, counted in the model's tokens (the seed's in thousands, the note's a dozen).
    finished = re.findall(r"Embedding sentences: 100%\|[^|]*\| ([\d.]+k?)/\1 ", added.stderr)
    assert len(set(finished)) == 2 and any(not count.endswith("k") and float(count) < 50 for count in finished), finished
    assert "Embedding words: 100%" in added.stderr and "token/s" in added.stderr
    removed = run_qa("docs", "remove", str(uploads / "note.txt"), settings=settings, extra_env=env)
    assert removed.returncode == 0 and "note.txt" not in removed.stdout
    missing = run_qa("docs", "remove", "nope.txt", settings=settings, extra_env=env)
    assert missing.returncode == 2 and "not indexed" in missing.stderr


def test_docs_add_of_a_name_taken_needs_replace(tmp_path, settings):
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    env = {"QA_CORPUS_DIR": str(corpus), "QA_UPLOAD_DIR": str(uploads), "QA_INDEX_DIR": str(tmp_path / "index")}
    for folder, minutes in (("first", 40), ("edited", 55)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "lemon-cake.txt").write_text(f"Lemon cake. Bake for {minutes} minutes.\n", encoding="utf-8")
    assert run_qa("docs", "add", str(tmp_path / "first" / "lemon-cake.txt"), settings=settings, extra_env=env).returncode == 0
    refused = run_qa("docs", "add", str(tmp_path / "edited" / "lemon-cake.txt"), settings=settings, extra_env=env)
    assert refused.returncode == 2
    assert "lemon-cake.txt exists; add it with --replace to replace it, or rename the file." in refused.stderr
    assert "40 minutes" in (uploads / "lemon-cake.txt").read_text(encoding="utf-8")
    replaced = run_qa(
        "docs", "add", "--replace", str(tmp_path / "edited" / "lemon-cake.txt"), settings=settings, extra_env=env
    )
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.count("lemon-cake.txt") == 1
    assert "55 minutes" in (uploads / "lemon-cake.txt").read_text(encoding="utf-8")
