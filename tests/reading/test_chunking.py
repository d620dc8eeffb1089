import pytest

from qa.reading.chunking import chunk_document, split_sentences
from tests.conftest import SEED


def test_sentence_split_survives_closing_quote_glued_to_next_sentence():
    text = "Il l’a dit à l’agence de presse.”Les 18 et 19 juin, il ira à Pyongyang."
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["Il l’a dit à l’agence de presse.”", "Les 18 et 19 juin, il ira à Pyongyang."]


def test_sentence_split_keeps_initials_and_decimals():
    text = "M. Poutine et J. Smith ont parlé de 3.5 milliards. Puis ils sont partis."
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["M. Poutine et J. Smith ont parlé de 3.5 milliards.", "Puis ils sont partis."]


def test_chunks_are_exact_slices_within_size():
    text = SEED.read_text(encoding="utf-8")
    chunks = chunk_document(text, chunk_size=600, chunk_overlap=120)
    assert len(chunks) > 5
    assert all(0 < c.end - c.start <= 600 for c in chunks)
    assert all(text[c.start : c.end].strip() == text[c.start : c.end] for c in chunks)
    # every sentence lies inside some chunk
    for s in split_sentences(text):
        if s.end - s.start <= 600:
            assert any(c.start <= s.start and s.end <= c.end for c in chunks), text[s.start : s.end]


# Text as printed, one line per printed line (pypdf, OCR, wrapped e-mail bodies).

REPORT = (
    "2026 wird der Lesesaal renoviert. Die Arbeiten beginnen im Februar und kosten voraussichtlich 185.000 Euro. "
    "Während der Bauzeit bleibt die Bibliothek geöffnet, die Zeitschriften stehen dann im Foyer."
)


