"""The examples in qa's docstrings (STYLE.md: a short runnable example on public functions)
run and give what they show.

Each docstring with an example is one test, run by `doctest` in a scratch working folder
laid out as the repository is (the default `seeds`, `index` and `uploads` folders, the seed
article in `seeds`): an example that adds a document adds it there, never to the
repository's folders. The real model answers; nothing is downloaded.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import qa
from tests.conftest import SEED

# Examples that run a whole measurement, which a test of its own makes already (measured with
# `pytest --doctest-modules qa --durations`, on 2 busy cores: bench.run 512 s, measure 11 s).
EXPENSIVE = {
    "qa.tools.bench.run": "a benchmark of every store (Milvus Lite included), minutes: tests/tools/test_bench.py runs it",
    "qa.tools.language_eval.measure": "every labelled question of every language: tests/text/test_language.py "
    "makes the same measurement",
}


def _examples() -> list[doctest.DocTest]:
    """Every docstring of every qa module that holds an example, in module order."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    names = ["qa", *sorted(m.name for m in pkgutil.walk_packages(qa.__path__, "qa."))]
    found = []
    for name in names:
        module = importlib.import_module(name)
        found.extend(test for test in finder.find(module, name) if test.examples)
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def private_corpus(tmp_path_factory, settings, embedder):
    """A scratch working folder laid out as the repository is, with the defaults' relative
    folders: `seeds` (`QA_CORPUS_DIR`, the seed article), `index` (built) and `uploads`."""
    from qa.config import Settings
    from qa.storing.collection import default_index

    work = tmp_path_factory.mktemp("doctests")
    (work / "seeds").mkdir()
    (work / "seeds" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("QA_CORPUS_DIR", "QA_INDEX_DIR", "QA_UPLOAD_DIR", "QA_STORE", "QA_LLM_URL"):
            patch.delenv(name, raising=False)
        patch.setenv("QA_CACHE_DIR", str(settings.cache_dir))
        patch.chdir(work)
        default_index(Settings.from_env())  # the examples that load "index" find it built
        yield work


def test_every_module_is_searched_for_examples():
    modules = {test.name.rsplit(".", 1)[0] for test in EXAMPLES} | {test.name for test in EXAMPLES}
    assert {"qa", "qa.storing.collection", "qa.errors", "qa.text.lexical"} <= modules
    assert set(EXPENSIVE) <= {test.name for test in EXAMPLES}, "an expensive example left: drop it from EXPENSIVE"


@pytest.mark.parametrize("example", EXAMPLES, ids=[test.name for test in EXAMPLES])
def test_docstring_example_gives_what_it_shows(example, private_corpus):
    if example.name in EXPENSIVE:
        pytest.skip(EXPENSIVE[example.name])
    example.globs = dict(example.globs)  # each example its module's names, not another's leftovers
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(example, out=report.append, clear_globs=True)
    assert runner.failures == 0, f"{example.filename}:{example.lineno}\n" + "".join(report)
