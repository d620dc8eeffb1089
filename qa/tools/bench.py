"""The performance benchmark: qa against a naive RAG baseline and the one-question floor.

    HF_HUB_OFFLINE=1 .venv/bin/python -m qa.tools.bench [--size N] [--queries N] [--json]

One run, one machine, one embedding model (the process-wide `load_embedder().model`):

- **ours**: `qa.build_index`, then `qa.retrieve` / `qa.answer` warm, and a cold
  `python -m qa.serving.cli ask` in a new process on the index just written to disk.
- **naive**: the LangChain-style pipeline most RAG demos start from:
  `RecursiveCharacterTextSplitter()` with its defaults, plain `SentenceTransformer.encode`
  of the chunks (with e5's `passage: `/`query: ` prompts, so the model is used as
  intended), a flat FAISS inner-product index, and an answer step that re-embeds the
  sentences of the retrieved chunks every time to pick the best one.
- **floor**: embedding the one question alone (`Embedder.embed_queries([question])`),
  the least any dense answer has to do; for the build, one fp32
  `SentenceTransformer.encode` pass over the corpus's sentences (the mean of a run
  before ours' build and one after it).

Every phase runs in its own fresh process, so each peak resident memory (`ru_maxrss`
from `os.wait4` on that one child) belongs to that phase alone. The warm floor is
timed in the same process as ours, call after call, so noise from other programs hits
both alike; its memory is the cold floor process's (the model and one question).

**upload**: the same documents added as uploads (`Collection.add`, what the web app and
`POST /api/v1/documents` call) to a collection of one warm-up document: each file read in
the upload sandbox, embedded, merged into the index and saved. Reported against ours'
`build_index` of the same documents and against the build floor.

A last phase reads a scanned PDF (`OCR_PAGES` pages of the seed article drawn at 300 DPI,
no text layer) through `read_document`, and reports OCR pages per second.

Targets are reported (columns `target`, `met`), never asserted: warm `answer()` p50
<= 60 ms and <= 2.5x the floor, cold `qa ask` <= 8 s, index build >= 90% of its time
inside the model's batched encoding and at most 1.0x the build floor; an upload at
most 1.0x the build floor too (and so as fast as `build_index`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
# Questions about the seed article in many languages; the shared set is used when present.
QUESTION_FILES = (ROOT / "eval" / "multilingual_qa.jsonl", ROOT.parent / "shared" / "eval" / "seed_qa.jsonl")
FALLBACK_QUESTIONS = (
    "When was the friendship treaty signed?",
    "Qui a invité Poutine en Corée du Nord ?",
    "¿Cuándo viajó Kim al Lejano Oriente ruso?",
    "Wann wird Putin Nordkorea besuchen?",
)
# Warm-up questions are never timed, so nothing they leave behind flatters a timing.
WARM_UP = (
    "Quel journal a publié l'article ?",
    "What did Putin say about sanctions?",
    "¿Qué agencia informó?",
    "Wer hat den Artikel geschrieben?",
    "Di cosa parla l'articolo?",
)
TOP_K = 5
DEFAULT_QUERIES = 60
DEFAULT_COLD_RUNS = 3
# Synthetic passages (--size) are grouped into documents of this many paragraphs.
PASSAGES_PER_DOCUMENT = 10

TARGET_ANSWER_P50_MS = 60.0
TARGET_ANSWER_FLOOR_RATIO = 2.5
TARGET_COLD_ASK_S = 8.0
TARGET_BUILD_ENCODE_SHARE = 0.90
TARGET_BUILD_FLOOR_RATIO = 1.0
TARGET_UPLOAD_FLOOR_RATIO = 1.0

# (key, label, unit) of each row of the table, in order.
ROWS = (
    ("answer_p50_ms", "warm answer() p50", "ms"),
    ("answer_p95_ms", "warm answer() p95", "ms"),
    ("retrieve_p50_ms", "warm retrieve() p50", "ms"),
    ("retrieve_p95_ms", "warm retrieve() p95", "ms"),
    ("warm_peak_rss_mb", "warm process peak RSS", "MB"),
    ("cold_ask_s", "cold ask wall time (median)", "s"),
    ("cold_ask_peak_rss_mb", "cold ask peak RSS", "MB"),
    ("build_setup_s", "build set-up (not counted)", "s"),
    ("build_s", "index build time", "s"),
    ("build_passages_per_s", "build passages/s", "/s"),
    ("build_chars_per_s", "build characters/s", "/s"),
    ("build_encode_share", "build share in model encoding", "%"),
    ("build_peak_rss_mb", "build peak RSS", "MB"),
    ("upload_s", "upload time (Collection.add)", "s"),
    ("upload_encode_share", "upload share in model encoding", "%"),
)


# --- corpus and questions ---------------------------------------------------------------


def seed_documents() -> list[Path]:
    """The seed article(s) in `seeds/`: the default corpus."""
    return sorted(p for p in SEEDS.iterdir() if p.suffix in (".txt", ".md"))


def synthetic_corpus(directory: Path, size: int, *, seed: int = 0) -> list[Path]:
    """Write about ``size`` paragraph-long passages recombined from the seed article.

    For size only, not for retrieval quality: each passage is three to five sentences
    of the seed article drawn at random, with every digit replaced, so no two passages
    are the same text and a cache cannot shortcut the work; token lengths stay those of
    real news French. Passages are grouped `PASSAGES_PER_DOCUMENT` to a document.

    Returns:
        The written `.txt` files.
    """
    rng = random.Random(seed)
    text = "\n".join(p.read_text(encoding="utf-8") for p in seed_documents())
    sentences = [s.strip() for s in re.split(r"(?<=[.!?”])\s+|\n+", text) if len(s.split()) >= 4]
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for first in range(0, size, PASSAGES_PER_DOCUMENT):
        paragraphs = []
        for _ in range(min(PASSAGES_PER_DOCUMENT, size - first)):
            picked = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 5)))
            paragraphs.append(re.sub(r"\d", lambda _: str(rng.randint(0, 9)), " ".join(picked)))
        path = directory / f"synthetic-{first // PASSAGES_PER_DOCUMENT:05d}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def squad_corpus(directory: Path, squad_file: Path, paragraphs: int | None = None) -> list[Path]:
    """Write the first ``paragraphs`` paragraphs of a SQuAD-format file, one document each.

    Real text for the build figures, e.g. ``../shared/eval/piaf_open_dev.json`` (French
    Wikipedia): the issue's check built its first 120 paragraphs.

    Returns:
        The written `.txt` files.
    """
    data = json.loads(Path(squad_file).read_text(encoding="utf-8"))
    texts = [p["context"] for article in data["data"] for p in article["paragraphs"]][:paragraphs]
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, text in enumerate(texts, start=1):
        path = directory / f"paragraph-{number:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def folder_documents(directory: Path) -> list[Path]:
    """The `.txt` and `.md` files under ``directory`` (what the naive baseline can read too)."""
    paths = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".md"))
    if not paths:
        raise SystemExit(f"{directory} holds no .txt or .md documents.")
    return paths


def read_questions(files: list[Path]) -> list[str]:
    """The distinct questions of QA JSON-lines files (the built-in few when none is found)."""
    questions: list[str] = []
    for path in files:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    questions.append(json.loads(line)["question"])
    return list(dict.fromkeys(questions)) or list(FALLBACK_QUESTIONS)


def question_variants(questions: list[str]) -> list[list[str]]:
    """Six spellings of each question a user might type, all different strings.

    Timed calls do not repeat a question string already asked in their process (while
    there are enough questions), so a question or embedding cache in the library cannot
    make warm figures look better than first-time questions are.
    """
    variants = []
    for question in questions:
        bare = question.rstrip(" ?？!.¿")
        spaced = question.replace(" ", "  ", 1)
        variants.append([question, question.lower(), bare, bare.lower(), spaced, spaced.lower()])
    return variants


def timed_questions(questions: list[str], n: int) -> dict[str, list[str]]:
    """``n`` questions each for the floor, `retrieve` and `answer`, from disjoint spellings."""
    variants = question_variants(questions)
    pools = {
        "floor": [v[i] for i in (0, 3) for v in variants],
        "retrieve": [v[i] for i in (1, 4) for v in variants],
        "answer": [v[i] for i in (2, 5) for v in variants],
    }
    asked: set[str] = set()
    for name, pool in pools.items():
        # A question already lower case has fewer distinct spellings: each goes to one pool.
        pools[name] = [q for q in dict.fromkeys(pool) if q not in asked]
        asked.update(pools[name])
    if any(len(pool) < n for pool in pools.values()):
        logger.warning("%d questions give fewer than %d distinct spellings: some timed questions repeat", len(questions), n)
    return {name: [pool[i % len(pool)] for i in range(n)] for name, pool in pools.items()}


# --- the naive baseline -----------------------------------------------------------------

_NAIVE_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _prompt(model, name: str) -> str:
    """e5's prompt text for ``name`` ("query"/"passage"), as the model declares it."""
    return (getattr(model, "prompts", None) or {}).get(name, f"{name}: ")