def pdf_lines(tmp_path, blocks, *, style="BodyText", name="document.pdf"):
    """The text pypdf reads from a PDF (reportlab) of ``blocks``: each a paragraph, wrapped
    at the page's width, and read through `read_document`."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from qa.reading.documents import read_document

    path = tmp_path / name
    styles = getSampleStyleSheet()
    SimpleDocTemplate(str(path)).build([Paragraph(block, styles[style]) for block in blocks])
    return read_document(path)


def sentences_of(text):
    return [text[s.start : s.end] for s in split_sentences(text)]


def unwrapped(sentence):
    return " ".join(sentence.split())


def test_a_wrapped_pdf_paragraph_gives_whole_sentences(tmp_path):
    text = pdf_lines(tmp_path, [REPORT])
    assert text.count("\n") >= 1  # printed over two lines or more
    assert [unwrapped(s) for s in sentences_of(text)] == [
        "2026 wird der Lesesaal renoviert.",
        "Die Arbeiten beginnen im Februar und kosten voraussichtlich 185.000 Euro.",
        "Während der Bauzeit bleibt die Bibliothek geöffnet, die Zeitschriften stehen dann im Foyer.",
    ]


def test_a_wrapped_sentence_keeps_its_line_break_inside_its_span(tmp_path):
    text = pdf_lines(tmp_path, [REPORT])
    works = next(s for s in split_sentences(text) if "185.000" in text[s.start : s.end])
    assert text[works.start : works.end].startswith("Die Arbeiten")
    assert "\n" in text[works.start : works.end]


@pytest.mark.parametrize(
    "lines",
    [
        ["250 g de farine", "125 g de beurre", "1 pincée de sel", "6 pommes", "50 g de sucre"],
        ["Syndic Dupré &amp; Fils", "14, rue des Tanneurs", "69002 Lyon"],
        ["Two roads diverged in a yellow wood,", "And sorry I could not travel both", "And be one traveler, long I stood"],
        ["Ingredients for the apple tart and its caramel sauce", "butter, sugar and a pinch of salt for the sauce"],
    ],
    ids=["ingredients", "address", "poem", "list"],
)
def test_short_lines_beside_wrapped_prose_stay_one_sentence_each(tmp_path, lines):
    text = pdf_lines(tmp_path, [*lines, REPORT])
    assert sentences_of(text)[: len(lines)] == [line.replace("&amp;", "&") for line in lines]


def test_e_mail_header_lines_stay_apart_and_its_wrapped_body_joins(tmp_path):
    import textwrap
    from email.message import EmailMessage

    from qa.reading.documents import read_document

    body = (
        "Please bring your laptop, and send me your agenda items by Wednesday noon. Coffee and biscuits "
        "will be provided by the parents' association. The meeting should finish by 17:00."
    )
    message = EmailMessage()
    message["Subject"] = "Staff meeting on Thursday 12 February: new timetable and the sports day"
    message["From"] = "Priya Raman <priya.raman@harbourview-school.example>"
    message["To"] = "All staff <staff@harbourview-school.example>"
    message["Date"] = "Mon, 09 Feb 2026 08:15:00 +0000"
    message.set_content(textwrap.fill(body, width=72) + "\n")  # as mail programs wrap text
    path = tmp_path / "meeting.eml"
    path.write_bytes(bytes(message))
    text = read_document(path)
    assert [unwrapped(s) for s in sentences_of(text)] == [
        "Subject: Staff meeting on Thursday 12 February: new timetable and the sports day",
        "From: Priya Raman <priya.raman@harbourview-school.example>",
        "To: All staff <staff@harbourview-school.example>",
        "Date: Mon, 09 Feb 2026 08:15:00 +0000",
        "Please bring your laptop, and send me your agenda items by Wednesday noon.",
        "Coffee and biscuits will be provided by the parents' association.",
        "The meeting should finish by 17:00.",
    ]


def test_table_rows_under_wrapped_prose_stay_one_sentence_each():
    from qa.reading.formats.layout import table_text

    rows = table_text([["City", "Daily allowance", "Hotel ceiling"], ["Tokyo", "120 EUR", "210 EUR"], ["Oslo", "95 EUR", "180 EUR"]])
    text = (
        "Employees on a mission abroad receive a daily allowance that depends on the city they\n"
        "travel to, and their hotel costs are refunded up to a ceiling set for each city in\n"
        f"the table below\n{rows}"
    )
    assert sentences_of(text)[-2:] == [
        "City: Tokyo; Daily allowance: 120 EUR; Hotel ceiling: 210 EUR.",
        "City: Oslo; Daily allowance: 95 EUR; Hotel ceiling: 180 EUR.",
    ]


def test_wrapped_chinese_and_japanese_lines_join_with_exact_offsets(tmp_path):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from qa.reading.documents import read_document

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))  # reportlab's own, no font file
    style = ParagraphStyle("ja", fontName="HeiseiMin-W3", fontSize=10.5, leading=16, wordWrap="CJK")
    japanese = [
        "二〇二五年、市立図書館の来館者数は四万八千三百十人で、前年より六パーセント増えました。",
        "閲覧室は二〇二六年に改装され、工事は二月に始まり、費用はおよそ十八万五千ユーロと見込まれています。",
        "利用者の皆様にはご不便をおかけしますが、ご理解とご協力をお願いいたします。",
    ]
    path = tmp_path / "report.pdf"
    SimpleDocTemplate(str(path)).build([Paragraph("".join(japanese), style)])
    text = read_document(path)
    assert text.count("\n") >= 2  # printed over three lines or more
    spans = split_sentences(text)
    # nothing is inserted where a line was wrapped: the sentence is its span, line break inside
    assert [text[s.start : s.end].replace("\n", "") for s in spans] == japanese
    assert sum("\n" in text[s.start : s.end] for s in spans) == text.count("\n")


def test_a_word_cut_off_before_a_blank_line_joins_its_sentence():
    # Tesseract may set a sentence's last line apart as a paragraph of its own.
    text = (
        "Nous vous informons que le ravalement de la façade de la résidence\n"
        "Les Tilleuls commencera le lundi 2 mars 2026 et durera environ\n\n"
        "huit semaines.\n\n"
        "Le syndic"
    )
    assert [unwrapped(s) for s in sentences_of(text)] == [
        "Nous vous informons que le ravalement de la façade de la résidence Les Tilleuls commencera "
        "le lundi 2 mars 2026 et durera environ huit semaines.",
        "Le syndic",
    ]


def test_a_sentence_joined_over_wrapped_lines_stays_within_a_citation():
    from qa.results import MAX_CITED_CHARS

    line = "the inventory lists every chair table shelf and lamp of the reading room and its annex"
    text = "\n".join([line] * 12)  # 1,000 characters of wrapped lines, no full stop
    sentences = sentences_of(text)
    assert all(len(sentence) <= MAX_CITED_CHARS for sentence in sentences)
    assert "".join(sentences) == text.replace("\n", "")


def test_chunks_do_not_cut_a_wrapped_sentence():
    import textwrap

    prose = " ".join(
        f"Im Jahr {year} zählte die Stadtbibliothek {40_000 + 997 * n} Besuche, und die Zahl der aktiven "
        f"Leserinnen und Leser stieg auf {5_000 + 13 * n}."
        for n, year in enumerate(range(2000, 2026))
    )
    text = textwrap.fill(prose, width=80)
    chunks = chunk_document(text, chunk_size=600, chunk_overlap=120)
    sentences = split_sentences(text)
    assert sum("\n" in text[s.start : s.end] for s in sentences) > 10
    for s in sentences:
        assert any(c.start <= s.start and s.end <= c.end for c in chunks), text[s.start : s.end]
