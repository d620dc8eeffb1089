import pytest

from qa import retrieve
from qa.errors import EmptyQuestionError
from tests.conftest import SEED


@pytest.mark.parametrize(
    "question, evidence",
    [
        ("When was the friendship treaty signed?", "1961"),
        ("¿Cuándo viajó Kim al Lejano Oriente ruso para una cumbre con Putin?", "septembre 2023"),
        ("Welche Minister sprach über einen direkten Flugverkehr?", "Kozlov"),
        ("Кто пригласил Путина в Северную Корею?", "Kim Jong Un"),
        ("Quando è fallito il lancio del satellite spia?", "Fin mai"),
    ],
)
def test_questions_in_other_languages_find_the_french_passage(seed_index, settings, question, evidence):
    passages = retrieve(question, k=3, index=seed_index, settings=settings)
    assert any(evidence in p.text for p in passages), [p.text[:60] for p in passages]


def test_passages_are_exact_ranked_slices(seed_index, settings):
    text = SEED.read_text(encoding="utf-8")
    passages = retrieve("Quand Poutine ira-t-il à Pyongyang ?", k=5, index=seed_index, settings=settings)
    assert len(passages) == 5
    assert all(text[p.start : p.end] == p.text and p.source == str(SEED) for p in passages)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


@pytest.mark.parametrize("question", ["", "   \n\t", "\x00\x01"])
def test_empty_question_is_refused(seed_index, settings, question):
    with pytest.raises(EmptyQuestionError, match="empty"):
        retrieve(question, index=seed_index, settings=settings)
