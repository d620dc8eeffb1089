"""OpenDocument texts (.odt): headings, paragraphs, lists and tables in document order."""

import pytest

from qa.errors import DocumentError
from qa.reading.documents import read_document


def museum_guide(path):
    """An .odt written by odfpy: a heading, a paragraph with a footnote and a line break,
    a table with a header row, a list."""
    from odf import table, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.text.addElement(text.H(outlinelevel=1, text="Visiting the museum"))
    paragraph = text.P(text="The museum stands on the old harbour.")
    note = text.Note(noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="Rebuilt in 1952."))
    note.addElement(body)
    paragraph.addElement(note)
    paragraph.addElement(text.LineBreak())
    paragraph.addText("Its collection holds 4,000 maps.")
    document.text.addElement(paragraph)
    grid = table.Table(name="Hours")
    header = table.TableHeaderRows()
    grid.addElement(header)
    for i, values in enumerate([("Day", "Opening hours"), ("Monday", "closed"), ("Saturday", "9:00 to 18:00")]):
        row = table.TableRow()
        (header if i == 0 else grid).addElement(row)
        for value in values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
    document.text.addElement(grid)
    items = text.List()
    for value in ("Guided tours start at the entrance hall.", "Photographs are allowed without flash."):
        item = text.ListItem()
        item.addElement(text.P(text=value))
        items.addElement(item)
    document.text.addElement(items)
    document.save(str(path))
    return path


def test_headings_paragraphs_tables_and_lists_are_read_in_order(tmp_path):
    assert read_document(museum_guide(tmp_path / "guide.odt")) == (
        "Visiting the museum\n\n"
        "The museum stands on the old harbour.\nIts collection holds 4,000 maps.\n\n"
        "Day: Monday; Opening hours: closed.\n"
        "Day: Saturday; Opening hours: 9:00 to 18:00.\n\n"
        "Guided tours start at the entrance hall.\n\n"
        "Photographs are allowed without flash."
    )


def test_a_question_is_answered_from_a_table_row(tmp_path, first_citation):
    citation = first_citation(museum_guide(tmp_path / "guide.odt"), "When does the museum open on Saturday?")
    assert citation.text == "Day: Saturday; Opening hours: 9:00 to 18:00."


def test_a_broken_odt_is_a_document_error_naming_it(tmp_path):
    broken = tmp_path / "broken.odt"
    broken.write_bytes(museum_guide(tmp_path / "guide.odt").read_bytes()[:400])
    with pytest.raises(DocumentError, match="broken.odt: not a readable OpenDocument text"):
        read_document(broken)


def test_a_spreadsheet_named_odt_is_refused_as_no_text_document(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet

    path = tmp_path / "sheet.odt"
    OpenDocumentSpreadsheet().save(str(path))
    with pytest.raises(DocumentError, match="sheet.odt: an OpenDocument file but not a text document"):
        read_document(path)
