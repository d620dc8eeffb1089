"""Overview questions: recognised from the question's embedding, answered with the lead and central sentences."""

import json
from pathlib import Path

import numpy as np
import pytest

from qa import Pipeline, answer
from qa.answering.overview import OVERVIEW_PATH, OVERVIEW_SENTENCES, OverviewDetector, overview_citations
from qa.results import MAX_CITED_CHARS
from tests.conftest import ROOT

# Phrasings that are not in eval/overview_questions.jsonl, the detector's training data.
UNSEEN_OVERVIEWS = [
    "Could you sum up this document for me?",
    "En résumé, que raconte ce texte ?",
    "Worüber berichtet dieser Text?",
    "¿Me haces un resumen del texto?",
]
SPECIFIC = [
    "When was the friendship treaty signed?",
    "Quand Poutine ira-t-il à Pyongyang ?",
    "What did the article say about sanctions?",
    "Wer hat Putin eingeladen?",
]


def test_unseen_overview_questions_in_several_languages_get_the_lead_and_central_sentences(seed_index, settings):
    document = seed_index.documents[0]
    for question in UNSEEN_OVERVIEWS:
        reply = answer(question, index=seed_index, settings=settings)
        assert reply.overview and not reply.abstained, question
        assert 1 <= len(reply.citations) <= OVERVIEW_SENTENCES
        assert sum(len(c.text) for c in reply.citations) <= MAX_CITED_CHARS
        for citation in reply.citations:
            assert document.text[citation.start : citation.end] == citation.text
        assert len({c.text for c in reply.citations}) == len(reply.citations)  # no sentence twice
        assert [c.start for c in reply.citations] == sorted(c.start for c in reply.citations)
        assert reply.to_dict(question)["overview"] is True
    french = answer("En résumé, que raconte ce texte ?", index=seed_index, settings=settings)
    assert french.text.startswith("Aperçu de poutine-coree-du-nord.txt")
    # The lead: the document's first sentence is quoted first.
    first = int(np.flatnonzero(seed_index.sentences[:, 0] == 0)[0])
    assert french.citations[0].start == int(seed_index.sentences[first, 1])


def test_specific_questions_are_not_taken_for_overviews(seed_index, settings):
    for question in SPECIFIC:
        reply = answer(question, index=seed_index, settings=settings)
        assert not reply.overview, question


def test_the_overview_can_be_switched_off(seed_index, settings):
    reply = answer("What is this article about?", index=seed_index, settings=settings, pipeline=Pipeline(overview=False))
    assert not reply.overview


def test_overview_of_a_document_stays_within_the_cited_characters(seed_index):
    citations = overview_citations(seed_index, 0)
    assert citations and sum(len(c.text) for c in citations) <= MAX_CITED_CHARS
    assert overview_citations(seed_index, len(seed_index.documents) + 5) == []


def test_the_detector_ships_as_data_with_its_cross_validated_figures(tmp_path):
    data = json.loads(OVERVIEW_PATH.read_text(encoding="utf-8"))
    assert data["fitted_on"]["command"] == "python -m qa.tools.fit_overview"
    assert len(data["coef"]) == 384 and 0.5 <= data["threshold"] < 1
    recognised, total = map(int, data["fitted_on"]["cross_validated"]["overview questions recognised"].split("/"))
    assert recognised / total >= 0.8
    # A detector fits, saves and loads as plain JSON.
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8))
    labels = vectors[:, 0] > 0.5
    detector = OverviewDetector().fit(vectors, labels)
    detector.save(tmp_path / "d.json")
    loaded = OverviewDetector.load(tmp_path / "d.json")
    assert np.array_equal(loaded.probability(vectors) >= 0.5, detector.probability(vectors) >= 0.5)
    assert (loaded.probability(vectors) >= 0.5).tolist() == labels.tolist()


def test_the_overview_file_labels_every_row():
    rows = [json.loads(l) for l in (ROOT / "eval" / "overview_questions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    assert all(set(r) == {"question", "lang", "overview"} for r in rows)
    assert len({r["lang"] for r in rows if r["overview"]}) >= 15


@pytest.mark.parametrize("missing", ["nothing.json"])
def test_a_missing_detector_file_is_a_clear_error(tmp_path, missing):
    from qa.errors import QAError

    with pytest.raises(QAError, match="qa.tools.fit_overview"):
        OverviewDetector.load(tmp_path / missing)


def test_a_long_lead_is_cut_at_the_rule_and_quoted_alone(tmp_path, settings):
    from qa import build_index

    lead = "Le traité " + "de l'Atlantique Nord, signé à Washington, " * 20 + "fonde l'OTAN."
    document = tmp_path / "otan.txt"
    document.write_text(lead + " Il compte douze membres fondateurs. Son siège est à Bruxelles.\n", encoding="utf-8")
    index = build_index([document], tmp_path / "idx", settings=settings)
    citations = overview_citations(index, 0)
    assert len(citations) == 1 and len(citations[0].text) == MAX_CITED_CHARS
    assert citations[0].text == index.document_text(str(document))[citations[0].start : citations[0].end]


def test_an_overview_question_after_another_question_is_still_recognised(seed_index, settings):
    history = [
        {"role": "user", "content": "Quand Poutine ira-t-il à Pyongyang ?"},
        {"role": "assistant", "content": "..."},
    ]
    reply = answer("De quoi parle cet article ?", index=seed_index, settings=settings, history=history)
    assert reply.overview


def test_a_document_named_in_full_is_not_taken_for_one_whose_name_ends_like_it(tmp_path, settings):
    from qa import build_index
    from qa.answering.overview import named_document

    report, annual = tmp_path / "report.txt", tmp_path / "annual-report.txt"
    report.write_text("The report counts the lighthouses of Brittany.\n", encoding="utf-8")
    annual.write_text("The annual report gives the budget of the year.\n", encoding="utf-8")
    index = build_index([report, annual], tmp_path / "idx", settings=settings)
    names = [Path(d.source).name for d in index.documents]
    assert names[named_document(index, "Summarize annual-report.txt.")] == "annual-report.txt"
    assert names[named_document(index, "Summarize report.txt.")] == "report.txt"
