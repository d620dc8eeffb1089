"""Web pages (.html, .htm): the visible text, tables as rows of "header: value" pairs."""

from qa.reading.documents import read_document

ALLOWANCES_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Travel</title><style>td { padding: 2px }</style></head>
<body>
<h1>Travel allowances</h1>
<p>Employees on a mission abroad receive a daily allowance.</p>
<table>
  <caption>Daily allowances 2024</caption>
  <thead><tr><th>Country</th><th>City</th><th>Daily allowance</th></tr></thead>
  <tbody>
    <tr><td rowspan="2">Japan</td><td>Tokyo</td><td>120&nbsp;EUR</td></tr>
    <tr><td>Osaka</td><td>100 EUR</td></tr>
    <tr><td>Norway</td><td>Oslo</td><td><p>95 EUR</p></td></tr>
  </tbody>
</table>
<p>Hotel costs are refunded on presentation of the invoice.</p>
</body></html>
"""


def test_a_tables_rows_read_as_header_value_pairs_a_rowspan_filling_each_row(tmp_path):
    path = tmp_path / "travel.html"
    path.write_text(ALLOWANCES_PAGE, encoding="utf-8")
    assert read_document(path) == (
        "Travel allowances\n\n"
        "Employees on a mission abroad receive a daily allowance.\n\n"
        "Daily allowances 2024\n\n"
        "Country: Japan; City: Tokyo; Daily allowance: 120 EUR.\n"
        "Country: Japan; City: Osaka; Daily allowance: 100 EUR.\n"
        "Country: Norway; City: Oslo; Daily allowance: 95 EUR.\n\n"
        "Hotel costs are refunded on presentation of the invoice.\n"
    )


def test_cells_whose_end_tags_are_left_out_still_read_one_a_value(tmp_path):
    path = tmp_path / "rates.htm"
    path.write_text("<table><tr><th>Vehicle<th>Rate<tr><td>Car<td>0.30 EUR<tr><td>Bicycle<td>0.10 EUR</table>", encoding="utf-8")
    assert read_document(path) == "Vehicle: Car; Rate: 0.30 EUR.\nVehicle: Bicycle; Rate: 0.10 EUR.\n"


def test_a_table_laid_out_for_the_page_reads_as_paragraphs(tmp_path):
    path = tmp_path / "old-site.html"
    path.write_text(
        '<table role="presentation"><tr><td>Home</td><td><p>The club meets on Tuesdays.</p>'
        "<p>New members are welcome.</p></td></tr></table>"
        "<table><tr><td><h2>News</h2><p>The hall reopens in May.</p></td></tr></table>",
        encoding="utf-8",
    )
    assert read_document(path) == (
        "Home\n\nThe club meets on Tuesdays.\n\nNew members are welcome.\n\nNews\n\nThe hall reopens in May.\n"
    )


def test_a_question_about_a_table_cell_is_answered_by_its_row_quoted_exactly(tmp_path, first_citation):
    path = tmp_path / "travel.html"
    path.write_text(ALLOWANCES_PAGE, encoding="utf-8")
    citation = first_citation(path, "What is the daily allowance in Osaka?")
    assert citation.text == "Country: Japan; City: Osaka; Daily allowance: 100 EUR."
