"""`qa eval`: retrieval and answer metrics on a QA file (definitions: shared/eval/README.md).

Two formats are read:
- JSON lines (`seed_qa.jsonl`): `question`, `answers`, `evidence`, `answerable`,
  optional `lang` and `history`; asked against the default index, or against an index of
  a folder of documents (``documents``, `qa eval --docs FOLDER`), kept in
  `QA_CACHE_DIR/eval/` as a SQuAD file's is. A question may name its `document` (a file
  of that folder, or of the default corpus): a hit is then a passage from it, and the
  figures are also given by the document's format (its suffix, or the question's own
  `format`: `pdf-scan`) when there are several,
  and by whether the question is in the document's language (`document_lang`).
- SQuAD JSON (`piaf_sample.json`, SQuAD 2.0's `piaf_open_dev.json`): each paragraph is
  indexed as its own document; a hit is a passage from the question's paragraph;
  `is_impossible` questions are scored as unanswerable, and a question's `lang` is
  reported. The paragraphs and their index are kept in `QA_CACHE_DIR/eval/` and reused
  while neither the paragraphs nor the model or chunking settings change (building
  PIAF-open's 344 documents takes minutes; asking its 1,966 questions, one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.config import Settings
from qa.errors import QAError
from qa.storing.building import build_index
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.pipeline import RULES_PIPELINE, Pipeline
from qa.results import ANSWERED, MAX_CITED_CHARS, STATUSES, Answer

logger = logging.getLogger(__name__)

KS = (1, 3, 5)
# Question ids listed as not right in the text table (all are in the JSON).
_LISTED_FAILURES = 40


@dataclass
class Example:
    question: str
    answers: list[str]
    answerable: bool
    evidence: str | None = None
    source: str | None = None
    language: str | None = None
    history: list[str] = field(default_factory=list)
    id: str = ""
    document: str | None = None
    document_language: str | None = None
    format: str | None = None


def normalise(text: str) -> str:
    """NFKC, typographic apostrophes as `'`, case-folded: how answers are compared."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").casefold()


def read_examples(path: Path) -> tuple[list[Example], list[str] | None]:
    """Examples of a QA file, and for SQuAD files the paragraphs to index, in order.

    A SQuAD example's `source` is its paragraph's number (`paragraph-001.txt`), made a
    path by `_paragraph_index`.
    """
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        examples = []
        for line in raw.splitlines():
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(
                        question=row["question"],
                        answers=row.get("answers", []),
                        answerable=row.get("answerable", True),
                        evidence=row.get("evidence"),
                        language=row.get("lang"),
                        history=row.get("history") or [],
                        id=str(row.get("id", len(examples))),
                        document=row.get("document"),
                        document_language=row.get("document_lang"),
                        format=row.get("format"),
                    )
                )
        return examples, None
    try:
        squad = json.loads(raw)
        articles = squad["data"]
    except (ValueError, KeyError, TypeError):
        raise QAError(f"{path}: neither JSON lines (.jsonl) nor a SQuAD JSON file with a `data` list.") from None
    examples, paragraphs = [], []
    for article in articles:
        for paragraph in article["paragraphs"]:
            paragraphs.append(paragraph["context"])
            for qa in paragraph["qas"]:
                examples.append(
                    Example(
                        question=qa["question"],
                        answers=[a["text"] for a in qa.get("answers", [])],
                        answerable=not qa.get("is_impossible", False),
                        source=_paragraph_name(len(paragraphs)),
                        language=qa.get("lang"),
                        id=str(qa.get("id", len(examples))),
                    )
                )
    return examples, paragraphs


def _paragraph_name(number: int) -> str:
    return f"paragraph-{number:03d}.txt"