def naive_build(paths: list[Path], directory: Path, model) -> int:
    """The naive index: default splitter, one `encode` call, flat FAISS; written to ``directory``.

    Returns:
        The number of chunks indexed.
    """
    import faiss
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter()  # defaults: 4000 characters, 200 of overlap
    chunks = [chunk for path in paths for chunk in splitter.split_text(path.read_text(encoding="utf-8"))]
    vectors = model.encode(chunks, prompt=_prompt(model, "passage"), normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    directory.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(directory / "naive.faiss"))
    (directory / "naive_chunks.json").write_text(json.dumps(chunks, ensure_ascii=False), encoding="utf-8")
    return len(chunks)


class NaiveRAG:
    """Query side of the naive baseline: a flat FAISS search, then re-embedding to answer."""

    def __init__(self, directory: Path, model):
        import faiss

        self.model = model
        self.index = faiss.read_index(str(directory / "naive.faiss"))
        self.chunks = json.loads((directory / "naive_chunks.json").read_text(encoding="utf-8"))

    def retrieve(self, question: str, k: int = TOP_K) -> tuple[list[str], object]:
        """The ``k`` best chunks, and the question's vector."""
        vector = self.model.encode([question], prompt=_prompt(self.model, "query"), normalize_embeddings=True, convert_to_numpy=True)
        _, ids = self.index.search(vector, min(k, self.index.ntotal))
        return [self.chunks[i] for i in ids[0] if i >= 0], vector[0]

    def answer(self, question: str, k: int = TOP_K) -> str:
        """The retrieved sentence closest to the question, its chunks' sentences embedded anew."""
        chunks, vector = self.retrieve(question, k)
        sentences = [s.strip() for chunk in chunks for s in _NAIVE_SENTENCE_RE.split(chunk) if s.strip()]
        if not sentences:
            return ""
        embedded = self.model.encode(sentences, prompt=_prompt(self.model, "passage"), normalize_embeddings=True, convert_to_numpy=True)
        return sentences[int((embedded @ vector).argmax())]


