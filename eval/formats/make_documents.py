"""Write the documents of the mixed-format evaluation set, `eval/formats/questions.jsonl`.

Fourteen documents, one of each format qa reads (a PDF scan and a PNG photo of a notice,
read by OCR, among them), in English, French, German and Spanish:
workplace and household papers written for this set (no third-party text). Each is built
with the library an office would use to write it (python-docx, odfpy, EbookLib, openpyxl,
python-pptx, reportlab, the standard library's `email` and `csv`; the scans drawn with
Pillow as a 300 DPI scanner would give them), and the same bytes come
out of every run (fixed dates and archive timestamps), so `qa eval` reuses its cached index.

    .venv/bin/python eval/formats/make_documents.py /tmp/qa-formats-eval
    .venv/bin/qa eval eval/formats/questions.jsonl --docs /tmp/qa-formats-eval

`qa eval` then reports the figures by format (docs/formats.md). A document of a new format
is one entry of `DOCUMENTS` (its file name and a function returning its bytes) and its
questions in `questions.jsonl` (`document`: the file name); `scanned_pdf` and `png_image`
turn lines of text into a scan.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

# Every date a file records about itself (creation, modification, archive entries).
WRITTEN = datetime.datetime(2026, 1, 15, 9, 0, 0)


# --- English: a travel-allowance policy with a table (Word) ------------------------------

TRAVEL_POLICY = [
    ("heading", "Northwind Logistics: Travel Allowance Policy"),
    ("text", "This policy applies to all employees of Northwind Logistics who travel on company business, "
             "from 1 March 2026. It replaces the policy of January 2023."),
    ("heading", "1. Booking"),
    ("text", "Trains are preferred for journeys under 600 km. Flights must be booked through the travel desk "
             "at least 14 days before departure. Business class is allowed only for flights longer than 8 hours."),
    ("heading", "2. Daily allowances"),
    ("text", "The daily allowance covers meals and local transport. It is paid for each night away from home, "
             "at the rate of the city where the employee stays, as the table below shows. Hotels are booked by "
             "the travel desk within the ceiling of the city."),
    ("table", [
        ["City", "Daily allowance", "Hotel ceiling per night"],
        ["Berlin", "52 EUR", "140 EUR"],
        ["Paris", "58 EUR", "165 EUR"],
        ["London", "61 GBP", "180 GBP"],
        ["Tokyo", "9,500 JPY", "22,000 JPY"],
        ["New York", "78 USD", "260 USD"],
    ]),
    ("heading", "3. Mileage"),
    ("text", "Employees who use their private car are reimbursed 0.30 EUR per kilometre, up to 400 km per trip. "
             "Parking fees are refunded on receipt."),
    ("heading", "4. Claims"),
    ("text", "Expense claims must be submitted within 30 days of return, with the receipts, to the finance "
             "office (expenses@northwind.example). Claims submitted later are refunded only with the approval "
             "of the Head of Finance."),
    ("text", "Questions about this policy go to Ingrid Solberg, Head of Finance."),
]


def travel_policy_docx() -> bytes:
    import docx

    document = docx.Document()
    for kind, content in TRAVEL_POLICY:
        if kind == "heading":
            document.add_heading(content, level=1 if content[0].isdigit() else 0)
        elif kind == "text":
            document.add_paragraph(content)
        else:
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    properties = document.core_properties
    properties.author, properties.title = "Finance office", "Travel Allowance Policy"
    properties.created = properties.modified = WRITTEN
    properties.last_modified_by, properties.revision = "Finance office", 1
    return _saved(document)


# --- French: a recipe (OpenDocument text) ------------------------------------------------

RECIPE_TITLE = "Tarte aux pommes de Mamie Odette"
RECIPE_INTRO = "Pour 6 personnes. Préparation : 25 minutes. Cuisson : 40 minutes."
RECIPE_INGREDIENTS = [
    "250 g de farine",
    "125 g de beurre froid",
    "1 pincée de sel",
    "5 cl d'eau froide",
    "6 pommes reinettes",
    "50 g de sucre roux",
    "1 sachet de sucre vanillé",
    "2 cuillerées de confiture d'abricot",
]
RECIPE_STEPS = [
    "Mélangez la farine, le sel et le beurre coupé en dés du bout des doigts, jusqu'à obtenir un sable grossier.",
    "Ajoutez l'eau, formez une boule et laissez reposer la pâte 30 minutes au réfrigérateur.",
    "Préchauffez le four à 190 °C (thermostat 6-7).",
    "Étalez la pâte dans un moule de 28 cm de diamètre et piquez le fond à la fourchette.",
    "Épluchez les pommes, coupez-les en fines lamelles et disposez-les en rosace sur la pâte.",
    "Saupoudrez de sucre roux et de sucre vanillé, puis enfournez pour 40 minutes.",
    "À la sortie du four, badigeonnez la tarte de confiture d'abricot tiède pour la faire briller.",
]
RECIPE_TIP = (
    "Le conseil de Mamie : la tarte se garde deux jours sous une cloche, mais elle est bien meilleure tiède, "
    "avec une boule de glace à la vanille."
)


def recipe_odt() -> bytes:
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.meta.addElement(meta.Generator(text="eval/formats/make_documents.py"))
    document.meta.addElement(dc.Date(text=WRITTEN.isoformat()))
    document.text.addElement(text.H(outlinelevel=1, text=RECIPE_TITLE))
    document.text.addElement(text.P(text=RECIPE_INTRO))
    for title, lines in (("Ingrédients", RECIPE_INGREDIENTS), ("Préparation", RECIPE_STEPS)):
        document.text.addElement(text.H(outlinelevel=2, text=title))
        items = text.List()
        for line in lines:
            item = text.ListItem()
            item.addElement(text.P(text=line))
            items.addElement(item)
        document.text.addElement(items)
    document.text.addElement(text.P(text=RECIPE_TIP))
    data = io.BytesIO()
    document.write(data)
    return data.getvalue()


# --- English: a short book in three chapters (EPUB) --------------------------------------

BOOK_CHAPTERS = [
    ("Arrival", [
        "Marta Quill arrived on Gull Island on a grey morning in April 1952, carrying one suitcase and a letter "
        "from the Northern Lights Board.",
        "The island was two miles long and half a mile wide, and its only building was the lighthouse, painted in "
        "red and white bands. The previous keeper, an old man named Tobias Fenn, had retired after thirty-one "
        "years of service and left her a notebook of advice.",
    ]),
    ("The Storm", [
        "In the first week of November, a storm cut the island off for nine days. The supply boat, the "
        "Merriweather, could not land, and Marta lived on tinned sardines and the potatoes she had planted in "
        "the spring.",
        "On the fourth night the clockwork of the lamp stopped, and she turned the lens by hand until dawn: "
        "eleven hours without rest.",
    ]),
    ("The Garden", [
        "By her third summer Marta had built a walled garden on the lee side of the lighthouse, where she grew "
        "potatoes, kale and sweet peas. Visitors from the mainland came every August to see the sweet peas.",
        "The Board sent her a medal for the night of the storm. She kept the light until 1979, when the "
        "lighthouse was automated, and moved to the harbour town of Carrick.",
    ]),
]


def keeper_epub() -> bytes:
    import tempfile

    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("keeper-of-gull-island")
    book.set_title("The Keeper of Gull Island")
    book.set_language("en")
    book.add_author("Eleanor Pike")
    book.add_metadata("DC", "date", WRITTEN.date().isoformat())
    chapters = []
    for number, (title, paragraphs) in enumerate(BOOK_CHAPTERS, start=1):
        chapter = epub.EpubHtml(title=title, file_name=f"chapter{number}.xhtml", lang="en")
        chapter.content = f"<h1>Chapter {number}: {title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    with tempfile.TemporaryDirectory() as folder:  # EbookLib writes to a path
        path = Path(folder) / "book.epub"
        epub.write_epub(str(path), book, {"mtime": WRITTEN})
        return path.read_bytes()


# --- English: an e-mail announcing a meeting ---------------------------------------------

MEETING_BODY = """Dear colleagues,

