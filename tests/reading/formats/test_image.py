"""Images (PNG, JPEG, TIFF) read by OCR: their text, their pages, and clear refusals."""

import io

import pytest
from PIL import Image

from qa import answer, build_index
from qa.errors import DocumentError
from qa.reading.documents import location_of, read_document
from tests.files import scanned_page

ENGLISH = "The lighthouse of Kerbrat was built in 1888."
RUSSIAN = "Маяк Кербрат построен в 1888 году."


def test_a_scanned_png_reads_as_its_sentence(tmp_path):
    path = tmp_path / "scan.png"
    scanned_page([ENGLISH, "Its light reaches twenty-three miles."]).save(path)
    assert read_document(path).split("\n")[0] == ENGLISH


def test_a_photographed_russian_page_reads_in_russian(tmp_path):
    path = tmp_path / "photo.jpg"
    scanned_page([RUSSIAN, "Его свет виден за двадцать три мили."]).convert("RGB").save(path, quality=90)
    assert read_document(path).split("\n")[0] == RUSSIAN


def test_a_multi_page_tiff_reads_its_frames_as_pages(tmp_path):
    path = tmp_path / "scan.tiff"
    first, second = scanned_page([ENGLISH]), scanned_page([RUSSIAN])
    first.save(path, save_all=True, append_images=[second], compression="tiff_deflate")
    text = read_document(path)
    assert text.split("\n\f\n") == [ENGLISH, RUSSIAN]
    assert location_of(path.name, text, text.index("1888 году")) == ("page", 2)


def test_a_transparent_png_reads_as_on_white(tmp_path):
    page = scanned_page([ENGLISH]).convert("RGBA")
    page.putalpha(page.convert("L").point(lambda value: 255 - value))  # ink opaque, paper transparent
    path = tmp_path / "transparent.png"
    page.save(path)
    assert read_document(path) == ENGLISH


def test_a_file_that_is_not_an_image_is_refused_with_the_formats_read(tmp_path):
    path = tmp_path / "holiday.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n this is not really an image")
    with pytest.raises(DocumentError, match=r"holiday\.png: not a readable image .*qa reads PNG, JPEG and TIFF"):
        read_document(path)


def test_an_image_without_text_is_refused_as_having_none(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (1200, 800), 255).save(path)
    with pytest.raises(DocumentError, match=r"blank\.png: OCR found no text in the image"):
        read_document(path)


def test_an_image_without_tesseract_installed_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a folder without language data
    path = tmp_path / "scan.png"
    scanned_page([ENGLISH]).save(path)
    with pytest.raises(DocumentError, match=r"scan\.png: an image is read by OCR, and OCR \(Tesseract\) is not installed"):
        read_document(path)


@pytest.mark.parametrize(
    "lines, question, quoted",
    [
        (
            ["The lighthouse of Kerbrat was built in 1888 by the harbour company.",
             "Its lamp was replaced by an electric one in 1936."],
            "When was the lamp of the lighthouse replaced?",
            "1936",
        ),
        (
            ["Маяк Кербрат построен в 1888 году портовой компанией.",
             "Его лампу заменили на электрическую в 1936 году."],
            "Когда заменили лампу маяка?",
            "1936",
        ),
    ],
    ids=["english", "russian"],
)
def test_a_question_is_answered_from_a_scan_with_an_exact_citation(lines, question, quoted, tmp_path, settings, embedder):
    path = tmp_path / "scan.png"
    scanned_page(lines).save(path)
    index = build_index([path], tmp_path / "index", settings=settings)
    result = answer(question, index=index, settings=settings)
    citation = result.citations[0]
    assert quoted in citation.text
    assert index.document_text(str(path))[citation.start : citation.end] == citation.text