# --- timing helpers ----------------------------------------------------------------------


class ModelClock:
    """Wall time during which the embedding model is busy, however the library calls it.

    Wraps (on this one object, in the benchmark only) the given methods of our
    `Embedder`, or `encode`, `tokenize` and `forward` of a `SentenceTransformer` and
    `forward` of the transformer inside it.
    Nested or concurrent calls count once: time is added while at least one is running.
    """

    def __init__(self, model, methods: tuple[str, ...] | None = None):
        self.seconds = 0.0
        self.calls = 0
        self._active = 0
        self._since = 0.0
        self._lock = threading.Lock()
        if methods is not None:  # our `Embedder`: its batched encoding methods
            targets = [(model, name) for name in methods]
        else:
            targets = [(model, name) for name in ("encode", "tokenize", "forward")]
            auto_model = getattr(_first_module(model), "auto_model", None)
            if auto_model is not None:
                targets.append((auto_model, "forward"))
        for owner, name in targets:
            method = getattr(owner, name, None)
            if callable(method):
                # An instance attribute shadows the class method for this object only.
                object.__setattr__(owner, name, self._wrap(method))

    def _wrap(self, method):
        def timed(*args, **kwargs):
            with self._lock:
                if self._active == 0:
                    self._since = time.perf_counter()
                    self.calls += 1
                self._active += 1
            try:
                return method(*args, **kwargs)
            finally:
                with self._lock:
                    self._active -= 1
                    if self._active == 0:
                        self.seconds += time.perf_counter() - self._since

        return timed


def _first_module(model):
    try:
        return model[0]
    except (TypeError, IndexError, KeyError):
        return None


def _percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between order statistics."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary_ms(seconds: list[float]) -> dict:
    return {
        "p50_ms": 1000 * statistics.median(seconds),
        "p95_ms": 1000 * _percentile(seconds, 95),
        "n": len(seconds),
    }


