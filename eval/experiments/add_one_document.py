"""What adding one document to the 10,000-passage index costs: load, embed, merge, write.

    .venv/bin/python -m qa.tools.scale --passages 10000   # builds the index once, if needed
    .venv/bin/python eval/experiments/add_one_document.py

Works on a copy of the index `qa.tools.scale` keeps in `QA_CACHE_DIR/scale/index-10000`, and
adds the seed article to it as `qa docs add` does (`Collection.add`: only the new
document is embedded; the IVF store keeps its trained cells).
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

from qa.config import Settings
from qa.encoding.embedding import load_embedder
from qa.storing.building import encode_documents, read_documents
from qa.storing.storage import load_index, save_index

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    settings = Settings.from_env()
    source = settings.cache_dir / "scale" / "index-10000"
    embedder = load_embedder(settings)
    embedder.embed_question("warm up", [], sparse=True)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "index"
        shutil.copytree(source, copy)
        timings = {}
        start = time.perf_counter()
        index = load_index(copy)
        timings["load"] = time.perf_counter() - start
        start = time.perf_counter()
        documents = read_documents(sorted((ROOT / "seeds").glob("*.txt"))[:1])
        addition = encode_documents(documents, embedder, settings, known_words=index.word_ids)
        timings["embed"] = time.perf_counter() - start
        start = time.perf_counter()
        merged = index.merged(addition)
        timings["merge"] = time.perf_counter() - start
        start = time.perf_counter()
        save_index(merged, copy)
        timings["write"] = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(
        f"{len(index.sentences)} sentences + {len(addition.sentences)}: "
        + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
        + f"; store {merged.sentence_store.kind}; peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