def _paragraph_index(
    path: Path, paragraphs: list[str], settings: Settings, *, show_progress: bool, rebuild: bool = False
) -> Index:
    """The index of a SQuAD file's paragraphs: reused from `QA_CACHE_DIR/eval/` when it is
    current, unless ``rebuild``."""
    digest = hashlib.sha256("\x00".join(paragraphs).encode("utf-8")).hexdigest()[:16]
    folder = settings.cache_dir / "eval" / f"{path.stem}-{digest}"
    corpus = folder / "paragraphs"
    corpus.mkdir(parents=True, exist_ok=True)
    documents = []
    for number, text in enumerate(paragraphs, start=1):
        document = corpus / _paragraph_name(number)
        if not document.is_file() or document.read_text(encoding="utf-8") != text:
            document.write_text(text, encoding="utf-8")
        documents.append(document)
    return _cached_index(documents, folder / "index", settings, show_progress=show_progress, rebuild=rebuild)


def _folder_index(folder: Path, settings: Settings, *, show_progress: bool, rebuild: bool = False) -> Index:
    """The index of a folder's documents (every file qa reads, in its subfolders too):
    reused from `QA_CACHE_DIR/eval/` while the files are the same, unless ``rebuild``."""
    from qa.reading.documents import SUPPORTED_SUFFIXES

    if not folder.is_dir():
        raise QAError(f"{folder}: no such folder of documents.")
    documents = sorted(
        p.resolve() for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )
    if not documents:
        raise QAError(f"{folder}: no document qa reads in it ({', '.join(SUPPORTED_SUFFIXES)}).")
    digest = hashlib.sha256()
    for document in documents:
        digest.update(str(document).encode("utf-8") + b"\x00" + hashlib.sha256(document.read_bytes()).digest())
    where = settings.cache_dir / "eval" / f"docs-{folder.resolve().name}-{digest.hexdigest()[:16]}" / "index"
    return _cached_index(documents, where, settings, show_progress=show_progress, rebuild=rebuild)


def _cached_index(
    documents: list[Path], where: Path, settings: Settings, *, show_progress: bool, rebuild: bool
) -> Index:
    """The index of ``documents`` in the folder ``where``: the one there when it holds these
    documents with the model and chunking settings in use, else built there."""
    from qa.encoding.embedding import model_name
    from qa.encoding.torch_encoder import resolve_precision
    from qa.errors import IndexCorruptError, IndexNotFoundError
    from qa.storing.storage import load_index

    precision = resolve_precision(settings.precision)
    wanted = ([str(d) for d in documents], model_name(settings), settings.chunk_size, settings.chunk_overlap, precision)
    try:
        index = None if rebuild else load_index(where)
    except (IndexNotFoundError, IndexCorruptError):
        index = None
    if index is not None and (index.sources, index.model, index.chunk_size, index.chunk_overlap, index.precision) == wanted:
        logger.info("Reusing the index in %s", where)
        return index
    logger.info("Indexing %d documents into %s", len(documents), where)
    return build_index(documents, where, settings=settings, show_progress=show_progress)


def _resolve_documents(examples: list[Example], index: Index) -> None:
    """Each example's `source`: the indexed document its `document` names (a path relative
    to the documents' folder, or a file name).

    Raises:
        QAError: a named document is not in the index.
    """
    missing = set()
    for example in examples:
        if example.document is None:
            continue
        wanted = Path(example.document).parts
        found = [s for s in index.sources if Path(s).parts[-len(wanted) :] == wanted]
        if len(found) == 1:
            example.source = found[0]
        else:
            missing.add(example.document)
    if missing:
        raise QAError(
            f"questions name documents the index does not hold once: {', '.join(sorted(missing))}; "
            "give the folder that holds them with --docs FOLDER."
        )


def _in_milvus(index: Index, settings: Settings) -> Index:
    """A SQuAD file's paragraph index served from Milvus (`QA_STORE=milvus`), under a prefix
    of its own: copied there when that prefix does not hold this very index yet."""
    from qa.storing.milvus_store import MilvusStore

    digest = hashlib.sha256(f"{index.version}{index.directory}".encode()).hexdigest()[:8]
    store = MilvusStore(replace(settings, milvus_prefix=f"{settings.milvus_prefix}_eval_{digest}"))
    try:
        loaded = store.load()
        if loaded.sources == index.sources:
            return loaded
    except QAError:
        pass
    store.save(index)
    return store.load()


