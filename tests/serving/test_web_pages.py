"""The document viewer's views (qa.serving.web.pages): a cited PDF at its page with its box,
the text view's sections, the links to the original; on real documents in a real collection."""

from urllib.parse import unquote

import pytest

from qa.reading.formats.layout import PAGE_BREAK
from qa.serving.links import link_allowed
from qa.serving.web.pages import NOT_FOUND_ON_PAGE, document_views, sectioned_text
from tests.files import image_only_pdf, scanned_page, text_pdf_pages

TEXT_VIEW = "<div class='qa-doc'>the text view</div>"


@pytest.fixture
def collection(local, embedder, monkeypatch):
    """The default collection of the environment (as the app reads it) over ``local``'s folders."""
    from qa.storing.collection import default_index

    for variable, value in {
        "QA_CACHE_DIR": local.cache_dir,
        "QA_CORPUS_DIR": local.corpus_dir,
        "QA_INDEX_DIR": local.index_dir,
        "QA_UPLOAD_DIR": local.upload_dir,
    }.items():
        monkeypatch.setenv(variable, str(value))

    def text_of(name: str) -> str:
        [document] = [d for d in default_index().documents if d.source.endswith(name)]
        return document.text

    return text_of


def test_a_citation_across_a_page_break_is_marked_on_both_pages():
    text = f"End of one.{PAGE_BREAK}Start of two."
    shown = sectioned_text("a.pdf", text, text.index("one."), text.index(" of two"))
    assert shown == (
        "<div class='qa-section'>Page 1</div>End of <mark>one.</mark>"
        "<div class='qa-section'>Page 2</div><mark>Start</mark> of two."
    )


def test_a_cited_pdf_shows_its_page_with_a_box_and_signed_links(local, collection):
    (local.corpus_dir / "phare.pdf").write_bytes(text_pdf_pages(["Le phare fut allumé en 1887.", "Son gardien partit en 1932."]))
    text = collection("phare.pdf")
    start = text.index("Son gardien")
    shown = document_views("phare.pdf", text, start, len(text), TEXT_VIEW)
    assert "<div class='qa-page' data-page='2'>" in shown and shown.count("class='qa-box'") == 1
    assert "id='qa-view-page' class='qa-view-page' checked" in shown and NOT_FOUND_ON_PAGE not in shown
    assert TEXT_VIEW in shown
    links = [part.split("'")[0].replace("&amp;", "&") for part in shown.split("src='")[1:] + shown.split("href='")[1:]]
    assert [link.split("?")[0] for link in links] == [
        "api/v1/documents/phare.pdf/pages/2.png",
        "api/v1/documents/phare.pdf/original",
        "api/v1/documents/phare.pdf/original",
    ]
    for link in links:
        path, query = link.removeprefix("api/v1").split("?", 1)
        assert link_allowed(unquote(path), query)


def test_a_scanned_pdf_page_shows_without_a_box_and_opens_at_the_text(local, collection):
    sentence = "Le phare de Kerbrat a été construit en 1888."
    (local.corpus_dir / "scan.pdf").write_bytes(image_only_pdf([scanned_page([sentence])]))
    text = collection("scan.pdf")
    shown = document_views("scan.pdf", text, 0, len(text), TEXT_VIEW)
    assert "<div class='qa-page' data-page='1'>" in shown and "qa-box" not in shown
    assert NOT_FOUND_ON_PAGE in shown
    assert "id='qa-view-text' class='qa-view-text' checked" in shown


def test_a_document_not_a_pdf_has_its_text_and_links_to_its_original(local, collection):
    name = "poutine-coree-du-nord.txt"
    text = collection(name)
    shown = document_views(name, text, 0, 10, TEXT_VIEW)
    assert "qa-page" not in shown and "qa-view" not in shown
    assert shown.endswith(TEXT_VIEW) and "Open original" in shown and "class='qa-download'" in shown


def test_a_document_without_a_file_here_gets_its_text_and_no_links_that_would_fail(collection):
    # An old conversation's source (a server path), or a store that keeps no files.
    shown = document_views("/srv/qa/uploads/gone.pdf", "Some text.", 0, 4, TEXT_VIEW)
    assert shown == TEXT_VIEW


def test_a_malformed_signature_is_refused_not_an_error():
    assert link_allowed("/status", "expires=99999999999&signature=%C3%A9") is False
    assert link_allowed("/status", "expires=99999999999&signature=" + "0" * 64) is False
