"""Which line breaks only wrap a paragraph: told by the lines' layout, in any language."""

import textwrap

from qa.reading.wrapping import soft_line_breaks

PROSE = (
    "The reading room will be renovated in 2026. The works begin in February and should cost about "
    "185,000 euros, paid by the city and the regional heritage fund. During the works the library stays "
    "open, and the newspapers and magazines move to the entrance hall on the ground floor."
)


def joins(text):
    """Each line break ``soft_line_breaks`` finds, as (the last word before it, the first after it)."""
    return [(text[:start].split()[-1], text[end:].split()[0]) for start, end in soft_line_breaks(text)]


def test_every_line_break_of_a_wrapped_paragraph_wraps():
    text = textwrap.fill(PROSE, width=72)
    assert len(soft_line_breaks(text)) == text.count("\n") > 2


def test_a_long_line_apart_does_not_set_the_width_lines_wrap_at():
    url = "See https://www.example.org/library/annual-report/2025/renovation-of-the-reading-room-and-annex.pdf"
    text = textwrap.fill(PROSE, width=72) + "\n" + url
    assert len(soft_line_breaks(text)) == text.count("\n") - 1


def test_a_capital_after_a_full_line_continues_only_where_wrapped_prose_does():
    german = (
        "Im Jahr 2025 zählte die Stadtbibliothek Hohenwarth 48.310 Besuche, sechs Prozent mehr als im Vorjahr, die\n"
        "Zahl der aktiven Leserinnen und Leser stieg auf 5.127, und das erfolgreichste Angebot war das beliebte\n"
        "Repair-Café, das jeden ersten Samstag im Monat im Lesesaal stattfindet und immer gut besucht ist.\n"
        "Die Arbeiten beginnen im Februar und kosten nach der Schätzung des Bauamts der Stadt voraussichtlich\n"
        "185.000 Euro."
    )
    poem = (
        "Shall I compare thee to a summer's day? Thou art more lovely and more temperate\n"
        "Rough winds do shake the darling buds of May, and summer's lease hath all too short\n"
        "A date; sometime too hot the eye of heaven shines, and often is his gold complexion dimm'd"
    )
    assert joins(german) == [("die", "Zahl"), ("beliebte", "Repair-Café,"), ("voraussichtlich", "185.000")]
    assert joins(poem) == []


def test_code_indented_under_prose_stays_apart():
    text = (
        "    You can shut the system down under the normal multiuser mode from the\n"
        "    command line, and bring it back to a sane state after doing some funny\n"
        "        shutdown -h now\n"
    )
    assert joins(text) == [("the", "command")]


def test_a_word_hyphenated_at_a_line_end_continues_on_the_next_line():
    text = (
        "Im kommenden Jahr beginnt im Februar die umfassende Sanierung und Renovie-\n"
        "rung des Lesesaals, die Kosten liegen bei 185.000 Euro.\n"
        "Leitung: Dr. Hanna Vogt"
    )
    assert joins(text) == [("Renovie-", "rung")]