The next staff meeting will take place on Thursday 12 February 2026 at 15:45 in the library (room B12).
We will present the new timetable for the summer term and vote on the date of the sports day.

Please bring your laptop, and send me your agenda items by Wednesday noon. Coffee and biscuits will be
provided by the parents' association. The meeting should finish by 17:00.

Best wishes,
Priya Raman
Deputy Head Teacher, Harbourview School
"""


def meeting_eml() -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage()
    message["Subject"] = "Staff meeting on Thursday 12 February: new timetable"
    message["From"] = "Priya Raman <priya.raman@harbourview-school.example>"
    message["To"] = "All staff <staff@harbourview-school.example>"
    message["Date"] = format_datetime(datetime.datetime(2026, 2, 9, 8, 15, tzinfo=datetime.timezone.utc))
    message["Message-ID"] = "<staff-meeting-2026-02-12@harbourview-school.example>"
    message.set_content(MEETING_BODY)
    return bytes(message)


# --- English: a household budget in two sheets (Excel) -----------------------------------

BUDGET = {
    "Income": [
        ["Source", "Monthly amount (EUR)", "Notes"],
        ["Salary (Anna)", 2850, "net, paid on the 25th"],
        ["Salary (Jonas)", 2410, "net, paid on the last working day"],
        ["Child benefit", 255, "for Lena"],
        ["Rental of the garage", 90, "paid by the neighbour, Mr Hartley"],
    ],
    "Expenses": [
        ["Category", "Monthly budget (EUR)", "Due date"],
        ["Rent", 1350, "1st of the month"],
        ["Electricity", 96, "15th of the month"],
        ["Groceries", 620, "weekly"],
        ["Car insurance", 48, "3rd of the month"],
        ["Internet and phone", 55, "20th of the month"],
        ["Childcare", 310, "1st of the month"],
        ["Savings for holidays", 200, "28th of the month"],
    ],
}


def budget_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in BUDGET.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.properties.creator = "Anna Becker"
    book.properties.created = book.properties.modified = WRITTEN
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


# --- Spanish: a staff list (OpenDocument spreadsheet) ------------------------------------

STAFF = [
    ["Nombre", "Puesto", "Departamento", "Extensión", "Fecha de incorporación"],
    ["Lucía Fernández Ortega", "Directora de oficina", "Administración", 201, datetime.date(2014, 3, 3)],
    ["Javier Morales Peña", "Contable", "Finanzas", 214, datetime.date(2019, 9, 16)],
    ["Carmen Ruiz Delgado", "Técnica de nóminas", "Recursos Humanos", 233, datetime.date(2021, 1, 11)],
    ["Andrés Gil Navarro", "Responsable de almacén", "Logística", 240, datetime.date(2017, 6, 5)],
    ["Beatriz Soler Campos", "Recepcionista", "Administración", 200, datetime.date(2023, 10, 2)],
    ["Tomás Herrera Vidal", "Ingeniero de sistemas", "Informática", 257, datetime.date(2020, 4, 20)],
]


def staff_ods() -> bytes:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    document.meta.addElement(meta.Generator(text="eval/formats/make_documents.py"))
    document.meta.addElement(dc.Date(text=WRITTEN.isoformat()))
    table = Table(name="Plantilla Valencia")
    for row in STAFF:
        table_row = TableRow()
        for value in row:
            if isinstance(value, datetime.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=str(value))
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    data = io.BytesIO()
    document.write(data)
    return data.getvalue()


# --- French: a hardware shop's price list (CSV, as a French spreadsheet exports it) ------

PRICES = [
    ["Référence", "Article", "Prix unitaire (€)", "Conditionnement"],
    ["QB-1012", "Vis à bois 4 x 40 mm", "6,90", "boîte de 200"],
    ["QB-1013", "Vis à bois 5 x 60 mm", "8,40", "boîte de 100"],
    ["QB-2040", "Chevilles nylon 8 mm", "4,20", "sachet de 50"],
    ["QB-3101", "Marteau de menuisier 500 g", "17,50", "à l'unité"],
    ["QB-3207", "Mètre ruban 5 m", "9,95", "à l'unité"],
    ["QB-4410", "Colle à bois D3 750 g", "12,30", "flacon"],
    ["QB-5002", "Gants de travail taille 9", "5,60", "la paire"],
    ["QB-6120", "Ampoule LED E27 806 lm", "3,75", "à l'unité"],
]


def prices_csv() -> bytes:
    data = io.StringIO()
    csv.writer(data, delimiter=";", lineterminator="\r\n").writerows(PRICES)
    return data.getvalue().encode("utf-8")


# --- English: a project's slides with speaker notes (PowerPoint) -------------------------

SLIDES = [
    {
        "title": "Project Falcon: moving the Leeds warehouse",
        "lines": ["Steering committee, 3 March 2026", "Presented by Owen Maddox, project manager"],
        "notes": ["Welcome everyone. Sarah from procurement cannot attend; she sent her figures in advance."],
    },
    {
        "title": "Why we are moving",
        "lines": [
            "The current lease ends on 30 September 2026",
            "The new site in Wakefield has 40% more floor space",
            "Two loading docks instead of one",
        ],
        "notes": ["If asked: the landlord refused to extend the lease beyond September, so there is no fallback."],
    },
    {
        "title": "Timeline",
        "table": [
            ["Phase", "Start", "End"],
            ["Fit-out of the new site", "6 April", "29 May"],
            ["Stock transfer", "1 June", "26 June"],
            ["Go-live", "29 June", "3 July"],
        ],
        "notes": ["The stock transfer happens in three waves, slowest-moving items first."],
    },
    {
        "title": "Budget and risks",
        "lines": ["Total budget: £1.2 million", "Main risk: the racking is delivered late", "Contingency: 8% of the budget"],
        "notes": [
            "The racking supplier, Steelway, has confirmed delivery for the week of 20 April, but it has been late "
            "twice before.",
            "Mention that the contingency was approved by the finance director on 24 February.",
        ],
    },
]


def project_pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for spec in SLIDES:
        slide = deck.slides.add_slide(deck.slide_layouts[5 if "table" in spec else 1])
        slide.shapes.title.text = spec["title"]
        if "lines" in spec:
            slide.placeholders[1].text_frame.text = "\n".join(spec["lines"])
        if "table" in spec:
            rows = spec["table"]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(1), Inches(2), Inches(8), Inches(3))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
        slide.notes_slide.notes_text_frame.text = "\n".join(spec["notes"])
    properties = deck.core_properties
    properties.author = properties.last_modified_by = "Owen Maddox"
    properties.title, properties.revision = "Project Falcon", 1
    properties.created = properties.modified = WRITTEN
    return _saved(deck)


# --- Spanish: a product's frequently asked questions (web page) --------------------------

FAQ = [
    ("¿Cada cuánto tiempo hay que descalcificar la cafetera?",
     "Recomendamos descalcificarla cada 300 tazas o, como mínimo, cada tres meses. La luz naranja del panel "
     "se enciende cuando toca hacerlo."),
    ("¿Qué capacidad tiene el depósito de agua?", "El depósito admite 1,8 litros, suficiente para unas doce tazas."),
    ("¿Cuánto dura la garantía?",
     "La garantía es de tres años desde la fecha de compra si registra el aparato en nuestra web; si no, de dos años."),
    ("¿Puedo usar café molido?",
     "Sí. Abra la tapa lateral y eche una cucharada rasa en el conducto de café molido; no use más de una "
     "cucharada por taza."),
    ("¿Cuánto consume en modo de espera?",
     "Menos de 0,5 W. La cafetera pasa a modo de espera tras 15 minutos sin uso."),
    ("¿Dónde puedo comprar filtros de repuesto?",
     "En nuestra tienda en línea o llamando al servicio de atención al cliente, 900 123 456, de lunes a viernes "
     "de 9:00 a 18:00."),
]


def faq_html() -> bytes:
    from html import escape

    entries = "\n".join(f"  <h2>{escape(q)}</h2>\n  <p>{escape(a)}</p>" for q, a in FAQ)
    page = f"""<!DOCTYPE html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <title>Preguntas frecuentes: cafetera Aurora 3000</title>
  <style>body {{ font-family: sans-serif; max-width: 40em; }}</style>
