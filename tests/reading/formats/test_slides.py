import pytest

from qa import answer, build_index
from qa.errors import DocumentError
from qa.reading.documents import location_of, read_document
from qa.reading.formats.layout import PAGE_BREAK
from qa.storing.collection import add_documents, default_index
from qa.storing.storage import CURRENT_FILE
from tests.files import pptx_presentation

DECK = [
    {
        "title": "Travel policy 2024",
        "lines": ["Book trains for every trip under four hours.", "Flights need the written approval of a manager."],
        "notes": ["The travel desk in Lyon answers questions about bookings.", "Remind everyone that the policy started in June."],
    },
    {},  # an empty slide keeps its number
    {"title": "Allowances", "table": [["City", "Daily allowance"], ["Tokyo", "120 EUR"], ["Oslo", "105 EUR"]]},
]


def test_each_slide_reads_title_first_then_its_text_tables_and_notes(tmp_path):
    path = tmp_path / "policy.pptx"
    path.write_bytes(pptx_presentation(DECK))
    assert read_document(path).split(PAGE_BREAK) == [
        "Travel policy 2024\n"
        "Book trains for every trip under four hours.\n"
        "Flights need the written approval of a manager.\n"
        "Notes: The travel desk in Lyon answers questions about bookings.\n"
        "Remind everyone that the policy started in June.",
        "",
        "Allowances\nCity: Tokyo; Daily allowance: 120 EUR.\nCity: Oslo; Daily allowance: 105 EUR.",
    ]


def test_a_slides_shapes_read_top_to_bottom_then_left_to_right_groups_included(tmp_path):
    import io

    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: no title
    for left, top, text in [(5, 4, "Bottom right."), (1, 4, "Bottom left."), (1, 1, "Top.")]:
        slide.shapes.add_textbox(Inches(left), Inches(top), Inches(3), Inches(1)).text_frame.text = text
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1)).text_frame.text = "Middle, in a group."
    data = io.BytesIO()
    deck.save(data)
    path = tmp_path / "layout.pptx"
    path.write_bytes(data.getvalue())
    assert read_document(path) == "Top.\nMiddle, in a group.\nBottom left.\nBottom right."


def test_a_citation_of_a_slide_is_located_by_its_slide(tmp_path):
    path = tmp_path / "policy.pptx"
    path.write_bytes(pptx_presentation(DECK))
    text = read_document(path)
    assert location_of(path.name, text, text.index("Oslo")) == ("slide", 3)
    assert location_of(path.name, text, text.index("June")) == ("slide", 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not a presentation", "deck.pptx: not a readable PowerPoint presentation"),
        (b"Travel policy 2024\nBook trains.\n", "deck.pptx: not a readable PowerPoint presentation"),
    ],
)
def test_a_bad_presentation_upload_is_refused_by_name_and_changes_nothing(tmp_path, local, content, message):
    default_index(local)
    pointer = (local.index_dir / CURRENT_FILE).read_text()
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        add_documents([path], settings=local, names=["deck.pptx"])
    assert (local.index_dir / CURRENT_FILE).read_text() == pointer
    assert not local.upload_dir.exists() or not any(local.upload_dir.iterdir())


def test_a_word_document_renamed_pptx_is_refused_by_name(tmp_path):
    from tests.files import W, word_document

    path = tmp_path / "report.pptx"
    path.write_bytes(word_document(f"<w:document {W}><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>"))
    with pytest.raises(DocumentError, match="report.pptx: not a readable PowerPoint presentation"):
        read_document(path)


@pytest.mark.parametrize(
    ("question", "cited", "slide"),
    [
        ("Do flights need an approval?", "Flights need the written approval of a manager.", 1),
        ("Who answers questions about bookings?", "Notes: The travel desk in Lyon answers questions about bookings.", 1),
    ],
)
def test_a_question_about_a_slide_or_its_notes_is_answered_by_its_sentence_quoted_exactly(
    tmp_path_factory, settings, embedder, question, cited, slide
):
    folder = tmp_path_factory.mktemp("slides")
    path = folder / "policy.pptx"
    path.write_bytes(pptx_presentation(DECK))
    index = build_index([path], folder / "index", settings=settings)
    citation = answer(question, index=index, settings=settings).citations[0]
    text = index.document_text(citation.source)
    assert text[citation.start : citation.end] == citation.text == cited
    assert location_of(citation.source, text, citation.start) == ("slide", slide)
