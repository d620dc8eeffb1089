"""Asking a question of one document of a format, through a real index of it."""

import pytest


@pytest.fixture
def first_citation(tmp_path, settings, embedder):
    """``first_citation(path, question)``: the first citation of the answer to ``question``
    from an index of the document at ``path`` alone, checked to be exact (its offsets
    give its text in the document's text)."""
    from qa import answer, build_index

    def ask(path, question):
        index = build_index([path], tmp_path / "index", settings=settings)
        result = answer(question, index=index, settings=settings)
        assert result.citations, f"no citation for {question!r}: {result.text}"
        citation = result.citations[0]
        assert index.document_text(citation.source)[citation.start : citation.end] == citation.text
        return citation

    return ask