def _hit_rank(example: Example, result: Answer) -> int | None:
    for rank, passage in enumerate(result.passages, start=1):
        if example.source is not None and passage.source == example.source:
            return rank
        if example.evidence is not None and normalise(example.evidence) in normalise(passage.text):
            return rank
    return None


def contains_answer(answers: list[str], text: str) -> bool:
    """Whether a gold answer is inside ``text``, compared as `normalise` does."""
    return any(normalise(a) in normalise(text) for a in answers)


def cites_answer(answers: list[str], citations) -> bool:
    """The eval's answer accuracy for one reply: a gold answer inside the citations,
    which stay within `MAX_CITED_CHARS` in all."""
    cited = "".join(c.text for c in citations)
    return sum(len(c.text) for c in citations) <= MAX_CITED_CHARS and contains_answer(answers, cited)


def replay(earlier: list[str], index: Index, settings: Settings, *, pipeline: Pipeline | None = None) -> list[dict]:
    """The conversation of a follow-up: each earlier question asked in turn, with its reply."""
    from qa.ask import answer

    history: list[dict] = []
    for turn in earlier:
        reply = answer(turn, index=index, history=history, settings=settings, pipeline=pipeline)
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": reply.text}]
    return history


def _citations_exact(index: Index, result: Answer) -> bool:
    return all(index.document_text(c.source)[c.start : c.end] == c.text for c in result.citations)


def ask(example: Example, index: Index, settings: Settings, *, pipeline: Pipeline | None = None) -> Answer:
    """Ask an example's question, replaying its conversation first."""
    from qa.ask import answer

    history = replay(example.history, index, settings, pipeline=pipeline)
    return answer(example.question, index=index, history=history, settings=settings, pipeline=pipeline)


def evaluate(
    path: str | Path,
    *,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
    show_progress: bool = False,
    llm: bool = False,
    limit: int | None = None,
    rebuild: bool = False,
    documents: str | Path | None = None,
) -> dict:
    """Score qa on a QA file.

    Args:
        path: JSON lines or SQuAD JSON (see the module's docstring).
        settings: default `Settings.from_env()`.
        pipeline: the rankings and abstention signals to score (default `Pipeline()`).
        show_progress: a progress bar over the questions.
        llm: answers written by the language model of `settings.llm_url` (else the
            extractive answers, whatever `QA_LLM_URL` says).
        rebuild: build the index again: a SQuAD file's paragraphs even when the cached
            index in `QA_CACHE_DIR/eval/` matches them (after a change to the encoder,
            which its settings do not show), or the default index (`reindex_all`).
        limit: score only the first ``limit`` questions.
        documents: a folder whose documents a JSON lines file's questions are asked
            against, instead of the default index (indexed once into `QA_CACHE_DIR/eval/`,
            reused while its files stay the same).

    Returns:
        A flat dict of metrics (`hit@1`, `mrr@5`, `answer_accuracy`, ...); the
        primary metric is `answer_accuracy`. Rates are fractions; counts are ints.
        With ``llm``, also `generated` (share of replies the model wrote), `sentences_kept`
        (share of its sentences the verifier kept) and `llm_errors`. Breakdowns, each a
        dict of the same metrics by group: `by_language` (the questions' `lang`, when
        there are several), `by_format` (the suffix of each question's document, when
        there are several) and `by_language_match` (`same` or `other`: the question in its
        document's language, `document_lang`, or not; when both occur).

    Raises:
        QAError: ``llm`` without `QA_LLM_URL`; ``documents`` with a SQuAD file, or not a
            folder of documents; a question's `document` not in the index.

    Example:
        >>> metrics = evaluate("eval/formats/questions.jsonl", documents="/tmp/qa-formats-eval")  # doctest: +SKIP
        >>> sorted(metrics["by_format"])[:3]  # doctest: +SKIP
        ['csv', 'docx', 'eml']
    """
    settings = settings or Settings.from_env()
    if llm and not settings.llm_url:
        raise QAError("qa eval --llm needs a language model: set QA_LLM_URL (and QA_LLM_MODEL).")
    if not llm:
        settings = replace(settings, llm_url="")
    path = Path(path)
    examples, paragraphs = read_examples(path)
    examples = examples[:limit] if limit else examples
    if paragraphs is not None and documents is not None:
        raise QAError(f"{path}: a SQuAD file brings its own paragraphs; --docs is for JSON lines files.")
    if documents is not None:
        index = _folder_index(Path(documents), settings, show_progress=show_progress, rebuild=rebuild)
        if settings.store == "milvus":
            index = _in_milvus(index, settings)
    elif paragraphs is not None:
        index = _paragraph_index(path, paragraphs, settings, show_progress=show_progress, rebuild=rebuild)
        if settings.store == "milvus":
            index = _in_milvus(index, settings)
        folder = Path(index.sources[0]).parent if index.sources else Path()
        for example in examples:
            example.source = str(folder / example.source)
    elif rebuild:
        from qa.storing.collection import reindex_all

        index = reindex_all(settings=settings, show_progress=show_progress)
    else:
        index = default_index(settings, show_progress=show_progress)
    _resolve_documents(examples, index)
    rows = []
    iterator = examples
    if show_progress:
        from tqdm import tqdm

        iterator = tqdm(examples, desc="qa eval", unit="question")
    for example in iterator:
        started = time.perf_counter()
        result = ask(example, index, settings, pipeline=pipeline)
        latency = time.perf_counter() - started
        rows.append(_score(example, result, index, latency))
    metrics = _summarise(rows)
    if llm:
        metrics.update(_generation_metrics(rows))
    for name, key in (("by_language", "language"), ("by_format", "format"), ("by_language_match", "language_match")):
        groups = sorted({r[key] for r in rows if r[key]})
        if len(groups) > 1:
            metrics[name] = {group: _summarise([r for r in rows if r[key] == group], brief=True) for group in groups}
    return metrics


