"""Spreadsheets (.xlsx, .ods, .csv): each sheet one section, each row one line.

Line *n* of a sheet's section is the sheet's row *n*, as a spreadsheet numbers it, from
row 1 to the last filled row: an empty row is an empty line, so
`qa.reading.documents.row_of` gives the row a citation is on by counting lines. The
table's header is the first row with two or more filled cells; every row below it reads
as "header: value" pairs through `table_text` ("City: Tokyo; Daily allowance: 120 EUR."),
the rows above it (a title, a note) as their cells, and its own line is empty. Empty
columns leave nothing behind. Values read as the sheet shows them: ``120`` not
``120.0``, a date ``2024-06-18``, a time ``09:30``, a percentage ``25%`` in an .xlsx
(an .ods cell gives its value only, so ``0.25``: its display formats are not applied).

Neither the sheet's name nor a line of the header's names is written: each would be a
short line of its own, and a short line is embedded with its neighbours
(`qa.storing.building`), so it matches a question about any of them better than the row
that answers. Measured on a two-sheet workbook (Allowances: City, Country, Daily
allowance; Mileage: Vehicle, Rate per km): with the sheet's name as its first line,
"What is the daily allowance in Tokyo?" quoted "Allowances" first and "How much is paid
per km for a motorbike?" the car's row; without it, both quote the row that answers
(and so does "Quelle est l'indemnité journalière à Tokyo ?"). The header's line, tried
first, was quoted first the same way.

Hidden sheets (hidden or "very hidden" in an .xlsx, hidden in an .ods) are not read and
are no section: a reader counts the sheets the spreadsheet program shows, and a hidden
sheet holds what its author kept out of sight (lookup lists, old versions, workings).

A workbook of more than `MAX_CELLS` filled cells is refused with a `DocumentError`
rather than read in part: indexing it would take longer than anyone waits (about
8,000 characters a second on a laptop CPU), and an index of its first rows would answer
"the documents don't say" about the rest.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from pathlib import Path

from qa.errors import DocumentError
from qa.reading.formats import plain
from qa.reading.formats.layout import PAGE_BREAK, table_text

# Filled cells read from one file at most (all its sheets together).
MAX_CELLS = 100_000
# The part of a CSV file its delimiter is guessed from.
_CSV_SAMPLE_CHARACTERS = 64 * 1024
_CSV_DELIMITERS = ",;\t|"


def read_xlsx(data: bytes, path: Path) -> str:
    """An Excel workbook's sheets (openpyxl, read-only: rows are streamed, not loaded).

    Formulas give the value Excel last computed (none if the file was never opened in a
    spreadsheet program).

    Raises:
        DocumentError: the file is not a workbook openpyxl can read, it has more than
            `MAX_CELLS` filled cells, or none in its visible sheets.

    Example:
        >>> import openpyxl
        >>> book = openpyxl.Workbook()
        >>> book.active.title = "Allowances"
        >>> for row in [("City", "Daily allowance"), ("Tokyo", 120)]:
        ...     book.active.append(row)
        >>> buffer = io.BytesIO()
        >>> book.save(buffer)
        >>> read_xlsx(buffer.getvalue(), Path("travel.xlsx"))
        '\\nCity: Tokyo; Daily allowance: 120.'
    """
    import warnings

    import openpyxl

    budget = _CellBudget(path)
    try:
        with warnings.catch_warnings():  # "no default style" and the like: nothing a reader can act on
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            try:
                sections = []
                for sheet in book.worksheets:
                    if sheet.sheet_state != "visible":  # "hidden" or "veryHidden"
                        budget.hidden_sheets += 1
                        continue
                    if hasattr(sheet, "reset_dimensions"):
                        # The size a file declares may be wrong (or a whole sheet wide): rows
                        # are read as they are, each as long as its last cell.
                        sheet.reset_dimensions()
                    rows = ([cell_text(c.value, c.number_format) for c in row] for row in sheet.iter_rows())
                    sections.append(_sheet_text(rows, budget))
            finally:
                book.close()
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # zip, XML and schema errors alike: a hostile file can raise anything
        raise DocumentError(
            f"{path}: not a readable Excel workbook (.xlsx) ({type(exc).__name__}: {exc}); "
            "save it again from a spreadsheet program as .xlsx."
        ) from None
    return _workbook_text(sections, budget)


def read_ods(data: bytes, path: Path) -> str:
    """An OpenDocument spreadsheet's sheets (python-calamine).

    calamine holds a workbook in memory while it is read, and its sheet is read whole
    before its cells are counted: a sheet of 5 million filled cells took 0.53 GB and
    1.7 s to be refused (measured, 2026-12-06). A crafted file that declares a huge
    repeated range is stopped by calamine's own limit of 100 million cells, and an
    upload by the reading sandbox's memory limit.

    Raises:
        DocumentError: the file is not a spreadsheet calamine can read, it has more
            than `MAX_CELLS` filled cells, or none in its visible sheets.
    """
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    budget = _CellBudget(path)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sections = []
        for sheet in book.sheets_metadata:
            if sheet.visible != SheetVisibleEnum.Visible:
                budget.hidden_sheets += 1
                continue
            sections.append(_sheet_text(_calamine_rows(book.get_sheet_by_name(sheet.name)), budget))
        book.close()
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # calamine's errors, zip and XML ones alike
        raise DocumentError(
            f"{path}: not a readable OpenDocument spreadsheet (.ods) ({type(exc).__name__}: {exc}); "
            "save it again from a spreadsheet program as .ods."
        ) from None
    return _workbook_text(sections, budget)


def read_csv(data: bytes, path: Path) -> str:
    """A CSV file as one sheet: its encoding as `plain.read` finds it, its delimiter
    (comma, semicolon, tab or bar) as CleverCSV finds it from the file's start.

    CleverCSV chooses the delimiter that makes the rows most alike (as many cells, of the
    same kinds); the standard library's `csv.Sniffer` counts each character line by line
    and prefers a comma on a tie, so it split "Ville;Indemnité (EUR, par jour)" /
    "Tokyo;120,50" at the commas: wrong on 28 of 500 made-up files (comma, semicolon with
    decimal commas, tab; quoted fields over several lines), against none for CleverCSV,
    which took at most 57 ms for one and 0.33 s for a 64 KiB sample (measured,
    2026-12-06). The quoting is the Sniffer's when it agrees on the delimiter, else the
    double quotes spreadsheet programs write.

    Raises:
        DocumentError: the file is not text, a field is too long for a CSV field
            (131,072 characters), or it has more than `MAX_CELLS` filled cells.

    Example:
        >>> read_csv("City;Daily allowance\\nTokyo;120 EUR\\n".encode(), Path("a.csv"))
        '\\nCity: Tokyo; Daily allowance: 120 EUR.'
    """
    text = plain.read(data, path).removeprefix("\ufeff")
    sample = text[:_CSV_SAMPLE_CHARACTERS]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only: a cut line would mislead the guess
    dialect = _csv_dialect(sample)
    budget = _CellBudget(path)
    try:
        section = _sheet_text(csv.reader(io.StringIO(text, newline=""), dialect), budget)
    except csv.Error as exc:
        raise DocumentError(
            f"{path}: not a readable CSV file ({exc}); save it again as CSV from a spreadsheet program."
        ) from None
    return _workbook_text([section], budget)


def _csv_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    import clevercsv

    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS)
    except csv.Error:  # one column, or no delimiter used consistently
        sniffed = csv.excel
    try:
        delimiter = clevercsv.Sniffer().sniff(sample, delimiters=list(_CSV_DELIMITERS)).delimiter
    except Exception:  # its errors are not part of its API; the Sniffer's guess stands
        return sniffed
    if len(delimiter) != 1 or delimiter not in _CSV_DELIMITERS or delimiter == sniffed.delimiter:
        return sniffed  # "": one column

    class Found(csv.excel):
        pass

    Found.delimiter = delimiter
    return Found


def cell_text(value: object, number_format: str = "General") -> str:
    """A cell's value as a person reads it in the sheet.

    Whole numbers without ``.0``; dates as ISO dates (with the time when it is not
    midnight); times as ``HH:MM``; a percentage format as a percentage; booleans as a
    spreadsheet shows them.

    Example:
        >>> [cell_text(v) for v in (120.0, 2.5, datetime.datetime(2024, 6, 18), True, None)]
        ['120', '2.5', '2024-06-18', 'TRUE', '']
        >>> cell_text(0.255, "0.0%")
        '25.5%'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, datetime.timedelta):
        minutes, seconds = divmod(round(value.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            return _number(value * 100) + "%"
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return f"{value:.15g}"  # 0.1 + 0.2 reads 0.3, as in a spreadsheet


def _calamine_rows(sheet) -> Iterable[list[str]]:
    """A calamine sheet's rows from row 1 and column A (what `skip_empty_area=False` asks for)."""
    for row in sheet.to_python(skip_empty_area=False):
        yield [cell_text(value) for value in row]


class _CellBudget:
    """Counts the filled cells read from a file and stops at `MAX_CELLS`."""

    def __init__(self, path: Path):
        self.path = path
        self.cells = 0
        self.hidden_sheets = 0  # skipped, not read: told of when nothing else is read

    def spend(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise DocumentError(
                f"{self.path}: has more than {MAX_CELLS:,} filled cells, more than qa indexes from one spreadsheet; "
                "split it into smaller files, or keep only the sheets and columns to ask about."
            )


def _sheet_text(rows: Iterable[list[str]], budget: _CellBudget) -> str:
    """One sheet's section: one line per row from row 1 to its last filled one.

    The header is the first row of two filled cells or more (its own line left empty); a
    one-column sheet has none, and each of its rows reads as its cell.
    """
    lines: list[str] = []
    header: list[str] | None = None
    filled_lines = 0
    for row in rows:
        cells = [" ".join(str(cell).split()) for cell in row]
        filled = sum(1 for cell in cells if cell)
        budget.spend(filled)
        if not filled:
            lines.append("")
            continue
        if header is None and filled >= 2:
            header = cells
            lines.append("")  # every row below names its columns
        elif header is None:
            lines.append(table_text([cells]))  # a title or a note above the table
        else:
            lines.append(table_text([header, cells]))
        filled_lines = len(lines)
    return "\n".join(lines[:filled_lines])


def _workbook_text(sections: list[str], budget: _CellBudget) -> str:
    if not budget.cells:
        if budget.hidden_sheets:
            raise DocumentError(
                f"{budget.path}: the spreadsheet has no filled cells in its visible sheets, and qa does not read "
                "hidden ones; unhide the sheets to ask about (or add cells to a visible one) and try again."
            )
        raise DocumentError(f"{budget.path}: the spreadsheet has no filled cells; add some and try again.")
    return PAGE_BREAK.join(sections)
