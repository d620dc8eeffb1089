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
import subprocess
import sys
import threading
from pathlib import Path

from qa.errors import DocumentError

_MB = 1024 * 1024
# Children reading at once: each may take QA_PARSE_MEMORY_MB, so their number is bounded
# too (an API server runs uploads on dozens of threads).
MAX_CHILDREN = 2
_children = threading.BoundedSemaphore(MAX_CHILDREN)


def read_document_isolated(path: str | Path, *, name: str, timeout_s: float, memory_mb: int) -> str:
    """`qa.reading.documents.read_document` run in a child process with limits.

    Args:
        path: the file to read; its suffix says how.
        name: the file's name as the person knows it, for messages.
        timeout_s: the child is killed after this many seconds.
        memory_mb: the child's address-space limit.

    Raises:
        DocumentError: the file is unreadable, or reading it broke a limit.
    """
    command = [sys.executable, "-m", "qa.reading.sandbox", str(path), str(int(memory_mb))]
    try:
        with _children:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"{name}: reading it took longer than {timeout_s:g} s, so it was stopped (QA_PARSE_TIMEOUT_S)."
        ) from None
    try:
        reply = json.loads(done.stdout.decode("utf-8"))
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


def _main(path: str, memory_mb: str) -> int:
    import resource

    limit = int(memory_mb) * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from qa.reading.documents import read_document

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