def document_format(example: Example) -> str | None:
    """The format an example is reported under: its own `format` when it gives one (a
    scanned PDF as ``pdf-scan``), else its document's suffix without the dot, lower case
    (``pdf``, ``xlsx``), or None when the example names no document.

    Example:
        >>> document_format(Example("Who?", ["Ana"], True, document="staff/Team.ODS"))
        'ods'
        >>> document_format(Example("When?", ["May"], True, document="letter.pdf", format="pdf-scan"))
        'pdf-scan'
    """
    if example.format:
        return example.format
    name = example.document or example.source
    return Path(name).suffix.lower().lstrip(".") or None if name else None


def _language_match(example: Example) -> str | None:
    if example.language is None or example.document_language is None:
        return None
    return "same" if example.language == example.document_language else "other"


def _score(example: Example, result: Answer, index: Index, latency: float) -> dict:
    answered = not result.abstained
    short = result.short.text if result.short is not None else None
    return {
        "status": result.status,
        "confidence": result.confidence,
        "short": short is not None,
        "short_right": short is not None and example.answerable and _overlaps(example.answers, short),
        "id": example.id,
        "language": example.language,
        "format": document_format(example),
        "language_match": _language_match(example),
        "answerable": example.answerable,
        "rank": _hit_rank(example, result) if example.answerable else None,
        "correct": example.answerable and answered and cites_answer(example.answers, result.citations),
        "first_correct": example.answerable
        and answered
        and bool(result.citations)
        and len(result.citations[0].text) <= MAX_CITED_CHARS
        and contains_answer(example.answers, result.citations[0].text),
        "abstained": result.abstained,
        "exact": _citations_exact(index, result),
        "language_right": None if example.language is None else result.language == example.language,
        "latency": latency,
        "generated": result.mode == "generated",
        "kept": _kept_sentences(result),
        "dropped": len(result.dropped),
        "llm_error": result.llm_error,
    }