</head>
<body>
  <nav><a href="/">Inicio</a> | <a href="/soporte">Soporte</a></nav>
  <h1>Preguntas frecuentes: cafetera Aurora 3000</h1>
{entries}
  <footer>© 2026 Cafeteras Aurora S.L.</footer>
</body>
</html>
"""
    return page.encode("utf-8")


# --- English: a command-line tool's README (Markdown) ------------------------------------

README = """# tidepool

tidepool prints the tide times of British harbours in the terminal.

## Installation

tidepool needs Python 3.10 or later:

```
pip install tidepool
```

## Usage

```
tidepool --harbour Whitby --days 3
```

prints the high and low tides of Whitby for the next three days. Add `--metric` for heights in metres.

## Configuration

Your home harbour and preferred units go in `~/.config/tidepool/config.toml`.

## Data

Tide predictions come from the open data feed of the Coastal Observatory, refreshed every Sunday.

## Contributing

Run the tests with `make check` before opening a pull request.

## Licence

tidepool is released under the Apache License 2.0. It is maintained by Rhys Pritchard.
"""


def readme_md() -> bytes:
    return README.encode("utf-8")


# --- German: meeting minutes (plain text) ------------------------------------------------

MINUTES = """Protokoll der Sitzung des Elternbeirats der Grundschule am Lindenhof

