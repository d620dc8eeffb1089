import datetime

import pytest

from qa import answer, build_index
from qa.errors import DocumentError
from qa.reading.documents import location_of, read_document, row_of
from qa.reading.formats.layout import PAGE_BREAK
from qa.storing.collection import add_documents, default_index
from qa.storing.storage import CURRENT_FILE
from tests.files import ods_spreadsheet, xlsx_of_many_rows, xlsx_workbook

ALLOWANCES = [
    ["City", "Daily allowance"],
    ["Paris", "95 EUR"],
    ["Tokyo", "120 EUR"],
    ["New York", "110 EUR"],
    ["Nairobi", "60 EUR"],
]
# Rows of 40 characters or more: a shorter sentence is embedded with its neighbours
# (qa.storing.index.SHORT_SENTENCE_CHARS), so a question about a short row may quote the next.
MILEAGE = [["Vehicle", "Rate per kilometre"], ["Private car", "0.30 EUR"], ["Motorbike or scooter", "0.20 EUR"]]
# A title above the table, an empty row, an empty first column, typed values.
TYPED = [
    ["Travel allowances 2024"],
    [],
    [None, "City", "Allowance", "Since", "Updated", "Paid"],
    [None, "Tokyo", 120.0, datetime.datetime(2024, 6, 18), datetime.datetime(2024, 6, 18, 9, 30), True],
    [],
    [None, "Oslo", 95.5, datetime.datetime(2024, 1, 2), None, False],
]
TYPED_TEXT = (
    "Travel allowances 2024.\n"
    "\n"
    "\n"  # the header's row
    "City: Tokyo; Allowance: 120; Since: 2024-06-18; Updated: 2024-06-18 09:30; Paid: TRUE.\n"
    "\n"
    "City: Oslo; Allowance: 95.5; Since: 2024-01-02; Paid: FALSE."
)


def test_each_row_of_a_workbook_reads_as_header_value_pairs(tmp_path):
    path = tmp_path / "travel.xlsx"
    path.write_bytes(xlsx_workbook({"Allowances": ALLOWANCES}))
    assert read_document(path) == (
        "\n"
        "City: Paris; Daily allowance: 95 EUR.\n"
        "City: Tokyo; Daily allowance: 120 EUR.\n"
        "City: New York; Daily allowance: 110 EUR.\n"
        "City: Nairobi; Daily allowance: 60 EUR."
    )


def test_workbook_values_read_as_the_sheet_shows_them_and_empty_rows_and_columns_leave_nothing(tmp_path):
    path = tmp_path / "typed.xlsx"
    path.write_bytes(xlsx_workbook({"Typed": TYPED}))
    assert read_document(path) == TYPED_TEXT


def test_a_percentage_cell_of_a_workbook_reads_as_a_percentage(tmp_path):
    path = tmp_path / "rates.xlsx"
    path.write_bytes(xlsx_workbook({"Rates": [["Country", "VAT"], ["France", 0.2], ["Hungary", 0.27]]}, {
        ("Rates", "B2"): "0%", ("Rates", "B3"): "0.0%"
    }))
    assert read_document(path) == "\nCountry: France; VAT: 20%.\nCountry: Hungary; VAT: 27%."


def test_an_opendocument_spreadsheet_reads_as_a_workbook_does(tmp_path):
    path = tmp_path / "typed.ods"
    path.write_bytes(ods_spreadsheet({"Typed": TYPED}))
    assert read_document(path) == TYPED_TEXT


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_each_sheet_is_a_section_and_each_line_the_row_a_spreadsheet_shows(tmp_path, suffix):
    path = tmp_path / f"travel{suffix}"
    make = xlsx_workbook if suffix == ".xlsx" else ods_spreadsheet
    path.write_bytes(make({"Allowances": ALLOWANCES, "Empty": [], "Mileage": [[], *MILEAGE]}))
    text = read_document(path)
    assert text.split(PAGE_BREAK)[1:] == [
        "",
        "\n\nVehicle: Private car; Rate per kilometre: 0.30 EUR.\nVehicle: Motorbike or scooter; Rate per kilometre: 0.20 EUR.",
    ]
    motorbike = text.index("Motorbike")
    assert location_of(path.name, text, motorbike) == ("sheet", 3)
    assert row_of(path.name, text, motorbike) == 4  # an empty row 1, the header row 2
    tokyo = text.index("Tokyo")
    assert (location_of(path.name, text, tokyo), row_of(path.name, text, tokyo)) == (("sheet", 1), 3)


