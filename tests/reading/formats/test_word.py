"""Word documents (.docx): paragraphs, headings and tables in document order."""

import io

import pytest

from qa.errors import DocumentError
from qa.reading.documents import read_document
from tests.files import W, word_document


def travel_policy() -> bytes:
    """A .docx written by python-docx: a heading, a paragraph, a table, a paragraph."""
    import docx

    document = docx.Document()
    document.add_heading("Travel allowances", level=1)
    document.add_paragraph("Staff on a mission abroad receive a daily allowance that depends on the city.")
    table = document.add_table(rows=4, cols=2)
    for row, values in zip(table.rows, [("City", "Daily allowance"), ("Tokyo", "120 EUR"), ("Oslo", "95 EUR"), ("Lima", "60 EUR")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_heading("Receipts", level=2)
    document.add_paragraph("Hotel receipts must be kept for five years.")
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def test_tables_are_read_where_they_stand_and_headings_stay_apart(tmp_path):
    path = tmp_path / "policy.docx"
    path.write_bytes(travel_policy())
    assert read_document(path) == (
        "Travel allowances\n\n"
        "Staff on a mission abroad receive a daily allowance that depends on the city.\n\n"
        "City: Tokyo; Daily allowance: 120 EUR.\n"
        "City: Oslo; Daily allowance: 95 EUR.\n"
        "City: Lima; Daily allowance: 60 EUR.\n\n"
        "Receipts\n\n"
        "Hotel receipts must be kept for five years."
    )


def test_a_merged_cell_gives_its_text_once_under_its_first_column(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["City", "Country", "Allowance"]):
        cell.text = value
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Tokyo, Japan"
    table.cell(1, 2).text = "120 EUR"
    path = tmp_path / "merged.docx"
    document.save(path)
    assert read_document(path) == "City: Tokyo, Japan; Allowance: 120 EUR."


@pytest.mark.parametrize(
    "question",
    ["What is the daily allowance in Tokyo?", "Quelle est l'indemnité journalière à Tokyo ?"],
)
def test_a_table_row_is_quoted_as_the_answer(tmp_path, first_citation, question):
    path = tmp_path / "policy.docx"
    path.write_bytes(travel_policy())
    citation = first_citation(path, question)
    assert citation.text == "City: Tokyo; Daily allowance: 120 EUR."


def test_a_word_document_with_broken_xml_is_a_document_error_naming_it(tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(word_document(f"<w:document {W}><w:body><w:p><w:r><w:t>cut here"))
    with pytest.raises(DocumentError, match="broken.docx: not a readable Word document"):
        read_document(broken)
