"""Scale figures: a real multilingual corpus end to end, and the vector layer at millions of vectors.

    python -m qa.tools.scale --passages 10000                     # build and query a 10,000-passage index
    python -m qa.tools.scale --passages 0 --vectors 1000000       # the vector layer at 1M vectors

The corpus is the Debian Reference (GPL-2+) in six languages, as Debian ships it in
plain text: ``apt-get install debian-reference-en debian-reference-fr debian-reference-de
debian-reference-es debian-reference-it debian-reference-pt``. Its books are cut into
documents of about 50,000 characters, taken in turn from each language until the index
holds ``--passages`` passages (chunks).

The vector layer embeds the first ``--centres`` passages of the same corpus and draws
``--vectors`` points around them with seeded Gaussian noise, plus ``--queries`` held-out
points drawn the same way. It reports the index type `FaissVectorStore` chose, build
time, recall@10 against exact search, single-query latency and memory.

Both keep what they embedded in ``QA_CACHE_DIR/scale`` (the index of each corpus size,
the passage embeddings), so later runs do not embed again (``--rebuild`` measures the
index build anew).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.errors import QAError

logger = logging.getLogger(__name__)

CORPUS_FOLDER = Path("/usr/share/debian-reference")
LANGUAGES = ("fr", "en", "de", "es", "it", "pt")
CORPUS_PACKAGES = " ".join(f"debian-reference-{lang}" for lang in LANGUAGES)
# Documents of about this size: small enough that a few thousand passages already mix
# every language, large enough to look like real manuals rather than snippets.
PART_CHARS = 50_000
# Questions in five languages whose answer (a word, matched as a whole word) is in the
# Debian Reference; a sanity check that the large index still finds them, not a metric.
QUESTIONS = [
    ("Quel groupe permet de reconfigurer un modem ?", "dialout"),
    ("How do I change my login password?", "passwd"),
    ("Wie zeigt man den freien Speicherplatz der Dateisysteme an?", "df"),
    ("¿Qué orden muestra los procesos en ejecución?", "ps"),
    ("Quale file contiene l'elenco degli utenti del sistema?", "/etc/passwd"),
]
# Noise around each centre, per dimension: a point keeps a cosine of 0.90 with its centre
# (384 dimensions), farther than the nearest other real passage (median cosine 0.94 on
# this corpus), so the clouds of neighbouring passages overlap as real neighbours do.
# Much more noise (0.1: cosine 0.45) drowns the structure of the real embeddings in
# isotropic noise, where no index finds neighbours, nor do they mean anything.
DEFAULT_NOISE = 0.025


def corpus_documents(passages: int, folder: Path, *, chunk_size: int, chunk_overlap: int) -> list[Path]:
    """Write documents of the Debian Reference holding about ``passages`` chunks into ``folder``.

    Args:
        passages: how many chunks the documents should make; the last document is cut
            at the end of the chunk that reaches this number.
        folder: where to write the `.txt` documents (emptied first).
        chunk_size: characters per chunk, as the index will chunk them.
        chunk_overlap: characters shared by neighbouring chunks.

    Returns:
        The document paths, languages interleaved.

    Raises:
        QAError: the corpus packages are not installed, or hold fewer passages.
    """
    from qa.reading.chunking import chunk_document

    parts = _corpus_parts()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths, total = [], 0
    for name, text in parts:
        chunks = chunk_document(text, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        if total + len(chunks) >= passages:
            text = text[: chunks[passages - total - 1].end]
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        total += len(chunks)
        if total >= passages:
            return paths
    raise QAError(f"The Debian Reference holds {total} passages, fewer than the {passages} asked for.")


def corpus_passages(count: int, *, chunk_size: int, chunk_overlap: int) -> list[str]:
    """The first ``count`` passages (chunks) of the Debian Reference, languages interleaved as in `corpus_documents`."""
    from qa.reading.chunking import chunk_document

    passages: list[str] = []
    for _, text in _corpus_parts():
        passages.extend(text[c.start : c.end] for c in chunk_document(text, chunk_size=chunk_size, chunk_overlap=chunk_overlap))
        if len(passages) >= count:
            return passages[:count]
    raise QAError(f"The Debian Reference holds {len(passages)} passages, fewer than the {count} asked for.")


def passage_vectors(count: int, settings, *, cache: Path, block: int = 256) -> np.ndarray:
    """Embeddings of the first ``count`` corpus passages, kept in ``cache`` and extended as needed.

    The cache grows a block at a time, so an interrupted run keeps what it embedded.
    """
    from tqdm import tqdm

    from qa.encoding.embedding import load_embedder, model_name

    path = cache / f"passage-vectors-{settings.chunk_size}-{settings.chunk_overlap}.npy"
    label = cache / f"{path.stem}.json"
    name = model_name(settings)
    vectors = np.load(path) if path.is_file() and json.loads(label.read_text())["model"] == name else None
    done = 0 if vectors is None else len(vectors)
    if done < count:
        texts = corpus_passages(count, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
        embedder = load_embedder(settings)
        blocks = [] if vectors is None else [vectors]
        for start in tqdm(range(done, count, block), desc="Embedding passages", unit="block"):
            blocks.append(embedder.embed_passages(texts[start : start + block]))
            vectors = np.concatenate(blocks)
            blocks = [vectors]
            np.save(path, vectors)
            label.write_text(json.dumps({"model": name, "passages": len(vectors)}), encoding="utf-8")
    return vectors[:count]


def corpus_book(lang: str) -> Path:
    """Where the Debian Reference in ``lang`` is, as plain text (`CORPUS_PACKAGES`)."""
    return CORPUS_FOLDER / f"debian-reference.{lang}.txt.gz"


def _corpus_parts() -> list[tuple[str, str]]:
    books = {}
    for lang in LANGUAGES:
        path = corpus_book(lang)
        if not path.is_file():
            raise QAError(f"{path} is missing: install the corpus with `apt-get install {CORPUS_PACKAGES}`.")
        with gzip.open(path, "rt", encoding="utf-8") as book:
            books[lang] = _split_paragraphs(book.read(), PART_CHARS)
    parts = []
    for i in range(max(len(b) for b in books.values())):
        parts.extend((f"debian-reference.{lang}.{i:02d}", b[i]) for lang, b in books.items() if i < len(b))
    return parts


def _split_paragraphs(text: str, size: int) -> list[str]:
    """``text`` cut at blank lines into pieces of at least ``size`` characters (the last may be shorter)."""
    pieces, start = [], 0
    while start < len(text):
        cut = text.find("\n\n", start + size)
        end = len(text) if cut < 0 else cut + 2
        pieces.append(text[start:end])
        start = end
    return pieces


def end_to_end(passages: int, settings, *, cache: Path, rebuild: bool = False, rounds: int = 3) -> dict:
    """Build (or reuse) an index of ``passages`` real passages and time questions on it.

    Returns:
        The build figures (`build_s`, `passages_per_s`, `index_mb`, ...; those of the
        run that built the cached index when it is reused), the query latencies
        `retrieve_p50_ms`, `retrieve_p95_ms`, `answer_p50_ms`, the questions answered
        from the expected passage (`hits`), and the process's `peak_rss_mb`.
    """
    from qa.ask import answer
    from qa.errors import IndexCorruptError
    from qa.storing.building import build_index
    from qa.storing.storage import load_index
    from qa.retrieving.retrieval import retrieve

    index_dir = cache / f"index-{passages}"
    record = cache / f"index-{passages}.json"
    index = None
    if not rebuild and record.is_file():
        try:
            index = load_index(index_dir)
        except IndexCorruptError as error:  # another format of index, or damaged: build anew
            logger.warning("%s", error)
    if index is None:
        paths = corpus_documents(
            passages, cache / f"corpus-{passages}", chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap
        )
        started = time.perf_counter()
        index = build_index(paths, index_dir, settings=settings, show_progress=True)
        build_s = time.perf_counter() - started
        figures = {
            "documents": len(index.documents),
            "passages": len(index.chunks),
            "sentences": len(index.sentences),
            "characters": sum(len(d.text) for d in index.documents),
            "build_s": round(build_s, 1),
            "passages_per_s": round(len(index.chunks) / build_s, 1),
            "index_mb": round(_folder_bytes(index_dir) / 1e6, 1),
            "build_peak_rss_mb": _peak_rss_mb(),
            "built": time.strftime("%Y-%m-%d %H:%M"),
        }
        record.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    else:
        figures = json.loads(record.read_text(encoding="utf-8")) | {"reused": True}
    if settings.store == "milvus":
        # QA_STORE=milvus: the index is written to Milvus (as `qa store copy` does) and
        # the questions are answered from it, as a replica would.
        from qa.storing.milvus_store import MilvusStore

        store = MilvusStore(settings)
        started = time.perf_counter()
        store.save(index)
        figures["milvus_write_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        index = store.load()
        figures["milvus_load_s"] = round(time.perf_counter() - started, 1)
    figures["sentence_store"] = index.sentence_store.kind

    retrieve(QUESTIONS[0][0], index=index, settings=settings)  # first call loads the model and BM25
    retrieve_ms, answer_ms, hits = [], [], 0
    for _ in range(rounds):
        for question, _expected in QUESTIONS:
            started = time.perf_counter()
            retrieve(question, index=index, settings=settings)
            retrieve_ms.append(1000 * (time.perf_counter() - started))
    for question, expected in QUESTIONS:
        started = time.perf_counter()
        reply = answer(question, index=index, settings=settings)
        answer_ms.append(1000 * (time.perf_counter() - started))
        found = " ".join(p.text for p in reply.passages)
        hits += bool(re.search(rf"(?<![\w/]){re.escape(expected)}(?!\w)", found))
    return figures | {
        "questions": len(QUESTIONS),
        "hits": hits,
        "retrieve_p50_ms": _percentile(retrieve_ms, 50),
        "retrieve_p95_ms": _percentile(retrieve_ms, 95),
        "answer_p50_ms": _percentile(answer_ms, 50),
        "peak_rss_mb": _peak_rss_mb(),
    }


def vector_layer(
    centres: np.ndarray,
    size: int,
    *,
    queries: int = 1000,
    noise: float = DEFAULT_NOISE,
    seed: int = 0,
    k: int = 10,
    threshold: int | None = None,
) -> dict:
    """Time `FaissVectorStore` on ``size`` points drawn around ``centres``, against exact search.

    Args:
        centres: real embeddings (L2-normalised rows) to draw points around.
        size: vectors in the store.
        queries: held-out points drawn the same way, searched one at a time.
        noise: standard deviation of the Gaussian noise, per dimension.
        seed: seeds the draw, so runs compare.
        k: neighbours per query (recall@k).
        threshold: `FaissVectorStore.from_vectors`'s exact-search threshold (default its own).

    Returns:
        `index` (the chosen type), `build_s`, `recall@k`, `search_p50_ms`,
        `search_p95_ms` (one query a call), `search_cpu_p50_ms` (CPU time of the
        process per query), `exact_p50_ms` and `exact_cpu_p50_ms` (exact search, for scale),
        `index_mb` (bytes on disk), `rss_delta_mb` (memory the store added).
    """
    import faiss

    from qa.storing.vectors import FaissVectorStore

    base, held_out = _noisy_points(centres, size, queries, noise=noise, seed=seed)
    rss_before = _rss_mb()
    started = time.perf_counter()
    store = FaissVectorStore.from_vectors(base, **({} if threshold is None else {"exact_threshold": threshold}))
    build_s = time.perf_counter() - started
    rss_delta = _rss_mb() - rss_before
    with tempfile.TemporaryDirectory() as folder:
        store.save(Path(folder) / "store.faiss")
        index_mb = (Path(folder) / "store.faiss").stat().st_size / 1e6

    exact = faiss.IndexFlatIP(base.shape[1])
    exact.add(base)
    del base
    _, truth = exact.search(held_out, k)
    # Wall time and CPU time per query: on a shared machine the wall time includes the
    # waits for a core; the CPU time is what the search itself costs.
    search_ms, search_cpu_ms, found = [], [], []
    for query in held_out:
        started, cpu_started = time.perf_counter(), time.process_time()
        _, ids = store.search(query[None, :], k)
        search_ms.append(1000 * (time.perf_counter() - started))
        search_cpu_ms.append(1000 * (time.process_time() - cpu_started))
        found.append(ids[0])
    recall = float(np.mean([len(set(f.tolist()) & set(t.tolist())) / k for f, t in zip(found, truth)]))
    exact_ms, exact_cpu_ms = [], []
    for query in held_out[:100]:
        started, cpu_started = time.perf_counter(), time.process_time()
        exact.search(query[None, :], k)
        exact_ms.append(1000 * (time.perf_counter() - started))
        exact_cpu_ms.append(1000 * (time.process_time() - cpu_started))
    return {
        "vectors": size,
        "centres": len(centres),
        "queries": queries,
        "noise": noise,
        "index": store.kind,
        "build_s": round(build_s, 1),
        f"recall@{k}": round(recall, 4),
        "search_p50_ms": _percentile(search_ms, 50),
        "search_p95_ms": _percentile(search_ms, 95),
        "search_cpu_p50_ms": _percentile(search_cpu_ms, 50),
        "exact_p50_ms": _percentile(exact_ms, 50),
        "exact_cpu_p50_ms": _percentile(exact_cpu_ms, 50),
        "index_mb": round(index_mb, 1),
        "rss_delta_mb": round(rss_delta, 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _noisy_points(centres: np.ndarray, size: int, queries: int, *, noise: float, seed: int):
    """``size`` base points and ``queries`` held-out points, each a centre plus noise, normalised."""
    rng = np.random.default_rng(seed)
    total = size + queries
    points = np.empty((total, centres.shape[1]), dtype=np.float32)
    picks = rng.integers(len(centres), size=total)
    for start in range(0, total, 100_000):  # in blocks: float32 noise for 1M rows at once doubles the peak
        block = slice(start, min(start + 100_000, total))
        points[block] = centres[picks[block]] + noise * rng.standard_normal(
            (block.stop - block.start, centres.shape[1]), dtype=np.float32
        )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points[:size], np.ascontiguousarray(points[size:])


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 2)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1)  # KiB on Linux


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _table(title: str, figures: dict) -> str:
    width = max(len(key) for key in figures)
    return "\n".join([title, "-" * len(title), *(f"{key:<{width}}  {value}" for key, value in figures.items())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000, help="passages of the end-to-end index (default 10000; 0 skips it)")
    parser.add_argument("--vectors", type=int, default=0, help="vectors of the vector-layer run (default 0: skip it)")
    parser.add_argument("--centres", type=int, default=10_000, help="corpus passages embedded as centres (default 10000)")
    parser.add_argument("--queries", type=int, default=1000, help="held-out queries of the vector layer (default 1000)")
    parser.add_argument("--noise", type=float, default=DEFAULT_NOISE, help=f"noise per dimension (default {DEFAULT_NOISE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact-threshold", type=int, help="fewest vectors searched approximately (default: qa.storing.vectors's)")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked end to end (default 3)")
    parser.add_argument("--cache", type=Path, help="where indexes are kept (default QA_CACHE_DIR/scale)")
    parser.add_argument("--rebuild", action="store_true", help="build the end-to-end index even if cached")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from qa.config import Settings

    settings = Settings.from_env()
    cache = args.cache or settings.cache_dir / "scale"
    cache.mkdir(parents=True, exist_ok=True)
    report = {}
    try:
        if args.passages:
            report["end_to_end"] = end_to_end(args.passages, settings, cache=cache, rebuild=args.rebuild, rounds=args.rounds)
        if args.vectors:
            centres = passage_vectors(args.centres, settings, cache=cache)
            report["vector_layer"] = vector_layer(
                centres,
                args.vectors,
                queries=args.queries,
                noise=args.noise,
                seed=args.seed,
                threshold=args.exact_threshold,
            )
    except QAError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        tables = []
        if "end_to_end" in report:
            tables.append(_table(f"End to end: Debian Reference, {args.passages} passages", report["end_to_end"]))
        if "vector_layer" in report:
            tables.append(_table(f"Vector layer: {args.vectors} vectors", report["vector_layer"]))
        print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
