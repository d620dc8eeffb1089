"""EPUB e-books (.epub): the spine's chapters in reading order, separated by page breaks."""

import pytest

from qa.errors import DocumentError
from qa.reading.documents import location_of, read_document
from qa.reading.formats.layout import PAGE_BREAK

CHAPTERS = [
    ("Arrival", "<h1>Arrival</h1><p>The ferry to the island leaves the port at <b>seven</b> each morning.</p>"),
    ("Markets", "<h1>Markets</h1><p>The fish market opens on Sundays.</p><p>Bring cash: few stalls take cards.</p>"),
    ("Walks", "<h1>Walks</h1><p>The lighthouse trail takes about three hours.</p>"),
]


def island_guide(path):
    """An .epub written by EbookLib: three chapters, the spine in an order of its own
    (Markets first), a table of contents and a navigation document."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("island-guide")
    book.set_title("Island guide")
    book.set_language("en")
    chapters = {}
    for number, (title, body) in enumerate(CHAPTERS, start=1):
        chapter = epub.EpubHtml(title=title, file_name=f"chapter{number}.xhtml", lang="en")
        chapter.content = body
        book.add_item(chapter)
        chapters[title] = chapter
    book.toc = list(chapters.values())
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", chapters["Markets"], chapters["Arrival"], chapters["Walks"]]
    epub.write_epub(str(path), book)
    return path


def test_chapters_are_read_in_the_spines_order_without_the_table_of_contents(tmp_path):
    assert read_document(island_guide(tmp_path / "guide.epub")) == PAGE_BREAK.join(
        [
            "Markets\n\nThe fish market opens on Sundays.\n\nBring cash: few stalls take cards.",
            "Arrival\n\nThe ferry to the island leaves the port at seven each morning.",
            "Walks\n\nThe lighthouse trail takes about three hours.",
        ]
    )


def test_a_citation_is_located_by_its_chapter(tmp_path, first_citation):
    path = island_guide(tmp_path / "guide.epub")
    citation = first_citation(path, "When does the ferry leave?")
    assert citation.text == "The ferry to the island leaves the port at seven each morning."
    assert location_of(path.name, read_document(path), citation.start) == ("chapter", 2)


def test_a_broken_epub_is_a_document_error_naming_it(tmp_path):
    broken = tmp_path / "broken.epub"
    broken.write_bytes(island_guide(tmp_path / "guide.epub").read_bytes()[:500])
    with pytest.raises(DocumentError, match="broken.epub: not a readable EPUB e-book"):
        read_document(broken)


def test_a_chapters_table_reads_as_rows_of_header_value_pairs(tmp_path):
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("ferry-times")
    book.set_title("Ferry times")
    book.set_language("en")
    chapter = epub.EpubHtml(title="Timetable", file_name="timetable.xhtml", lang="en")
    chapter.content = (
        "<h1>Timetable</h1><table><tr><th>Port</th><th>First ferry</th><th>Last ferry</th></tr>"
        "<tr><td>Brodick</td><td>07:00</td><td>19:20</td></tr>"
        "<tr><td>Ardrossan</td><td>08:20</td><td>20:40</td></tr></table>"
    )
    book.add_item(chapter)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapter]
    path = tmp_path / "ferry.epub"
    epub.write_epub(str(path), book)
    assert read_document(path) == (
        "Timetable\n\n"
        "Port: Brodick; First ferry: 07:00; Last ferry: 19:20.\n"
        "Port: Ardrossan; First ferry: 08:20; Last ferry: 20:40."
    )