def _overlaps(answers: list[str], short: str) -> bool:
    """Whether a short answer and a gold answer overlap: one inside the other, compared as
    `normalise` does."""
    short = normalise(short)
    return any(normalise(a) in short or short in normalise(a) for a in answers if a.strip())


def reliability(confidences, right, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, share right, replies) of each non-empty one of ``bins`` equal-width
    bins of confidence: the points of a reliability diagram."""
    import numpy as np

    confidences, right = np.asarray(confidences, float), np.asarray(right, float)
    which = np.minimum((confidences * bins).astype(int), bins - 1)
    return [(float(confidences[which == b].mean()), float(right[which == b].mean()), int((which == b).sum()))
            for b in range(bins) if (which == b).any()]


def calibration_error(confidences, right, bins: int = 10) -> float:
    """Expected calibration error: each bin's (`reliability`) mean confidence against its
    share of right replies, weighted by the bin's size."""
    points = reliability(confidences, right, bins)
    return sum(abs(confidence - share) * count for confidence, share, count in points) / max(len(confidences), 1)


def _kept_sentences(result: Answer) -> int:
    from qa.generating.verification import split_claims

    if result.mode != "generated":
        return 0
    return sum(1 for claim in split_claims(result.text.split("\n\n")[0]) if claim.cited)


def _generation_metrics(rows: list[dict]) -> dict:
    written = sum(r["kept"] + r["dropped"] for r in rows)
    return {
        "generated": sum(r["generated"] for r in rows) / max(len(rows), 1),
        "sentences_written": written,
        "sentences_kept": sum(r["kept"] for r in rows) / written if written else None,
        "llm_errors": sum(r["llm_error"] is not None and not r["dropped"] for r in rows),
    }


def _summarise(rows: list[dict], *, brief: bool = False) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    with_language = [r for r in rows if r["language_right"] is not None]
    n = max(len(answerable), 1)
    metrics: dict = {"questions": len(rows), "answerable": len(answerable), "unanswerable": len(unanswerable)}
    for k in KS:
        metrics[f"hit@{k}"] = sum(r["rank"] is not None and r["rank"] <= k for r in answerable) / n
    metrics["mrr@5"] = sum(1 / r["rank"] for r in answerable if r["rank"] and r["rank"] <= 5) / n
    metrics["answer_accuracy"] = sum(r["correct"] for r in answerable) / n
    metrics["first_citation_accuracy"] = sum(r["first_correct"] for r in answerable) / n
    metrics["abstention"] = sum(r["abstained"] for r in unanswerable) / len(unanswerable) if unanswerable else None
    metrics["abstained_unanswerable"] = sum(r["abstained"] for r in unanswerable)
    metrics["false_abstentions"] = sum(r["abstained"] for r in answerable)
    metrics["language_accuracy"] = (
        sum(r["language_right"] for r in with_language) / len(with_language) if with_language else None
    )
    metrics.update(_status_metrics(rows))
    if brief:
        return metrics
    metrics["citation_exactness"] = sum(r["exact"] for r in rows) / max(len(rows), 1)
    latencies = sorted(r["latency"] for r in rows)
    metrics["latency_p50_ms"] = round(1000 * statistics.median(latencies), 1) if latencies else None
    metrics["latency_p95_ms"] = round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None
    metrics["primary"] = "answer_accuracy"
    shorts = [r for r in answerable if r["short"]]
    metrics["short_answers"] = len(shorts) / n
    metrics["short_answer_overlap"] = sum(r["short_right"] for r in shorts) / len(shorts) if shorts else None
    # Not right: an answerable question not answered right, an unanswerable one answered as sure.
    metrics["failures"] = [
        r["id"] for r in rows if (r["answerable"] and not r["correct"]) or (not r["answerable"] and r["status"] == ANSWERED)
    ]
    return metrics