def test_a_csv_files_delimiter_and_legacy_encoding_are_recognised(tmp_path):
    path = tmp_path / "allowances.csv"
    path.write_bytes("Ville;Indemnité journalière\r\nQuébec;95,5 €\r\nSão Paulo;80 €\r\n".encode("cp1252"))
    assert read_document(path) == (
        "\nVille: Québec; Indemnité journalière: 95,5 €.\nVille: São Paulo; Indemnité journalière: 80 €."
    )


def test_a_quoted_csv_field_over_two_lines_is_one_cell_of_one_row(tmp_path):
    path = tmp_path / "allowances.csv"
    path.write_text('City,Daily allowance,Note\nTokyo,120 EUR,"Meals\nincluded"\nOslo,105 EUR,None\n', encoding="utf-8")
    text = read_document(path)
    assert text == (
        "\nCity: Tokyo; Daily allowance: 120 EUR; Note: Meals included.\nCity: Oslo; Daily allowance: 105 EUR; Note: None."
    )
    assert row_of(path.name, text, text.index("Oslo")) == 3


def test_a_csv_files_empty_lines_keep_the_rows_numbered_as_a_spreadsheet_shows_them(tmp_path):
    path = tmp_path / "allowances.csv"
    path.write_text("City\tDaily allowance\nParis\t95 EUR\n\nTokyo\t120 EUR\n", encoding="utf-8")
    text = read_document(path)
    assert text == "\nCity: Paris; Daily allowance: 95 EUR.\n\nCity: Tokyo; Daily allowance: 120 EUR."
    assert row_of(path.name, text, text.index("Tokyo")) == 4


def test_a_one_column_csv_reads_each_row_as_its_cell(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text("Cities visited\nTokyo\nOslo\n", encoding="utf-8")
    assert read_document(path) == "Cities visited.\nTokyo.\nOslo."


def test_a_sheet_of_a_million_rows_is_refused_by_its_cells_without_reading_it_whole(tmp_path):
    from qa.reading.sandbox import read_document_isolated

    path = tmp_path / "log.xlsx"
    path.write_bytes(xlsx_of_many_rows(1_000_000))
    # Within 300 MB, interpreter and libraries included: the rows are streamed, not held.
    with pytest.raises(DocumentError, match="log.xlsx: has more than 100,000 filled cells.*split it"):
        read_document_isolated(path, name="log.xlsx", timeout_s=120, memory_mb=300)


def test_an_opendocument_spreadsheet_past_the_cell_limit_is_refused(tmp_path):
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Big")
    row = TableRow(numberrowsrepeated=50_001)  # one row written, 50,001 read: 100,002 filled cells
    for value in ("event", "1"):
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=value))
        row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    data = io.BytesIO()
    document.write(data)
    path = tmp_path / "big.ods"
    path.write_bytes(data.getvalue())
    with pytest.raises(DocumentError, match="big.ods: has more than 100,000 filled cells"):
        read_document(path)


def test_a_csv_file_past_the_cell_limit_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("event,count\n" + "event,1\n" * 50_000, encoding="utf-8")
    with pytest.raises(DocumentError, match="big.csv: has more than 100,000 filled cells"):
        read_document(path)