Datum: 21. Januar 2026, 19:30 bis 21:10 Uhr
Ort: Lehrerzimmer
Anwesend: 9 von 11 Mitgliedern
Vorsitz: Herr Brandt
Protokoll: Frau Keller

TOP 1: Schulfest
Das Schulfest findet am Samstag, dem 27. Juni 2026, statt. Der Förderverein übernimmt die Getränke; die Klassen 3a und 3b organisieren den Kuchenverkauf.

TOP 2: Schulweg
Die Ampel an der Kastanienallee schaltet für Kinder zu schnell auf Rot. Herr Yilmaz schreibt bis Ende Februar einen Brief an das Ordnungsamt.

TOP 3: Finanzen
Der Kassenstand beträgt 1.840 Euro. Für neue Bälle und Springseile werden 260 Euro bewilligt (einstimmig).

TOP 4: Verschiedenes
Die nächste Sitzung findet am 18. März 2026 statt.
"""


def minutes_txt() -> bytes:
    return MINUTES.encode("utf-8")


# --- German: an annual report with a table, two pages (PDF) ------------------------------

REPORT_TITLE = "Jahresbericht 2025 der Stadtbibliothek Hohenwarth"
REPORT_FIRST_PAGE = [
    "Im Jahr 2025 zählte die Stadtbibliothek Hohenwarth 48.310 Besuche, 6 % mehr als im Vorjahr. "
    "Die Zahl der aktiven Leserinnen und Leser stieg auf 5.127.",
    "Seit dem 1. Juli ist die Bibliothek auch sonntags von 13 bis 17 Uhr geöffnet.",
    "Die Ausleihen nach Medienart:",
]
REPORT_TABLE = [
    ["Medienart", "Ausleihen 2024", "Ausleihen 2025"],
    ["Bücher", "71.450", "73.980"],
    ["E-Books", "18.200", "24.615"],
    ["Hörbücher", "6.930", "7.110"],
    ["Brettspiele", "1.240", "2.055"],
]
REPORT_SECOND_PAGE = [
    "Veranstaltungen",
    "Die Bibliothek bot 212 Veranstaltungen an, darunter 64 Lesungen für Kinder. Das erfolgreichste Angebot "
    "war das Repair-Café, das jeden ersten Samstag im Monat stattfindet.",
    "Ausblick",
    "2026 wird der Lesesaal renoviert. Die Arbeiten beginnen im Februar und kosten voraussichtlich 185.000 Euro.",
    "Leiterin der Bibliothek: Dr. Hanna Vogt",
]


def report_pdf() -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    table = Table(REPORT_TABLE)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    flow = [Paragraph(REPORT_TITLE, styles["Title"])]
    flow += [Paragraph(p, styles["BodyText"]) for p in REPORT_FIRST_PAGE]
    flow += [table, PageBreak()]
    for p in REPORT_SECOND_PAGE:
        flow.append(Paragraph(p, styles["Heading2"] if len(p) < 20 else styles["BodyText"]))
    data = io.BytesIO()
    # invariant: no creation date nor random document id, the same bytes every run
    SimpleDocTemplate(data, pagesize=A4, title=REPORT_TITLE, author="Dr. Hanna Vogt", invariant=1).build(flow)
    return data.getvalue()


# --- French: a letter from the building's managing agent, scanned (PDF without text) ----

WORKS_LETTER = [
    "Syndic Dupré & Fils",
    "14, rue des Tanneurs",
    "69002 Lyon",
    "",
    "Lyon, le 5 janvier 2026",
    "",
    "Objet : ravalement de la façade de la résidence Les Tilleuls",
    "",
    "Madame, Monsieur,",
    "",
    "Nous vous informons que le ravalement de la façade de la résidence",
    "Les Tilleuls commencera le lundi 2 mars 2026 et durera environ",
    "huit semaines.",
    "",
    "Un échafaudage sera installé côté rue. Les balcons devront être",
    "entièrement vidés avant le 27 février 2026.",
    "",
    "Le coût des travaux, voté en assemblée générale le 18 novembre 2025,",
    "s'élève à 86 400 euros, répartis selon les tantièmes de chaque lot.",
    "",
    "Pour toute question, contactez M. Lucas Berthier au 04 72 10 33 58.",
    "",
    "Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",
    "",
    "Le syndic",
]


def works_letter_scan() -> bytes:
    return scanned_pdf([WORKS_LETTER], tilt=0.4)


# --- Spanish: a notice at a swimming pool, photographed (PNG) ----------------------------

POOL_NOTICE = [
    "POLIDEPORTIVO MUNICIPAL SAN ROQUE",
    "Piscina cubierta: horario de invierno 2025-2026",
    "",
    "Lunes a viernes: de 7:00 a 22:00",
    "Sábados: de 9:00 a 20:00",
    "Domingos y festivos: de 9:00 a 14:00",
    "",
    "Entrada individual: 4,50 euros.",
    "Bono de 10 baños: 38 euros.",
    "Es obligatorio el uso de gorro de baño.",
    "Los menores de 14 años deben venir acompañados de un adulto.",
    "La piscina cerrará por mantenimiento del 22 al 28 de diciembre.",
]


def pool_notice_png() -> bytes:
    return png_image(POOL_NOTICE)


# --- Scans ---------------------------------------------------------------------------------

# Debian's fonts-dejavu-core; Noto Sans CJK (fonts-noto-cjk, which `make test` installs) else.
_SCAN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _page_image(lines: list[str], tilt: float = 0.0):
    """An A4 page at 300 DPI with ``lines`` typed in 12 pt, as a scanner gives it, turned
    by ``tilt`` degrees (a sheet laid a little askew)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(next(f for f in _SCAN_FONTS if Path(f).is_file()), 50)
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((250, 250 + 75 * number), line, fill=0, font=font)
    return page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255) if tilt else page


