"""QARetriever: qa's passages as LangChain documents, on the real model and index."""

import asyncio

import pytest
from pydantic import ValidationError

from qa.integrations.langchain import QARetriever

QUESTION = "When was the friendship treaty signed?"


def two_page_pdf(first: str, second: str) -> bytes:
    """A PDF of two pages, each one line of Helvetica text (ASCII)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
    ]
    for n, text in enumerate((first, second)):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * n} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def test_documents_are_exact_spans_of_the_indexed_text(seed_index, settings):
    documents = QARetriever(index=seed_index, settings=settings).invoke(QUESTION)
    assert len(documents) == 5
    for document in documents:
        meta = document.metadata
        assert seed_index.document_text(meta["source"])[meta["start"] : meta["end"]] == document.page_content


def test_metadata_holds_source_offsets_and_score(seed_index, settings):
    documents = QARetriever(index=seed_index, settings=settings).invoke(QUESTION)
    for document in documents:
        assert set(document.metadata) == {"source", "start", "end", "score"}  # no page: not a PDF
        assert document.metadata["source"] == seed_index.sources[0]
        assert 0 < document.metadata["score"] <= 1
    scores = [d.metadata["score"] for d in documents]
    assert scores == sorted(scores, reverse=True)
    assert "1961" in " ".join(d.page_content for d in documents[:2])


def test_k_sets_how_many_documents_come_back(seed_index, settings):
    assert len(QARetriever(k=2, index=seed_index, settings=settings).invoke(QUESTION)) == 2


def test_documents_match_qa_retrieve(seed_index, settings):
    from qa import retrieve

    passages = retrieve(QUESTION, 3, index=seed_index, settings=settings)
    documents = QARetriever(k=3, index=seed_index, settings=settings).invoke(QUESTION)
    assert [(d.page_content, d.metadata["start"], d.metadata["score"]) for d in documents] == [
        (p.text, p.start, p.score) for p in passages
    ]


def test_ainvoke_returns_what_invoke_does(seed_index, settings):
    retriever = QARetriever(k=3, index=seed_index, settings=settings)
    assert asyncio.run(retriever.ainvoke(QUESTION)) == retriever.invoke(QUESTION)


def test_k_below_one_is_refused():
    with pytest.raises(ValidationError):
        QARetriever(k=0)


def test_an_empty_question_raises_qa_error(seed_index, settings):
    from qa.errors import EmptyQuestionError

    with pytest.raises(EmptyQuestionError):
        QARetriever(index=seed_index, settings=settings).invoke("   ")


def test_pdf_passages_carry_their_page(tmp_path, settings, embedder):
    from qa import build_index

    pdf = tmp_path / "report.pdf"
    first_page = " ".join(
        f"The lighthouse of Kervalen had keeper number {n} living in the tower for {n + 2} winters." for n in range(12)
    )  # longer than a chunk, so that page 2 starts a chunk of its own
    second_page = "The observatory of Saint-Ombre opened to visitors in 2004 after its restoration."
    pdf.write_bytes(two_page_pdf(first_page, second_page))
    index = build_index([pdf], tmp_path / "index", settings=settings)
    documents = QARetriever(k=1, index=index, settings=settings).invoke("When did the observatory open to visitors?")
    assert "observatory" in documents[0].page_content
    assert documents[0].metadata["page"] == 2
    assert documents[0].metadata["location"] == {"kind": "page", "number": 2}
    text = index.document_text(str(pdf))
    assert text[documents[0].metadata["start"] : documents[0].metadata["end"]] == documents[0].page_content


def test_slide_and_spreadsheet_passages_carry_their_slide_sheet_and_row(tmp_path, settings, embedder):
    from qa import build_index
    from tests.files import pptx_presentation, xlsx_workbook

    lines = [f"The lighthouse of Kervalen had keeper number {n} in the tower for {n + 2} winters." for n in range(8)]
    lines.append("The observatory of Saint-Ombre opened to visitors in 2004 after its restoration.")
    deck = tmp_path / "history.pptx"  # the answer after a chunk's length of slide 2: its chunk starts on slide 2
    deck.write_bytes(pptx_presentation([{"title": "Kervalen", "lines": ["A lighthouse at the end of the world."]},
                                        {"title": "Keepers and visitors", "lines": lines}]))
    museums = [(f"Musée numéro {n} de la côte de Kervalen", 1000 + n) for n in range(20)]
    museums.append(("Musée de la Marine de Kervalen", 18250))
    book = tmp_path / "visits.xlsx"  # sheet 2 longer than a chunk: the answer's chunk starts on it
    book.write_bytes(xlsx_workbook({
        "Keepers": [["Keeper", "Winters"], *[[f"Keeper {n}", n + 2] for n in range(8)]],
        "Museums": [[], ["Museum", "Visitors in 2023"], *[list(m) for m in museums]],
    }))
    index = build_index([deck, book], tmp_path / "index", settings=settings)
    retriever = QARetriever(k=1, index=index, settings=settings)
    [slide] = retriever.invoke("When did the observatory open to visitors?")
    assert slide.metadata["source"] == str(deck)
    assert slide.metadata["location"] == {"kind": "slide", "number": 2}
    assert "page" not in slide.metadata
    [rows] = retriever.invoke("How many people visited the Musée de la Marine in 2023?")
    assert "Marine" in rows.page_content
    location = rows.metadata["location"]
    assert (rows.metadata["source"], location["kind"], location["number"]) == (str(book), "sheet", 2)
    # The passage starts on the row it names, as the spreadsheet numbers it: an empty row 1, the header row 2.
    museum, visitors = museums[location["row"] - 3]
    assert rows.page_content.startswith(f"Museum: {museum}; Visitors in 2023: {visitors}.")


def test_the_readme_chain_fills_a_prompt_with_the_passages(seed_index, settings):
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    retriever = QARetriever(k=3, index=seed_index, settings=settings)
    prompt = ChatPromptTemplate.from_template("Answer from these excerpts only:\n{context}\n\nQuestion: {question}")

    def excerpts(documents):
        return "\n\n".join(f"[{d.metadata['source']}:{d.metadata['start']}] {d.page_content}" for d in documents)

    chain = {"context": retriever | excerpts, "question": RunnablePassthrough()} | prompt
    filled = chain.invoke(QUESTION).to_string()
    assert "1961" in filled and QUESTION in filled
