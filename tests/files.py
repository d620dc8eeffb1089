"""Files built for tests: Word documents with chosen XML, well-formed or not."""

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def word_document(document_xml) -> bytes:
    """A .docx whose word/document.xml is ``document_xml`` (str, bytes, or an iterable of bytes blocks)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        if isinstance(document_xml, (str, bytes)):
            archive.writestr("word/document.xml", document_xml)
        else:
            with archive.open("word/document.xml", "w", force_zip64=True) as part:
                for block in document_xml:
                    part.write(block)
    return data.getvalue()


def paragraphs_bomb(megabytes: int) -> bytes:
    """A small .docx whose XML unpacks to ``megabytes`` MB of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>Zanthe</w:t></w:r></w:p>" * 25_000  # 1 MB
    blocks = [f"<w:document {W}><w:body>".encode(), *[paragraph] * megabytes, b"</w:body></w:document>"]
    return word_document(blocks)


def xlsx_workbook(sheets: dict[str, list[list]], number_formats: dict[tuple[str, str], str] | None = None) -> bytes:
    """An .xlsx (openpyxl) of sheets by name, each a list of rows from row 1 (None: an empty cell).

    ``number_formats``: a cell's display format by (sheet, coordinate), e.g. ("Rates", "B2"): "0%".
    """
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
    for (name, coordinate), number_format in (number_formats or {}).items():
        book[name][coordinate].number_format = number_format
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def ods_spreadsheet(sheets: dict[str, list[list]]) -> bytes:
    """An .ods (odfpy) of sheets by name, each a list of rows from row 1 (None: an empty cell;
    booleans, numbers, dates and datetimes as typed cells)."""
    import datetime

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                if value is None:
                    cell = TableCell()
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
                elif isinstance(value, datetime.date):  # datetimes too
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=str(value))
                else:
                    cell = TableCell(valuetype="string")
                if value is not None:
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    data = io.BytesIO()
    document.write(data)
    return data.getvalue()


def pptx_presentation(slides: list[dict]) -> bytes:
    """A .pptx (python-pptx) of slides, each a dict with any of: "title", "lines" (the body's
    paragraphs), "table" (rows of cell text), "notes" (the speaker notes' paragraphs)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for spec in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[5 if "table" in spec else 1 if "lines" in spec else 6])
        if "title" in spec and slide.shapes.title is not None:
            slide.shapes.title.text = spec["title"]
        if "lines" in spec:
            slide.placeholders[1].text_frame.text = "\n".join(spec["lines"])
        if "table" in spec:
            rows = spec["table"]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(1), Inches(2), Inches(8), Inches(3))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
        if "notes" in spec:
            slide.notes_slide.notes_text_frame.text = "\n".join(spec["notes"])
    data = io.BytesIO()
    deck.save(data)
    return data.getvalue()


def xlsx_of_many_rows(rows: int) -> bytes:
    """A small .xlsx whose one sheet has ``rows`` rows of two filled cells, its XML
    streamed into the archive (openpyxl would take minutes to write a million rows)."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_workbook({"Log": [["x"]]})))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, template.read(item))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<dimension ref="A1:B%d"/><sheetData>' % rows  # as Excel writes it (without it openpyxl reads all to size it)
            )
            for start in range(1, rows + 1, 10_000):
                part.write(
                    b"".join(
                        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>event</t></is></c><c r="B%d"><v>%d</v></c></row>'
                        % (r, r, r, r)
                        for r in range(start, min(start + 10_000, rows + 1))
                    )
                )
            part.write(b"</sheetData></worksheet>")
    return data.getvalue()


# Noto Sans CJK (Debian's fonts-noto-cjk, which `make test` and CI install) draws Latin,
# Cyrillic and CJK text alike.
SCAN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def scanned_page(lines: list[str]):
    """A page image as a 300 DPI scanner makes it: ``lines`` in 12 pt black type on white."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(SCAN_FONT, 50)
    page = Image.new("L", (2480, 300 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((200, 150 + 80 * number), line, font=font, fill=0)
    return page


def image_only_pdf(pages) -> bytes:
    """A PDF of page images and no text layer, as a scanner saves it (Pillow)."""
    data = io.BytesIO()
    pages[0].save(data, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    return data.getvalue()


def text_pdf_pages(pages: list[str]) -> bytes:
    """A PDF with a text layer (reportlab), one page per item of ``pages``, each that one line."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    data = io.BytesIO()
    pdf = canvas.Canvas(data, pagesize=A4)
    for line in pages:
        pdf.drawString(72, 770, line)
        pdf.showPage()
    pdf.save()
    return data.getvalue()
