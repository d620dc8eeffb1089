"""PDF: text layers as pypdf reads them, tables as rows, scanned pages by OCR."""

import io

import pytest

from qa import answer, build_index
from qa.errors import DocumentError
from qa.reading.documents import location_of, read_document
from qa.storing.collection import add_documents
from tests.files import image_only_pdf, scanned_page

FRENCH = "Le phare de Kerbrat a été construit en 1888."
RUSSIAN = "Маяк Кербрат построен в 1888 году."
BEFORE_TABLE = "Employees on a mission abroad receive a daily allowance that depends on the city."
AFTER_TABLE = "Hotel costs are refunded on presentation of the invoice."


def text_pdf(paragraphs, *, table=None, rule=False) -> bytes:
    """A PDF with a text layer (reportlab): a title, ``paragraphs``, and ``table`` (ruled) after the first."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    story = [Paragraph("Travel policy", styles["Heading1"])]
    if rule:
        story.append(HRFlowable(width="100%"))
    story.append(Paragraph(paragraphs[0], styles["Normal"]))
    if table:
        grid = Table(table)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(grid)
    story += [Paragraph(paragraph, styles["Normal"]) for paragraph in paragraphs[1:]]
    data = io.BytesIO()
    SimpleDocTemplate(data, pagesize=A4).build(story)
    return data.getvalue()


ALLOWANCES = [["City", "Daily allowance"], ["Tokyo", "120 EUR"], ["Oslo", "95 EUR"], ["Lisbon", "70 EUR"]]


def test_a_pdf_table_reads_as_one_line_a_row(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(text_pdf([BEFORE_TABLE, AFTER_TABLE], table=ALLOWANCES))
    lines = read_document(path).split("\n")
    assert "City: Tokyo; Daily allowance: 120 EUR." in lines
    assert "City: Lisbon; Daily allowance: 70 EUR." in lines


def test_the_text_around_a_pdf_table_stays_whole_and_in_order(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(text_pdf([BEFORE_TABLE, AFTER_TABLE], table=ALLOWANCES))
    assert read_document(path).split("\n") == [
        "Travel policy",
        BEFORE_TABLE,
        "City: Tokyo; Daily allowance: 120 EUR.",
        "City: Oslo; Daily allowance: 95 EUR.",
        "City: Lisbon; Daily allowance: 70 EUR.",
        AFTER_TABLE,
    ]


def test_a_page_with_a_drawn_line_but_no_table_reads_as_pypdf_reads_it(tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "policy.pdf"
    path.write_bytes(text_pdf([BEFORE_TABLE, AFTER_TABLE], rule=True))
    assert read_document(path) == PdfReader(path).pages[0].extract_text().strip()


def test_a_pdf_table_question_quotes_its_row(tmp_path, settings, embedder):
    path = tmp_path / "policy.pdf"
    path.write_bytes(text_pdf([BEFORE_TABLE, AFTER_TABLE], table=ALLOWANCES))
    index = build_index([path], tmp_path / "index", settings=settings)
    citations = answer("What is the daily allowance in Tokyo?", index=index, settings=settings).citations
    # The row is quoted; the answer step ranks it after Oslo's today (the rows differ by the city alone).
    tokyo = [citation for citation in citations if "Tokyo" in citation.text]
    assert [citation.text for citation in tokyo] == ["City: Tokyo; Daily allowance: 120 EUR."]
    assert index.document_text(str(path))[tokyo[0].start : tokyo[0].end] == tokyo[0].text


def test_a_scanned_pdf_page_reads_by_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf([scanned_page([FRENCH])]))
    assert read_document(path) == FRENCH


def test_scanned_and_text_pages_keep_their_page_numbers(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in (text_pdf([BEFORE_TABLE]), image_only_pdf([scanned_page([FRENCH]), scanned_page([RUSSIAN])])):
        writer.append(PdfReader(io.BytesIO(part)))
    path = tmp_path / "mixed.pdf"
    with open(path, "wb") as file:
        writer.write(file)
    text = read_document(path)
    assert text.split("\n\f\n")[1:] == [FRENCH, RUSSIAN]
    assert location_of(path.name, text, text.index(BEFORE_TABLE)) == ("page", 1)
    assert location_of(path.name, text, text.index(RUSSIAN)) == ("page", 3)


def test_a_scanned_pdf_without_tesseract_says_it_has_no_text_layer(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a folder without language data
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf([scanned_page([FRENCH])]))
    with pytest.raises(DocumentError, match=r"scan\.pdf: has no text layer, and OCR \(Tesseract\) is not installed: "):
        read_document(path)


def test_a_broken_pdf_is_refused_as_not_readable(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF")
    with pytest.raises(DocumentError, match=r"broken\.pdf: not a readable PDF"):
        read_document(path)


@pytest.mark.parametrize(
    "lines, question",
    [
        (["Le phare de Kerbrat a été construit en 1888 par la compagnie du port.",
          "Sa lampe a été remplacée par une lampe électrique en 1936."],
         "Quand la lampe du phare a-t-elle été remplacée ?"),
        (["Маяк Кербрат построен в 1888 году портовой компанией.",
          "Его лампу заменили на электрическую в 1936 году."],
         "Когда заменили лампу маяка?"),
    ],
    ids=["french", "russian"],
)
def test_an_uploaded_scan_answers_a_question_with_an_exact_citation(lines, question, local):
    scan = local.corpus_dir.parent / "upload.bin"
    scan.write_bytes(image_only_pdf([scanned_page(lines)]))
    index = add_documents([scan], settings=local, names=["scan.pdf"])  # read in the sandbox
    source = str((local.upload_dir / "scan.pdf").resolve())
    citation = answer(question, index=index, settings=local).citations[0]
    assert "1936" in citation.text and citation.source == source
    assert index.document_text(source)[citation.start : citation.end] == citation.text


def test_a_question_on_a_wrapped_pdf_paragraph_quotes_the_whole_sentence(tmp_path, settings, embedder):
    report = (
        "2026 wird der Lesesaal renoviert. Die Arbeiten beginnen im Februar und kosten voraussichtlich "
        "185.000 Euro. Während der Bauzeit bleibt die Bibliothek geöffnet."
    )
    path = tmp_path / "jahresbericht.pdf"
    path.write_bytes(text_pdf([report]))
    assert "voraussichtlich\n185.000 Euro." in read_document(path)  # printed over two lines
    index = build_index([path], tmp_path / "index", settings=settings)
    citations = answer("Wie viel kostet die Renovierung des Lesesaals?", index=index, settings=settings).citations
    amount = [c for c in citations if "185.000" in c.text]
    assert [" ".join(c.text.split()) for c in amount] == [
        "Die Arbeiten beginnen im Februar und kosten voraussichtlich 185.000 Euro."
    ]
    assert all(index.document_text(c.source)[c.start : c.end] == c.text for c in amount)