def test_a_spreadsheet_without_filled_cells_is_refused(tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(xlsx_workbook({"One": [], "Two": [[None, None]]}))
    with pytest.raises(DocumentError, match="blank.xlsx: the spreadsheet has no filled cells"):
        read_document(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "broken.xlsx: not a readable Excel workbook"),
        ("text.xlsx", b"City,Daily allowance\nTokyo,120 EUR\n", "text.xlsx: not a readable Excel workbook"),
        ("broken.ods", b"PK\x03\x04 not a spreadsheet", "broken.ods: not a readable OpenDocument spreadsheet"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary.csv: looks like a binary file"),
        ("huge-field.csv", b'a,b\n"' + b"x" * 200_000 + b'",1\n', "huge-field.csv: not a readable CSV file"),
    ],
)
def test_a_bad_spreadsheet_upload_is_refused_by_name_and_changes_nothing(tmp_path, local, name, content, message):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        add_documents([path], settings=local, names=[name])
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not any(local.upload_dir.iterdir())


@pytest.fixture(scope="module")
def travel_index(tmp_path_factory, settings, embedder):
    folder = tmp_path_factory.mktemp("sheets")
    paths = {
        ".xlsx": folder / "travel.xlsx",
        ".ods": folder / "mileage.ods",
        ".csv": folder / "hotels.csv",
    }
    paths[".xlsx"].write_bytes(xlsx_workbook({"Allowances": ALLOWANCES}))
    paths[".ods"].write_bytes(ods_spreadsheet({"Mileage": MILEAGE}))
    paths[".csv"].write_text(
        "Hotel;Town;Price per night\nGrand Hotel Sapporo;Sapporo;180 EUR\nHotel Bristol;Oslo;210 EUR\n", encoding="utf-8"
    )
    return build_index(list(paths.values()), tmp_path_factory.mktemp("sheets-index"), settings=settings), paths


@pytest.mark.parametrize(
    ("suffix", "question", "cited", "row"),
    [
        (".xlsx", "What is the daily allowance in Tokyo?", "City: Tokyo; Daily allowance: 120 EUR.", 3),
        (".xlsx", "Quelle est l'indemnité journalière à Tokyo ?", "City: Tokyo; Daily allowance: 120 EUR.", 3),
        (".ods", "How much is paid per kilometre for a motorbike?", "Vehicle: Motorbike or scooter; Rate per kilometre: 0.20 EUR.", 3),
        (".csv", "How much does a night at the Hotel Bristol cost?", "Hotel: Hotel Bristol; Town: Oslo; Price per night: 210 EUR.", 3),
    ],
)
def test_a_question_about_a_table_cell_is_answered_by_its_row_quoted_exactly(travel_index, settings, suffix, question, cited, row):
    index, paths = travel_index
    result = answer(question, index=index, settings=settings)
    citation = result.citations[0]
    assert citation.source == str(paths[suffix])
    assert citation.text == cited
    text = index.document_text(citation.source)
    assert text[citation.start : citation.end] == citation.text
    assert row_of(citation.source, text, citation.start) == row