def _status_metrics(rows: list[dict]) -> dict:
    """Each status's share, the precision and coverage of "answered", near misses answered
    and the calibration error (../shared/eval/README.md)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if r["status"] == ANSWERED]
    confident = [r for r in rows if r["confidence"] is not None]
    return {
        **{f"status_{s}": sum(r["status"] == s for r in rows) / max(len(rows), 1) for s in STATUSES},
        "precision_of_answered": sum(r["correct"] for r in answered) / len(answered) if answered else None,
        "coverage": sum(r["correct"] and r["status"] == ANSWERED for r in answerable) / max(len(answerable), 1),
        "near_misses_answered": sum(r["status"] == ANSWERED for r in unanswerable) / len(unanswerable) if unanswerable else None,
        "calibration_error": calibration_error([r["confidence"] for r in confident], [r["correct"] for r in confident])
        if confident
        else None,
    }


def format_table(metrics: dict, title: str) -> str:
    """The metrics as an aligned two-column table."""
    answerable, unanswerable = metrics["answerable"], metrics["unanswerable"]

    def rate(key: str, total: int | None = None) -> str:
        value = metrics.get(key)
        if value is None:
            return "n/a"
        count = f"  ({round(value * total)}/{total})" if total else ""
        return f"{100 * value:5.1f}%{count}"

    lines = [
        f"qa eval: {title}",
        f"  questions            {metrics['questions']} ({answerable} answerable, {unanswerable} unanswerable)",
        *(f"  hit@{k}                {rate(f'hit@{k}', answerable)}" for k in KS),
        f"  MRR@5                {metrics['mrr@5']:.3f}",
        f"  answer accuracy      {rate('answer_accuracy', answerable)}",
        f"  first-citation acc.  {rate('first_citation_accuracy', answerable)}",
        f"  abstention           {rate('abstention', unanswerable)}",
        f"  false abstentions    {metrics['false_abstentions']}",
        f"  status               answered {rate('status_answered')}, uncertain {rate('status_uncertain')}, "
        f"abstained {rate('status_abstained')}",
        f"  precision, answered  {rate('precision_of_answered')}",
        f"  coverage, answered   {rate('coverage', answerable)}",
        f"  near misses answered {rate('near_misses_answered', unanswerable)}",
        f"  calibration error    {rate('calibration_error')}",
        f"  short answers        {rate('short_answers', answerable)}, overlapping a gold answer "
        f"{rate('short_answer_overlap')}",
        f"  citation exactness   {rate('citation_exactness', metrics['questions'])}",
        f"  language accuracy    {rate('language_accuracy')}",
        f"  latency p50 / p95    {metrics['latency_p50_ms']} ms / {metrics['latency_p95_ms']} ms",
    ]
    if "generated" in metrics:
        lines += [
            f"  generated answers    {rate('generated', metrics['questions'])}",
            f"  sentences kept       {rate('sentences_kept', metrics['sentences_written'])}",
            f"  model errors         {metrics['llm_errors']}",
        ]
    by_language = metrics.get("by_language") or {}
    if by_language:
        lines.append(
            f"  {'by language':20} {'questions':>9} {'hit@1':>6} {'answer':>7} {'abst.':>6} {'false':>6} {'lang.':>6}"
            f" {'prec.':>6} {'cover.':>6} {'near':>6} {'ECE':>6}"
        )

        def pct(value) -> str:
            return "n/a" if value is None else f"{100 * value:.1f}"

        for language, m in by_language.items():
            lines.append(
                f"  {language:20} {m['questions']:>9} {100 * m['hit@1']:>6.1f} {100 * m['answer_accuracy']:>7.1f}"
                f" {pct(m['abstention']):>6} {m['false_abstentions']:>6} {pct(m['language_accuracy']):>6}"
                f" {pct(m['precision_of_answered']):>6} {pct(m['coverage']):>6} {pct(m['near_misses_answered']):>6}"
                f" {pct(m['calibration_error']):>6}"
            )
    for key, title in (("by_format", "by format"), ("by_language_match", "vs document language")):
        if metrics.get(key):
            lines += _breakdown_lines(metrics[key], title)
    failures = metrics["failures"]
    if failures:
        more = f" and {len(failures) - _LISTED_FAILURES} more (--json lists all)" if len(failures) > _LISTED_FAILURES else ""
        lines.append(f"  not right            {', '.join(failures[:_LISTED_FAILURES])}{more}")
    return "\n".join(lines)


def _breakdown_lines(groups: dict[str, dict], title: str) -> list[str]:
    """A table of one row per group: its questions (answerable, unanswerable), hit@1, answer
    and first-citation accuracy, abstention on unanswerable questions, false abstentions and
    each status's share, in percent."""

    def pct(value) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}"

    lines = [
        f"  {title:20} {'questions':>9} {'ans.':>5} {'unans.':>6} {'hit@1':>6} {'answer':>7} {'first':>6}"
        f" {'abst.':>6} {'false':>6} {'answered':>9} {'uncertain':>9} {'abstained':>9}"
    ]
    for group, m in groups.items():
        lines.append(
            f"  {group:20} {m['questions']:>9} {m['answerable']:>5} {m['unanswerable']:>6} {pct(m['hit@1']):>6}"
            f" {pct(m['answer_accuracy']):>7} {pct(m['first_citation_accuracy']):>6} {pct(m['abstention']):>6}"
            f" {m['false_abstentions']:>6} {pct(m['status_answered']):>9} {pct(m['status_uncertain']):>9}"
            f" {pct(m['status_abstained']):>9}"
        )
    return lines


