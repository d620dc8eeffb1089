"""Questions about the collection: answered from the document list, in the asker's language."""

import pytest

from qa import Pipeline, answer
from qa.answering.collection_replies import MAX_LISTED, listing_reply
from qa.answering.overview import named_document
from qa.storing.index import Document
from qa.text.messages import message
from tests.conftest import SEED
from tests.files import text_pdf_pages, xlsx_workbook

FALCON = (
    "# Project Falcon\n\n"
    "The Falcon team builds a delivery drone. The budget of the prototype is 40,000 euros. "
    "The team meets every Monday in room 12.\n"
)
REPORT_PAGES = [
    "The city library lent 12,000 books in 2025.",
    "Its budget rose by five percent in 2025.",
]


@pytest.fixture(scope="module")
def collection(settings, embedder, tmp_path_factory):
    """An index of four documents: the seed article, a note, a two-page PDF, a two-sheet workbook."""
    from qa import build_index

    folder = tmp_path_factory.mktemp("collection")
    (folder / "project-falcon.md").write_text(FALCON, encoding="utf-8")
    (folder / "library-report.pdf").write_bytes(text_pdf_pages(REPORT_PAGES))
    (folder / "groceries.xlsx").write_bytes(
        xlsx_workbook({"January": [["item", "price"], ["apples", 3]], "February": [["item", "price"], ["pears", 4]]})
    )
    paths = [SEED, folder / "project-falcon.md", folder / "library-report.pdf", folder / "groceries.xlsx"]
    return build_index(paths, tmp_path_factory.mktemp("collection-index"), settings=settings)


NAMES = ["poutine-coree-du-nord.txt", "project-falcon.md", "library-report.pdf", "groceries.xlsx"]


@pytest.mark.parametrize(
    "question, language",
    [
        ("What documents do I have?", "en"),
        ("Quels documents ai-je ?", "fr"),
        ("我有哪些文件？", "zh"),
        ("ما هي المستندات التي لدي؟", "ar"),
    ],
)
def test_a_listing_question_gets_the_documents_names_in_the_askers_language(collection, settings, question, language):
    reply = answer(question, index=collection, settings=settings)
    assert reply.language == language and reply.status == "answered" and not reply.overview
    assert reply.text.startswith(message(language, "collection_count").format(n=4))
    for name in NAMES:
        assert name in reply.text
    assert f"library-report.pdf ({message(language, 'sections_page').format(n=2)})" in reply.text
    assert f"groceries.xlsx ({message(language, 'sections_sheet').format(n=2)})" in reply.text
    assert reply.citations == [] and reply.confidence is None


def test_a_finding_question_cites_exactly_the_documents_that_mention_the_word(collection, settings):
    reply = answer("Which files mention the budget?", index=collection, settings=settings)
    assert reply.status == "answered"
    assert sorted(c.source.rsplit("/", 1)[-1] for c in reply.citations) == ["library-report.pdf", "project-falcon.md"]
    for citation in reply.citations:
        assert collection.document_text(citation.source)[citation.start : citation.end] == citation.text
        assert "budget" in citation.text.lower()
    assert reply.text.startswith(message("en", "mentions").format(subject="budget", n=2))


def test_a_finding_question_in_another_language_finds_the_name(collection, settings):
    reply = answer("Quels fichiers mentionnent Pyongyang ?", index=collection, settings=settings)
    assert [c.source.rsplit("/", 1)[-1] for c in reply.citations] == ["poutine-coree-du-nord.txt"]
    assert reply.text.startswith(message("fr", "mentions").format(subject="Pyongyang", n=1))


def test_a_word_no_document_holds_gets_the_none_reply(collection, settings):
    reply = answer("Which files mention zebras?", index=collection, settings=settings)
    assert reply.abstained and reply.citations == []
    assert reply.text == message("en", "mentions_none").format(subject="zebras")


def test_an_overview_question_over_several_documents_naming_none_gets_the_list(collection, settings):
    reply = answer("What is this document about?", index=collection, settings=settings)
    assert not reply.overview and reply.citations == []
    assert all(name in reply.text for name in NAMES)


def test_an_overview_question_naming_a_document_gets_its_overview(collection, settings):
    reply = answer("Give me an overview of the library report.", index=collection, settings=settings)
    assert reply.overview
    assert {c.source.rsplit("/", 1)[-1] for c in reply.citations} == {"library-report.pdf"}


def test_a_follow_up_pointing_back_is_not_taken_for_an_overview(collection, settings):
    history = [
        {"role": "user", "content": "When does the Falcon team meet?"},
        {"role": "assistant", "content": "The team meets every Monday in room 12."},
    ]
    reply = answer("What will they discuss?", index=collection, settings=settings, history=history)
    assert not reply.overview
    assert message("en", "collection_count").format(n=4) not in reply.text


def test_a_normal_question_still_gets_a_normal_answer(collection, settings):
    reply = answer("How much is the budget of the prototype?", index=collection, settings=settings)
    assert not reply.abstained and not reply.overview
    assert "40,000" in reply.citations[0].text


def test_collection_replies_can_be_switched_off(collection, settings):
    reply = answer("What documents do I have?", index=collection, settings=settings, pipeline=Pipeline(collection=False))
    assert message("en", "collection_count").format(n=4) not in reply.text


def test_a_long_list_is_cut_with_the_number_left_out():
    documents = [Document(f"/docs/note-{i}.txt", "A note.") for i in range(MAX_LISTED + 3)]
    reply = listing_reply(documents, "de")
    assert "note-0.txt" in reply.text and f"note-{MAX_LISTED}.txt" not in reply.text
    assert reply.text.splitlines()[-1] == message("de", "collection_more").format(n=3)


def test_a_document_is_named_by_its_file_name_or_the_words_of_it(collection):
    assert NAMES[named_document(collection, "Résume library-report.pdf")] == "library-report.pdf"
    assert NAMES[named_document(collection, "What is the Falcon project about?")] == "project-falcon.md"
    assert named_document(collection, "What is this about?") is None


def test_a_collection_reply_is_valid_for_the_rest_api(collection, settings):
    from qa.serving.rest import AnswerOut

    for question in ("What documents do I have?", "Which files mention the budget?"):
        AnswerOut.model_validate(answer(question, index=collection, settings=settings).to_dict(question, paths=False))


def test_a_long_sentence_is_cut_around_the_word_even_where_folding_lengthens_the_text():
    from qa.answering.collection_replies import MAX_QUOTE_CHARS, _around
    from qa.text.lexical import terms

    # Hangul syllables fold (NFKD) into two or three letters each: the folded text is longer.
    text = "한국어 문장입니다 " * 40 + "예산은 천만 원이다 " + "다른 내용이 이어집니다 " * 40
    wanted = frozenset(terms("예산은"))
    start, end = _around(text, 0, len(text), wanted)
    assert end - start == MAX_QUOTE_CHARS
    assert "예산" in text[start:end]