def xlsx_with_sheet_states(states: dict[str, str]) -> bytes:
    """An .xlsx (openpyxl) of sheets by name, each in its state ("visible", "hidden",
    "veryHidden"), each with a header and one row that names it. openpyxl refuses to
    save a workbook without a visible sheet, so such a one is written with a visible
    sheet and that sheet hidden in its workbook.xml afterwards (as other programs write it)."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    all_hidden = "visible" not in states.values()
    for name, state in states.items():
        sheet = book.create_sheet(name)
        sheet.append(["Sheet", "Content"])
        sheet.append([name, f"the rows of {name}"])
        sheet.sheet_state = state
    if all_hidden:
        book.worksheets[0].sheet_state = "visible"
    data = io.BytesIO()
    book.save(data)
    if not all_hidden:
        return data.getvalue()
    first = next(iter(states))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                assert content.count(b'state="visible"') == 1  # the first sheet's
                content = content.replace(b'state="visible"', f'state="{states[first]}"'.encode())
            target.writestr(item, content)
    return rewritten.getvalue()


def ods_with_a_hidden_sheet(names_and_hidden: dict[str, bool]) -> bytes:
    """An .ods (odfpy) of sheets by name, hidden ones by a table style of display="false"
    (as LibreOffice's Hide Sheet writes it), each with a header and one row that names it."""
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    hidden = Style(name="HiddenSheet", family="table")
    hidden.addElement(TableProperties(display="false"))
    document.automaticstyles.addElement(hidden)
    for name, is_hidden in names_and_hidden.items():
        table = Table(name=name, stylename=hidden) if is_hidden else Table(name=name)
        for values in (["Sheet", "Content"], [name, f"the rows of {name}"]):
            row = TableRow()
            for value in values:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                row.addElement(cell)
            table.addElement(row)
        document.spreadsheet.addElement(table)
    data = io.BytesIO()
    document.write(data)
    return data.getvalue()


def test_hidden_and_very_hidden_sheets_of_a_workbook_are_not_read_nor_counted(tmp_path):
    from qa.reading.documents import sections_of

    path = tmp_path / "budget.xlsx"
    path.write_bytes(
        xlsx_with_sheet_states({"Summary": "visible", "Lookup": "hidden", "Workings": "veryHidden", "Detail": "visible"})
    )
    text = read_document(path)
    assert text == PAGE_BREAK.join(
        ["\nSheet: Summary; Content: the rows of Summary.", "\nSheet: Detail; Content: the rows of Detail."]
    )
    assert sections_of(path.name, text) == ("sheet", 2)


def test_hidden_sheets_of_an_opendocument_spreadsheet_are_not_read_nor_counted(tmp_path):
    from qa.reading.documents import sections_of

    path = tmp_path / "budget.ods"
    path.write_bytes(ods_with_a_hidden_sheet({"Summary": False, "Lookup": True, "Detail": False}))
    text = read_document(path)
    assert text == PAGE_BREAK.join(
        ["\nSheet: Summary; Content: the rows of Summary.", "\nSheet: Detail; Content: the rows of Detail."]
    )
    assert sections_of(path.name, text) == ("sheet", 2)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_spreadsheet_whose_every_sheet_is_hidden_is_refused_as_empty_saying_so(tmp_path, suffix):
    path = tmp_path / f"lookup{suffix}"
    if suffix == ".xlsx":
        path.write_bytes(xlsx_with_sheet_states({"Lookup": "hidden", "Workings": "veryHidden"}))
    else:
        path.write_bytes(ods_with_a_hidden_sheet({"Lookup": True, "Workings": True}))
    with pytest.raises(DocumentError, match=f"lookup{suffix}: the spreadsheet has no filled cells in its visible sheets.*unhide"):
        read_document(path)


@pytest.mark.parametrize(
    ("content", "tokyo"),
    [
        ("Ville;Indemnité\nTokyo;120,50\nOslo;95,00\n", "Ville: Tokyo; Indemnité: 120,50."),
        # A comma in the header too: csv.Sniffer finds commas as often as semicolons on every line, and takes the comma.
        ("Ville;Indemnité (EUR, par jour)\nTokyo;120,50\nOslo;95,00\n", "Ville: Tokyo; Indemnité (EUR, par jour): 120,50."),
        # Quoted notes over two lines, with commas.
        ('Ville;Indemnité;Note\nTokyo;120,50;"Repas, taxis,\nhôtel, vols"\nOslo;95,00;"Repas, taxis"\n', "Ville: Tokyo; Indemnité: 120,50; Note: Repas, taxis, hôtel, vols."),
    ],
)
def test_a_semicolon_csv_with_decimal_commas_is_split_at_its_semicolons(tmp_path, content, tokyo):
    path = tmp_path / "indemnites.csv"
    path.write_text(content, encoding="utf-8")
    lines = read_document(path).split("\n")
    assert lines[1] == tokyo
    assert lines[-1].startswith("Ville: Oslo; Indemnité") and "95,00" in lines[-1]


def test_a_comma_csv_with_semicolons_in_its_text_is_split_at_its_commas(tmp_path):
    path = tmp_path / "allowances.csv"
    path.write_text("City,Daily allowance,Note\nTokyo,120.50,Meals; taxis\nOslo,95.00,Rent; food\n", encoding="utf-8")
    assert read_document(path) == (
        "\nCity: Tokyo; Daily allowance: 120.50; Note: Meals; taxis.\nCity: Oslo; Daily allowance: 95.00; Note: Rent; food."
    )