def _clock(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


# --- phases: each runs in its own process (`python -m qa.tools.bench --phase NAME ...`) --------


def _phase_build_ours(work: Path, paths: list[Path]) -> dict:
    from qa import build_index
    from qa.encoding.embedding import load_embedder

    started = time.perf_counter()
    load_embedder()
    build_index([_warm_up_document(work)], work / "warm-up")
    setup_s = time.perf_counter() - started
    clock = ModelClock(load_embedder(), ("encode_sentences", "embed_words", "embed_passages", "embed_queries"))
    started = time.perf_counter()
    index = build_index(paths, work / "index")
    seconds = time.perf_counter() - started
    return {
        "setup_s": setup_s,
        "build_s": seconds,
        "encode_s": clock.seconds,
        "encode_calls": clock.calls,
        "passages": _passage_count(index),
    }


def _phase_upload_ours(work: Path, paths: list[Path]) -> dict:
    """The documents added as uploads, as the web app and the REST API add them
    (`Collection.add`): read in the upload sandbox, embedded, merged and saved, into a
    collection whose corpus is one warm-up document (built in the set-up)."""
    from dataclasses import replace

    from qa.config import Settings
    from qa.encoding.embedding import load_embedder
    from qa.storing.collection import Collection

    started = time.perf_counter()
    corpus = work / "upload-corpus"
    corpus.mkdir(exist_ok=True)
    shutil.copy(_warm_up_document(work), corpus)
    settings = replace(
        Settings.from_env(), corpus_dir=corpus, index_dir=work / "upload-index", upload_dir=work / "uploads"
    )
    load_embedder(settings)
    collection = Collection(settings)
    collection.index()
    setup_s = time.perf_counter() - started
    clock = ModelClock(load_embedder(settings), ("encode_sentences", "embed_words", "embed_passages", "embed_queries"))
    names = [f"{number:05d}-{path.name}" for number, path in enumerate(paths)]  # one name each, whatever the folders
    started = time.perf_counter()
    index = collection.add(paths, names=names)
    seconds = time.perf_counter() - started
    return {"setup_s": setup_s, "upload_s": seconds, "encode_s": clock.seconds, "documents": len(index.documents) - 1}


def _warm_up_document(work: Path) -> Path:
    """A one-sentence document: building it first loads the model and imports the
    libraries a build uses, a process's set-up that the timed build should not count
    (on the seed article it was 0.5 s of a 2.9 s build, most of it langchain's import)."""
    path = work / "warm-up.txt"
    path.write_text("Une phrase pour charger le modèle.\n", encoding="utf-8")
    return path


def _passage_count(index) -> int:
    """The retrievable passages (chunks) of an index, whatever holds them."""
    chunks = getattr(index, "chunks", None)
    if chunks is not None:
        return len(chunks)
    return int(index.manifest()["chunks"])


def _phase_build_floor(work: Path, paths: list[Path]) -> dict:
    """The build floor: one fp32 `SentenceTransformer.encode` pass over the corpus's sentences.

    The least a dense index of sentences costs with this model in plain float32: the
    sentences as `qa.reading.chunking.split_sentences` cuts them, with e5's passage prompt, in
    sentence-transformers' default batches of 32.
    """
    from qa.reading.chunking import split_sentences
    from qa.encoding.embedding import load_embedder

    started = time.perf_counter()
    model = load_embedder().sentence_transformer()
    texts = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        texts += [text[s.start : s.end] for s in split_sentences(text)]
    prompt = _prompt(model, "passage")
    model.encode(texts[:32], prompt=prompt)  # loads what a first batch loads
    setup_s = time.perf_counter() - started
    seconds = _clock(lambda: model.encode(texts, prompt=prompt, batch_size=32, normalize_embeddings=True, convert_to_numpy=True))
    return {"setup_s": setup_s, "build_s": seconds, "sentences": len(texts)}


def _phase_build_naive(work: Path, paths: list[Path]) -> dict:
    from qa.encoding.embedding import load_embedder

    started = time.perf_counter()
    model = load_embedder().sentence_transformer()
    naive_build([_warm_up_document(work)], work / "naive-warm-up", model)
    setup_s = time.perf_counter() - started
    clock = ModelClock(model)
    started = time.perf_counter()
    chunks = naive_build(paths, work / "naive", model)
    seconds = time.perf_counter() - started
    return {"setup_s": setup_s, "build_s": seconds, "encode_s": clock.seconds, "encode_calls": clock.calls, "passages": chunks}


def _extractive_settings():
    """The environment's settings without a language model: the bench times qa itself."""
    from dataclasses import replace

    from qa.config import Settings

    return replace(Settings.from_env(), llm_url="")


def _phase_query_ours(work: Path, questions: list[str], n: int) -> dict:
    """Warm `retrieve`, `answer` and the floor, interleaved call by call."""
    from qa import answer, load_index, retrieve
    from qa.encoding.embedding import load_embedder

    from qa.text.language import preload_language_models

    index = load_index(work / "index")
    embedder = load_embedder()
    settings = _extractive_settings()
    # Warm means as the web app runs: it loads every language model before serving (a
    # library user's first question in each unsure language loads that one, ~0.3 s once).
    preload_language_models()
    for question in WARM_UP:
        embedder.embed_queries([question])
        retrieve(question, k=TOP_K, index=index, settings=settings)
        answer(question, k=TOP_K, index=index, settings=settings)
    asked = timed_questions(questions, n)
    floor, retrieved, answered = [], [], []
    abstained = 0
    for i in range(n):
        floor.append(_clock(embedder.embed_queries, [asked["floor"][i]]))
        retrieved.append(_clock(lambda q: retrieve(q, k=TOP_K, index=index, settings=settings), asked["retrieve"][i]))
        started = time.perf_counter()
        result = answer(asked["answer"][i], k=TOP_K, index=index, settings=settings)
        answered.append(time.perf_counter() - started)
        abstained += bool(result.abstained)
    return {
        "floor": _summary_ms(floor),
        "retrieve": _summary_ms(retrieved),
        "answer": _summary_ms(answered),
        "abstained": abstained,
    }


def _phase_query_milvus(work: Path, questions: list[str], n: int) -> dict:
    """Warm `retrieve` and `answer` on the same index from FAISS and from a Milvus Lite
    server on a loopback port (started here, stopped after), interleaved call by call."""
    from dataclasses import replace

    from qa import answer, load_index, retrieve
    from qa.config import Settings
    from qa.text.language import preload_language_models
    from qa.storing.milvus_store import MilvusStore, start_lite_server

    server, uri = start_lite_server(work / "milvus")
    try:
        settings = replace(Settings.from_env(), store="milvus", milvus_uri=uri, milvus_prefix="bench", llm_url="")
        store = MilvusStore(settings)
        faiss_index = load_index(work / "index")
        store.save(faiss_index)
        indexes = {"faiss": faiss_index, "milvus": store.load()}
        preload_language_models()
        for question in WARM_UP:
            for index in indexes.values():
                answer(question, k=TOP_K, index=index, settings=settings)
        asked = timed_questions(questions, n)
        times = {f"{store_name}_{call}": [] for store_name in indexes for call in ("retrieve", "answer")}
        for i in range(n):
            for name, index in indexes.items():
                # As a replica does at each question: is the live version still the one in memory?
                check = store.live_version if name == "milvus" else (lambda: None)
                times[f"{name}_retrieve"].append(
                    _clock(lambda q: (check(), retrieve(q, k=TOP_K, index=index, settings=settings)), asked["retrieve"][i])
                )
                times[f"{name}_answer"].append(
                    _clock(lambda q: (check(), answer(q, k=TOP_K, index=index, settings=settings)), asked["answer"][i])
                )
        return {key: _summary_ms(values) for key, values in times.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _phase_query_naive(work: Path, questions: list[str], n: int) -> dict:
    """Warm naive retrieve and answer, with the floor again in turn: it shows whether the
    machine ran at the same speed as during ours' phase."""
    from qa.encoding.embedding import load_embedder

    embedder = load_embedder()
    rag = NaiveRAG(work / "naive", embedder.sentence_transformer())
    for question in WARM_UP:
        embedder.embed_queries([question])
        rag.answer(question)
    asked = timed_questions(questions, n)
    floor, retrieved, answered = [], [], []
    for i in range(n):
        floor.append(_clock(embedder.embed_queries, [asked["floor"][i]]))
        retrieved.append(_clock(rag.retrieve, asked["retrieve"][i]))
        answered.append(_clock(rag.answer, asked["answer"][i]))
    return {"floor": _summary_ms(floor), "retrieve": _summary_ms(retrieved), "answer": _summary_ms(answered)}


def _phase_ask_naive(work: Path, question: str) -> dict:
    """A cold naive answer: what `qa ask` does, the naive way, in a fresh process."""
    from qa.encoding.embedding import load_embedder

    return {"answer": NaiveRAG(work / "naive", load_embedder().sentence_transformer()).answer(question)}


def _phase_ask_floor(work: Path, question: str) -> dict:
    """The cold floor: load the model and embed one question, nothing else."""
    from qa.encoding.embedding import load_embedder

    return {"dimension": int(load_embedder().embed_queries([question]).shape[1])}


# --- the parent: runs the phases and assembles the table ---------------------------------


# The OCR phase: pages of the seed article's text drawn as a 300 DPI scan would show them.
OCR_PAGES = 4
SCAN_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def scanned_pdf(path: Path, pages: int = OCR_PAGES) -> Path:
    """A PDF of ``pages`` page images (A4, 300 DPI, 12 pt type) of the seed article, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(next(f for f in SCAN_FONTS if Path(f).is_file()), 50)
    words = " ".join(p.read_text(encoding="utf-8") for p in seed_documents()).split()
    images, position = [], 0
    for _ in range(pages):
        page = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(page)
        for y in range(200, 3508 - 200, 75):
            line = ""
            while draw.textlength(f"{line} {words[position % len(words)]}", font=font) < 2080:
                line, position = f"{line} {words[position % len(words)]}".strip(), position + 1
            draw.text((200, y), line, font=font, fill=0)
        images.append(page)
    images[0].save(path, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return path


def _phase_ocr(work: Path) -> dict:
    from qa.errors import DocumentError
    from qa.reading.documents import read_document

    try:
        scan = scanned_pdf(work / "scan.pdf")
    except StopIteration:
        return {"skipped": f"no font to draw the scan with ({', '.join(SCAN_FONTS)})"}
    started = time.perf_counter()
    try:
        text = read_document(scan)
    except DocumentError as exc:
        return {"skipped": str(exc)}
    seconds = time.perf_counter() - started
    return {"pages": OCR_PAGES, "seconds": seconds, "pages_per_s": OCR_PAGES / seconds, "characters": len(text)}


def _child_env() -> dict[str, str]:
    """The environment of every phase: this very `qa` package first on the path, offline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def run_process(args: list[str], *, timeout: float = 900) -> tuple[float, float, float, str]:
    """Run a command to its end.

    Returns:
        Its wall time in seconds, its CPU time (user + system) in seconds, its own peak
        resident memory in MB (`ru_maxrss` of this one child, from `os.wait4`), and its
        standard output.

    Raises:
        RuntimeError: it failed or ran past ``timeout`` seconds.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, env=_child_env(), cwd=ROOT)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:5])} ... exited with {process.returncode}:\n{stderr[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def _run_phase(name: str, work: Path, corpus: list[Path], extra: list[str] = ()) -> dict:
    """Run one phase in a new process: its JSON figures, with its wall, CPU time and peak RSS."""
    list_file = work / "corpus.json"
    list_file.write_text(json.dumps([str(p) for p in corpus]), encoding="utf-8")
    args = [sys.executable, "-m", "qa.tools.bench", "--phase", name, "--workdir", str(work), *extra]
    logger.info("phase %s ...", name)
    wall, cpu, rss, stdout = run_process(args)
    logger.info("phase %s: %.1f s", name, wall)
    return json.loads(stdout.strip().splitlines()[-1]) | {"process_s": wall, "process_cpu_s": cpu, "peak_rss_mb": rss}


def _cold(commands: dict[str, list[str]], runs: int) -> dict[str, dict]:
    """Median wall and CPU time, and the largest peak RSS, of each command over ``runs`` new processes.

    The commands take turns, round after round, so a slow spell of the machine falls on
    all of them rather than on one.
    """
    seen: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            wall, cpu, rss, _ = run_process(args)
            seen[name].append((wall, cpu, rss))
    return {
        name: {
            "wall_s": statistics.median(w for w, _, _ in samples),
            "cpu_s": statistics.median(c for _, c, _ in samples),
            "peak_rss_mb": max(m for _, _, m in samples),
            "walls_s": [w for w, _, _ in samples],
        }
        for name, samples in seen.items()
    }


def run(
    *,
    size: int | None = None,
    corpus_dir: Path | None = None,
    queries: int = DEFAULT_QUERIES,
    cold_runs: int = DEFAULT_COLD_RUNS,
    question_files: list[Path] | None = None,
    workdir: Path | None = None,
    squad: Path | None = None,
    paragraphs: int | None = None,
    milvus: bool = True,
) -> dict:
    """Run every phase and return the figures.

    Args:
        size: make a synthetic corpus of about this many passages (see
            `synthetic_corpus`) instead of the seed article.
        corpus_dir: benchmark on the `.txt`/`.md` documents of this folder instead.
        queries: timed calls of each warm function (after warm-up).
        cold_runs: new processes per cold measurement (their median is reported).
        question_files: QA JSON-lines files whose questions are asked.
        workdir: where indexes are written (default: a temporary folder, removed after).
        squad: benchmark on the paragraphs of this SQuAD-format file instead (the
            first ``paragraphs`` of them, default all), one document each.
        milvus: also time warm `retrieve` and `answer` with the index in a Milvus Lite
            server (`QA_STORE=milvus`) against FAISS, in one process.

    Returns:
        ``{"corpus": {...}, "settings": {...}, "rows": {key: {...}}, "phases": {...}, "seconds": ...}``.

    Example:
        >>> figures = run(size=20, queries=5, cold_runs=1)
        >>> figures["rows"]["answer_p50_ms"]["ours"] > 0
        True
    """
    started = time.perf_counter()
    own_workdir = workdir is None
    work = Path(tempfile.mkdtemp(prefix="qa-bench-")) if own_workdir else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        if squad is not None:
            corpus = squad_corpus(work / "corpus", Path(squad), paragraphs)
            label = f"the first {len(corpus)} paragraphs of {Path(squad).name}"
        elif corpus_dir is not None:
            corpus, label = folder_documents(Path(corpus_dir)), f"documents of {corpus_dir}"
        elif size:
            corpus = synthetic_corpus(work / "corpus", size)
            label = f"synthetic: ~{size} passages recombined from the seed article (size only)"
        else:
            corpus, label = seed_documents(), "the seed article (seeds/)"
        questions = read_questions(list(question_files or QUESTION_FILES))
        asked = ["--queries", str(queries), "--questions-json", json.dumps(questions)]

        # The build floor runs before and after ours (in its own processes): a slow spell
        # of the machine during ours shows in one of them, and their mean is the floor.
        floor_runs = [_run_phase("build-floor", work, corpus)]
        phases: dict[str, dict] = {
            "build_ours": _run_phase("build-ours", work, corpus),
            "build_naive": _run_phase("build-naive", work, corpus),
            "upload_ours": _run_phase("upload-ours", work, corpus),
            "query_ours": _run_phase("query-ours", work, corpus, asked),
            "query_naive": _run_phase("query-naive", work, corpus, asked),
        }
        if milvus:
            phases["query_milvus"] = _run_phase("query-milvus", work, corpus, asked)

        floor_runs.append(_run_phase("build-floor", work, corpus))
        phases["build_floor"] = {
            "build_s": statistics.mean(r["build_s"] for r in floor_runs),
            "runs_s": [r["build_s"] for r in floor_runs],
            "sentences": floor_runs[0]["sentences"],
        }
        phases["ocr"] = _run_phase("ocr", work, corpus)
        question = questions[0]
        bench = [sys.executable, "-m", "qa.tools.bench", "--workdir", str(work), "--question", question]
        logger.info("cold asks: %d new processes each", cold_runs)
        phases["cold"] = _cold(
            {
                "ours": [sys.executable, "-m", "qa.serving.cli", "ask", question, "--index", str(work / "index")],
                "naive": [*bench, "--phase", "ask-naive"],
                "floor": [*bench, "--phase", "ask-floor"],
            },
            cold_runs,
        )
        chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus)
        return {
            "corpus": {"label": label, "documents": len(corpus), "characters": chars},
            "settings": {"queries": queries, "cold_runs": cold_runs, "questions": len(questions), "top_k": TOP_K},
            "rows": _rows(phases, chars),
            "phases": phases,
            "seconds": time.perf_counter() - started,
        }
    finally:
        if own_workdir:
            shutil.rmtree(work, ignore_errors=True)


def _rows(phases: dict, chars: int) -> dict[str, dict]:
    """One row per metric: ours, naive, floor, their ratios, the target and whether it is met."""
    q_ours, q_naive, cold = phases["query_ours"], phases["query_naive"], phases["cold"]
    b_ours, b_naive, b_floor = phases["build_ours"], phases["build_naive"], phases["build_floor"]
    upload = phases["upload_ours"]
    values = {
        "answer_p50_ms": (q_ours["answer"]["p50_ms"], q_naive["answer"]["p50_ms"], q_ours["floor"]["p50_ms"]),
        "answer_p95_ms": (q_ours["answer"]["p95_ms"], q_naive["answer"]["p95_ms"], q_ours["floor"]["p95_ms"]),
        "retrieve_p50_ms": (q_ours["retrieve"]["p50_ms"], q_naive["retrieve"]["p50_ms"], q_ours["floor"]["p50_ms"]),
        "retrieve_p95_ms": (q_ours["retrieve"]["p95_ms"], q_naive["retrieve"]["p95_ms"], q_ours["floor"]["p95_ms"]),
        # The floor's warm memory is the cold floor process's: the model and one question.
        "warm_peak_rss_mb": (q_ours["peak_rss_mb"], q_naive["peak_rss_mb"], cold["floor"]["peak_rss_mb"]),
        "cold_ask_s": (cold["ours"]["wall_s"], cold["naive"]["wall_s"], cold["floor"]["wall_s"]),
        "cold_ask_peak_rss_mb": (cold["ours"]["peak_rss_mb"], cold["naive"]["peak_rss_mb"], cold["floor"]["peak_rss_mb"]),
        "build_setup_s": (b_ours["setup_s"], b_naive["setup_s"], None),
        "build_s": (b_ours["build_s"], b_naive["build_s"], b_floor["build_s"]),
        "build_passages_per_s": (b_ours["passages"] / b_ours["build_s"], b_naive["passages"] / b_naive["build_s"], None),
        "build_chars_per_s": (chars / b_ours["build_s"], chars / b_naive["build_s"], chars / b_floor["build_s"]),
        "build_encode_share": (
            min(1.0, b_ours["encode_s"] / b_ours["build_s"]),
            min(1.0, b_naive["encode_s"] / b_naive["build_s"]),
            None,
        ),
        "build_peak_rss_mb": (b_ours["peak_rss_mb"], b_naive["peak_rss_mb"], None),
        # No naive upload: the build floor is the floor of an upload too.
        "upload_s": (upload["upload_s"], None, b_floor["build_s"]),
        "upload_encode_share": (min(1.0, upload["encode_s"] / upload["upload_s"]), None, None),
    }
    rows = {}
    for key, label, unit in ROWS:
        ours, naive, floor = values[key]
        target, met = _target(key, ours, floor)
        rows[key] = {
            "label": label,
            "unit": unit,
            "ours": ours,
            "naive": naive,
            "floor": floor,
            "ours_over_naive": ours / naive if naive else None,
            "ours_over_floor": ours / floor if floor else None,
            "target": target,
            "met": met,
        }
    return rows


def _target(key: str, ours: float, floor: float | None) -> tuple[str | None, bool | None]:
    if key == "answer_p50_ms":
        met = ours <= TARGET_ANSWER_P50_MS and floor is not None and ours <= TARGET_ANSWER_FLOOR_RATIO * floor
        return f"<= {TARGET_ANSWER_P50_MS:g} ms, <= {TARGET_ANSWER_FLOOR_RATIO:g}x floor", met
    if key == "cold_ask_s":
        return f"<= {TARGET_COLD_ASK_S:g} s", ours <= TARGET_COLD_ASK_S
    if key == "build_s":
        return f"<= {TARGET_BUILD_FLOOR_RATIO:g}x floor", floor is not None and ours <= TARGET_BUILD_FLOOR_RATIO * floor
    if key == "upload_s":
        return f"<= {TARGET_UPLOAD_FLOOR_RATIO:g}x floor", floor is not None and ours <= TARGET_UPLOAD_FLOOR_RATIO * floor
    if key == "build_encode_share":
        return f">= {TARGET_BUILD_ENCODE_SHARE:.0%}", ours >= TARGET_BUILD_ENCODE_SHARE
    return None, None


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{100 * value:.1f}%"
    if unit == "/s":
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    if unit == "MB":
        return f"{value:,.0f}"
    return f"{value:.2f}" if unit == "s" else f"{value:.1f}"


def format_table(figures: dict) -> str:
    """The figures as a plain-text table, with a header naming the corpus and settings."""
    corpus, settings = figures["corpus"], figures["settings"]
    header = ("metric", "unit", "ours", "naive", "floor", "ours/naive", "ours/floor", "target", "met?")
    lines = [
        f"qa bench: {corpus['label']}; {corpus['documents']} documents, {corpus['characters']:,} characters",
        f"warm: {settings['queries']} timed calls each over {settings['questions']} questions (k={settings['top_k']}); "
        f"cold: median of {settings['cold_runs']} new processes",
        "",
    ]
    table = [header]
    for key, row in figures["rows"].items():
        ratio = lambda r: "-" if r is None else f"{r:.2f}x"  # noqa: E731
        met = "-" if row["met"] is None else ("yes" if row["met"] else "NO")
        unit = "" if row["unit"] == "%" else row["unit"]
        table.append((
            row["label"],
            unit,
            _cell(row["ours"], row["unit"]),
            _cell(row["naive"], row["unit"]),
            _cell(row["floor"], row["unit"]),
            ratio(row["ours_over_naive"]),
            ratio(row["ours_over_floor"]),
            row["target"] or "-",
            met,
        ))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, row in enumerate(table):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:7], widths[2:7])]
        cells += [row[7].ljust(widths[7]), row[8]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("-" * len(lines[-1]))
    phases = figures["phases"]
    lines += [
        "",
        f"passages: ours {phases['build_ours']['passages']} chunks, naive {phases['build_naive']['passages']} chunks "
        f"(RecursiveCharacterTextSplitter defaults: 4000 characters); run took {figures['seconds']:.0f} s",
    ]
    upload, built = phases["upload_ours"]["upload_s"], phases["build_ours"]["build_s"]
    lines.append(
        f"upload: {phases['upload_ours']['documents']} "
        f"document(s) added with Collection.add in {upload:.2f} s, {upload / built:.2f}x build_index of the same "
        f"({built:.2f} s), {figures['rows']['upload_s']['ours_over_floor']:.2f}x one model pass over their sentences"
    )
    ocr = phases.get("ocr")
    if ocr and "skipped" in ocr:
        lines.append(f"OCR: not measured: {ocr['skipped']}")
    elif ocr:
        lines.append(
            f"OCR: a scanned PDF of {ocr['pages']} pages (300 DPI, French) read in {ocr['seconds']:.1f} s: "
            f"{ocr['pages_per_s']:.2f} pages/s, {ocr['peak_rss_mb']:.0f} MB peak"
        )
    milvus = phases.get("query_milvus")
    if milvus:
        lines += ["", "warm, same index, same process: FAISS (files) vs a Milvus Lite server on loopback (QA_STORE=milvus)"]
        for call in ("retrieve", "answer"):
            f, m = milvus[f"faiss_{call}"], milvus[f"milvus_{call}"]
            lines.append(
                f"  {call:8}  p50 {f['p50_ms']:7.1f} ms vs {m['p50_ms']:7.1f} ms ({m['p50_ms'] / f['p50_ms']:.2f}x)"
                f"   p95 {f['p95_ms']:7.1f} ms vs {m['p95_ms']:7.1f} ms ({m['p95_ms'] / f['p95_ms']:.2f}x)"
            )
    drift = _speed_drift(phases)
    if drift is not None:
        lines.append(
            f"WARNING: the floor took {drift[0]:.1f} ms (p50) during ours' warm phase but {drift[1]:.1f} ms during "
            "naive's: the machine's speed changed, so warm ours/naive ratios are unreliable (ours/floor are timed in turn)."
        )
    return "\n".join(lines)


def _speed_drift(phases: dict, tolerance: float = 0.25) -> tuple[float, float] | None:
    """The floor's p50 in ours' and naive's warm phases, when they differ by more than ``tolerance``."""
    ours, naive = phases["query_ours"]["floor"]["p50_ms"], phases["query_naive"].get("floor", {}).get("p50_ms")
    if naive is None or abs(ours - naive) <= tolerance * min(ours, naive):
        return None
    return ours, naive


def _phase_main(args) -> int:
    work = Path(args.workdir)
    corpus_file = work / "corpus.json"
    corpus = [Path(p) for p in json.loads(corpus_file.read_text(encoding="utf-8"))] if corpus_file.is_file() else []
    questions = json.loads(args.questions_json) if args.questions_json else list(FALLBACK_QUESTIONS)
    phases = {
        "build-ours": lambda: _phase_build_ours(work, corpus),
        "build-naive": lambda: _phase_build_naive(work, corpus),
        "build-floor": lambda: _phase_build_floor(work, corpus),
        "upload-ours": lambda: _phase_upload_ours(work, corpus),
        "query-ours": lambda: _phase_query_ours(work, questions, args.queries),
        "query-naive": lambda: _phase_query_naive(work, questions, args.queries),
        "query-milvus": lambda: _phase_query_milvus(work, questions, args.queries),
        "ask-naive": lambda: _phase_ask_naive(work, args.question),
        "ask-floor": lambda: _phase_ask_floor(work, args.question),
        "ocr": lambda: _phase_ocr(work),
    }
    print(json.dumps(phases[args.phase](), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="synthetic corpus of about N passages (default: the seed article)")
    parser.add_argument("--corpus", type=Path, help="benchmark on the .txt/.md documents of this folder")
    parser.add_argument("--squad", type=Path, help="benchmark on the paragraphs of this SQuAD-format file")
    parser.add_argument("--paragraphs", type=int, help="with --squad: the first N paragraphs only")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help=f"timed warm calls each (default {DEFAULT_QUERIES})")
    parser.add_argument("--cold-runs", type=int, default=DEFAULT_COLD_RUNS, help=f"new processes per cold figure (default {DEFAULT_COLD_RUNS})")
    parser.add_argument("--questions", type=Path, action="append", help="QA JSON-lines file of questions (repeatable)")
    parser.add_argument("--workdir", type=Path, help="keep indexes here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-milvus", action="store_true", help="skip the FAISS vs Milvus Lite warm timings")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each phase")
    # Internal: one phase in this process (the parent starts one process per phase).
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--question", help=argparse.SUPPRESS)
    parser.add_argument("--questions-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The run takes minutes: say which phase it is in (on stderr, so --json stays clean).
    logger.setLevel(logging.INFO)
    if args.phase:
        return _phase_main(args)
    if args.queries < 1 or args.cold_runs < 1 or (args.size is not None and args.size < 1):
        parser.error("--size, --queries and --cold-runs must be positive")
    figures = run(
        size=args.size,
        corpus_dir=args.corpus,
        queries=args.queries,
        cold_runs=args.cold_runs,
        question_files=args.questions,
        workdir=args.workdir,
        squad=args.squad,
        paragraphs=args.paragraphs,
        milvus=not args.no_milvus,
    )
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
