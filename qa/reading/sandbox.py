"""Reading an untrusted file in a child process, under time and memory limits.

PDF and Word parsers can be driven into near-endless loops or gigabytes of memory by
a crafted file (a compressed XML bomb in a `.docx`, a PDF whose objects refer to each
other). Uploads are read here: the child gets `QA_PARSE_MEMORY_MB` of address space
and `QA_PARSE_TIMEOUT_S` seconds, and whatever goes wrong in it becomes a
`DocumentError` naming the file; the server itself is never at risk.

The child is ``python -m qa.reading.sandbox PATH MEMORY_MB``: it prints ``{"text": ...}`` or
``{"error": ...}`` as JSON on its standard output.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from qa.errors import DocumentError

_MB = 1024 * 1024
# Children reading at once: each may take QA_PARSE_MEMORY_MB, so their number is bounded
# too (an API server runs uploads on dozens of threads).
MAX_CHILDREN = 2
_children = threading.BoundedSemaphore(MAX_CHILDREN)
# What the child writes on its standard error as each page's OCR starts.
_OCR_PAGE = b"ocr page\n"


def read_document_isolated(
    path: str | Path, *, name: str, timeout_s: float, memory_mb: int, ocr_page_timeout_s: float = 0.0
) -> str:
    """`qa.reading.documents.read_document` run in a child process with limits.

    Args:
        path: the file to read; its suffix says how.
        name: the file's name as the person knows it, for messages.
        timeout_s: the child is killed after this many seconds...
        memory_mb: the child's address-space limit.
        ocr_page_timeout_s: ...plus this many for each page it has begun to read by OCR.

    Raises:
        DocumentError: the file is unreadable, or reading it broke a limit.
    """
    command = [sys.executable, "-m", "qa.reading.sandbox", str(path), str(int(memory_mb))]
    with _children:
        done, stdout, ocr_pages = _run(command, timeout_s, ocr_page_timeout_s)
    if not done:
        allowed = timeout_s + ocr_pages * ocr_page_timeout_s
        why = f" (QA_PARSE_TIMEOUT_S, plus QA_OCR_PAGE_TIMEOUT_S for each of the {ocr_pages} pages read by OCR)"
        raise DocumentError(
            f"{name}: reading it took longer than {allowed:g} s, so it was stopped"
            + (why if ocr_pages else " (QA_PARSE_TIMEOUT_S)")
            + "."
        )
    try:
        reply = json.loads(stdout.decode("utf-8"))
    except ValueError:
        reply = {}
    if "text" in reply:
        return reply["text"]
    if reply.get("error"):
        raise DocumentError(reply["error"].replace(str(path), name))
    # No reply: the child died, most often of the memory limit.
    raise DocumentError(
        f"{name}: reading it needed more than {memory_mb} MB of memory or crashed the reader "
        f"(exit status {done.returncode}; QA_PARSE_MEMORY_MB)."
    )


def _run(command: list[str], timeout_s: float, ocr_page_timeout_s: float):
    """Runs the child until it ends or its time is up; returns the finished process (None
    when it was killed), its standard output, and the pages it began to read by OCR."""
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output: list[bytes] = []
    ocr_pages = 0

    def count_pages() -> None:
        nonlocal ocr_pages
        for line in child.stderr:
            ocr_pages += line == _OCR_PAGE

    readers = [
        threading.Thread(target=lambda: output.append(child.stdout.read()), daemon=True),
        threading.Thread(target=count_pages, daemon=True),
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    try:
        while True:
            left = started + timeout_s + ocr_pages * ocr_page_timeout_s - time.monotonic()
            if left <= 0:
                child.kill()
                child.wait()
                return None, b"", ocr_pages
            try:
                child.wait(timeout=min(left, 0.5))  # the limit grows as OCR pages begin
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    for reader in readers:
        reader.join()
    return child, b"".join(output), ocr_pages


class _PageSignal(logging.Handler):
    """Writes ``ocr page`` on standard error as the OCR reader starts a page."""

    def emit(self, record: logging.LogRecord) -> None:
        if not record.getMessage().startswith("OCR of page"):
            return
        sys.stderr.buffer.write(_OCR_PAGE)
        sys.stderr.buffer.flush()


def _main(path: str, memory_mb: str) -> int:
    import resource

    limit = int(memory_mb) * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from qa.reading.documents import read_document
    from qa.reading.formats import ocr

    # The OCR reader logs each page it starts (`PageReader.read`): the parent's clock.
    ocr.logger.addHandler(_PageSignal(logging.INFO))
    ocr.logger.setLevel(logging.INFO)
    ocr.logger.propagate = False

    try:
        reply = {"text": read_document(path)}
    except DocumentError as exc:
        reply = {"error": str(exc)}
    except MemoryError:
        reply = {"error": f"{path}: reading it needed more than {memory_mb} MB of memory (QA_PARSE_MEMORY_MB)."}
    sys.stdout.buffer.write(json.dumps(reply).encode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:3]))