def scanned_pdf(pages: list[list[str]], tilt: float = 0.0) -> bytes:
    """A PDF of page images without a text layer: a scan."""
    images = [_page_image(lines, tilt) for lines in pages]
    data = io.BytesIO()
    stamp = WRITTEN.timetuple()
    images[0].save(data, "PDF", resolution=300.0, save_all=True, append_images=images[1:], creationDate=stamp, modDate=stamp)
    return data.getvalue()


def png_image(lines: list[str]) -> bytes:
    """A photographed or scanned page as a PNG."""
    data = io.BytesIO()
    _page_image(lines).save(data, "PNG")
    return data.getvalue()


# --- The set ------------------------------------------------------------------------------

# Each document of the set: its file name (the `document` of its questions) and its bytes.
DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "travel-allowance-policy.docx": travel_policy_docx,
    "tarte-aux-pommes.odt": recipe_odt,
    "keeper-of-gull-island.epub": keeper_epub,
    "staff-meeting.eml": meeting_eml,
    "household-budget-2026.xlsx": budget_xlsx,
    "plantilla-valencia.ods": staff_ods,
    "tarifs-quincaillerie.csv": prices_csv,
    "project-falcon.pptx": project_pptx,
    "aurora-3000-faq.html": faq_html,
    "README.md": readme_md,
    "protokoll-elternbeirat.txt": minutes_txt,
    "jahresbericht-bibliothek.pdf": report_pdf,
    "avis-travaux-scan.pdf": works_letter_scan,
    "horario-piscina.png": pool_notice_png,
}


def _saved(document) -> bytes:
    """A python-docx or python-pptx document's bytes."""
    data = io.BytesIO()
    document.save(data)
    return _stable_zip(data.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same archive with every entry dated `WRITTEN`, so a run writes the same bytes
    (openpyxl stamps the time of saving in docProps/core.xml whatever the workbook says)."""
    import re

    stamp = WRITTEN.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=WRITTEN.timetuple()[:6])
            entry.compress_type = item.compress_type
            entry.external_attr = item.external_attr
            content = source.read(item)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            archive.writestr(entry, content)
    return out.getvalue()


def write_documents(folder: str | Path) -> list[Path]:
    """Write every document of `DOCUMENTS` into ``folder`` (made if missing); returns their paths.

    Example:
        >>> import tempfile
        >>> [p.name for p in write_documents(tempfile.mkdtemp())][:2]
        ['travel-allowance-policy.docx', 'tarte-aux-pommes.odt']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in DOCUMENTS.items():
        data = build()
        if name.endswith((".odt", ".ods", ".xlsx", ".epub")):
            data = _stable_zip(data)
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the documents (made if missing)")
    args = parser.parse_args()
    for path in write_documents(args.folder):
        print(f"{path}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
