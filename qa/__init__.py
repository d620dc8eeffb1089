"""qa: offline multilingual question answering with cited excerpts.

    >>> from qa import retrieve, answer, build_index, load_index, QAError
    >>> "1961" in answer("When was the friendship treaty signed?").citations[0].text
    True

Heavy modules (torch, FAISS) load on first use, so `import qa` stays cheap.
"""

from __future__ import annotations

import importlib

from qa.errors import QAError

__version__ = "0.1.0"

_EXPORTS = {
    "retrieve": "qa.retrieving.retrieval",
    "answer": "qa.ask",
    "stream_answer": "qa.ask",
    "build_index": "qa.storing.building",
    "load_index": "qa.storing.storage",
    "default_index": "qa.storing.collection",
    "Index": "qa.storing.index",
    "document_text": "qa.storing.collection",
    "add_documents": "qa.storing.collection",
    "remove_document": "qa.storing.collection",
    "list_documents": "qa.storing.collection",
    "Passage": "qa.results",
    "Citation": "qa.results",
    "Answer": "qa.results",
    "ShortAnswer": "qa.results",
    "Pipeline": "qa.pipeline",
    "Settings": "qa.config",
}

__all__ = ["QAError", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