# --- ablation ---------------------------------------------------------------------------

# Each variant switches rankings or abstention signals off.
ABLATIONS: dict[str, Pipeline] = {
    "hybrid, fitted step (default)": Pipeline(),
    "dense only": Pipeline(sparse_weight=0.0, lexical_weight=0.0),
    "sparse only": Pipeline(dense_weight=0.0, lexical_weight=0.0),
    "lexical only": Pipeline(dense_weight=0.0, sparse_weight=0.0),
    "without sparse": Pipeline(sparse_weight=0.0),
    "without lexical": Pipeline(lexical_weight=0.0),
    "without overview answers": Pipeline(overview=False),
    "hand-set rules (fitted=False)": RULES_PIPELINE,
    "rules: no similarity floor": Pipeline(fitted=False, similarity_floor=False),
    "rules: no word grounding": Pipeline(fitted=False, word_grounding=False),
    "rules: no answer type": Pipeline(fitted=False, answer_type=False),
    "rules: no unknown-name check": Pipeline(fitted=False, unknown_names=False),
    "rules: never abstain": Pipeline(
        fitted=False, similarity_floor=False, word_grounding=False, answer_type=False, unknown_names=False
    ),
}


def ablation(
    path: str | Path, *, settings: Settings | None = None, rebuild: bool = False, documents: str | Path | None = None
) -> dict[str, dict]:
    """`evaluate` once per variant of `ABLATIONS`; returns the metrics by variant name.
    With ``rebuild``, the index is built again once, for the first variant; ``documents``
    as `evaluate` takes it."""
    return {
        name: evaluate(path, settings=settings, pipeline=pipeline, rebuild=rebuild and not n, documents=documents)
        for n, (name, pipeline) in enumerate(ABLATIONS.items())
    }


def format_ablation(results: dict[str, dict], title: str) -> str:
    """One row per variant: retrieval hits, answers, abstentions."""

    def pct(value) -> str:
        return "  n/a" if value is None else f"{100 * value:5.1f}"

    header = f"{'variant':32} {'hit@1':>6} {'hit@3':>6} {'answer':>7} {'first':>6} {'abst.':>6} {'false':>6}"
    lines = [f"qa eval --ablation: {title}", header, "-" * len(header)]
    for name, m in results.items():
        lines.append(
            f"{name:32} {pct(m['hit@1']):>6} {pct(m['hit@3']):>6} {pct(m['answer_accuracy']):>7} "
            f"{pct(m['first_citation_accuracy']):>6} {pct(m['abstention']):>6} {m['false_abstentions']:>6}"
        )
    return "\n".join(lines)
