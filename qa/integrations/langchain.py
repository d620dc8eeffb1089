"""qa's retrieval as a LangChain retriever: drop `QARetriever` into any chain.

    >>> from qa.integrations.langchain import QARetriever
    >>> docs = QARetriever(k=3).invoke("When was the friendship treaty signed?")
    >>> docs[0].metadata["source"]  # the path the default corpus (QA_CORPUS_DIR) gives
    '.../poutine-coree-du-nord.txt'
    >>> sorted(docs[0].metadata), "1961" in docs[0].page_content
    (['end', 'score', 'source', 'start'], True)
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from qa.config import Settings
from qa.reading.documents import location_of, row_of
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.results import Passage
from qa.retrieving.retrieval import retrieve


class QARetriever(BaseRetriever):
    """The passages `qa.retrieve` finds for a question, as LangChain `Document`s.

    Each document's `page_content` is the passage, exactly
    ``document_text(source)[start:end]``; its `metadata` holds `source`, `start`, `end`
    and `score` (the hybrid relevance in (0, 1]); for a document of sections (a PDF, a
    presentation, a spreadsheet...) `location`, where the passage starts:
    ``{"kind": "slide", "number": 3}`` (`qa.reading.documents.SECTION_KINDS`), with the
    ``"row"`` for a spreadsheet; and for a PDF `page` too, its page (from 1).
    `ainvoke` runs the search in an executor thread: it is CPU work, not I/O.
    It retrieves passages, not answers: an answer's `status`, `confidence` and `short` (`qa.answer`) do not apply.

    Args:
        k: passages per question (default 5).
        index: an index from `build_index`/`load_index` (default: the default corpus's,
            kept up to date with uploads).
        settings: default `Settings.from_env()`.

    Example:
        >>> from qa import default_index
        >>> retriever = QARetriever(k=3, index=default_index())  # or load_index("some/index/dir")
        >>> [d.metadata["source"].rpartition("/")[2] for d in retriever.invoke("Qui a invité Poutine ?")]
        ['poutine-coree-du-nord.txt', 'poutine-coree-du-nord.txt', 'poutine-coree-du-nord.txt']
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    k: int = Field(default=5, ge=1)
    index: Index | None = None
    settings: Settings | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        settings = self.settings or Settings.from_env()
        index = self.index if self.index is not None else default_index(settings)
        passages = retrieve(query, self.k, index=index, settings=settings)
        return [_document(passage, index) for passage in passages]


def _document(passage: Passage, index: Index) -> Document:
    metadata: dict[str, Any] = {
        "source": passage.source,
        "start": passage.start,
        "end": passage.end,
        "score": passage.score,
    }
    text = index.document_text(passage.source)
    location = location_of(passage.source, text, passage.start)
    if location is not None:
        kind, number = location
        metadata["location"] = {"kind": kind, "number": number}
        row = row_of(passage.source, text, passage.start)
        if row is not None:
            metadata["location"]["row"] = row
        if kind == "page":  # what the metadata held before locations, kept for the chains that read it
            metadata["page"] = number
    return Document(page_content=passage.text, metadata=metadata)
