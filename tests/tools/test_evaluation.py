"""`qa eval --ablation`: variants are `Pipeline`s passed explicitly, nothing global changes."""

import pytest

import qa.answering.candidates
import qa.answering.extractive
import qa.retrieving.retrieval
from qa import Pipeline, answer
from qa.errors import QAError
from qa.tools.evaluation import ABLATIONS, Example, ask
from qa.pipeline import DEFAULT_PIPELINE, RULES_PIPELINE


def test_ablation_variants_leave_module_settings_untouched(seed_index, settings):
    before = {module: dict(vars(module)) for module in (qa.answering.candidates, qa.answering.extractive, qa.retrieving.retrieval)}
    example = Example("Combien de soldats nord-coréens combattent en Ukraine ?", answers=[], answerable=False)
    for pipeline in ABLATIONS.values():
        ask(example, seed_index, settings, pipeline=pipeline)
    for module, names in before.items():
        after = vars(module)
        assert after.keys() == names.keys()
        assert all(after[name] is value for name, value in names.items())
    assert ABLATIONS["hybrid, fitted step (default)"] == DEFAULT_PIPELINE == Pipeline()
    assert ABLATIONS["hand-set rules (fitted=False)"] == RULES_PIPELINE and not RULES_PIPELINE.fitted


# Each unanswerable seed question is caught by the rule the variant switches off.
@pytest.mark.parametrize(
    "variant, question",
    [
        ("rules: no answer type", "How many inhabitants does Pyongyang have?"),
        ("rules: no word grounding", "Quel est le prix actuel du baril de pétrole russe ?"),
        ("rules: no unknown-name check", "Comment la Chine a-t-elle réagi à la visite de Poutine ?"),
        ("rules: never abstain", "Who won the 2022 football World Cup?"),
    ],
)
def test_rule_variant_answers_what_the_rules_abstain_on(seed_index, settings, variant, question):
    assert answer(question, index=seed_index, settings=settings, pipeline=RULES_PIPELINE).abstained
    result = answer(question, index=seed_index, settings=settings, pipeline=ABLATIONS[variant])
    assert not result.abstained and result.citations


def test_pipeline_rejects_negative_or_all_zero_weights():
    with pytest.raises(QAError, match="lexical_weight"):
        Pipeline(lexical_weight=-0.5)
    with pytest.raises(QAError, match="at least one ranking"):
        Pipeline(dense_weight=0.0, sparse_weight=0.0, lexical_weight=0.0)


def test_squad_file_scores_impossible_questions_reports_languages_and_reuses_its_index(tmp_path, settings):
    import json

    from qa.tools.evaluation import evaluate, format_table, read_examples

    squad = {
        "version": "v2.0",
        "data": [
            {
                "title": "Zanthe",
                "paragraphs": [
                    {
                        "context": "Le port de Zanthe a été agrandi en 1912 par l'ingénieur Paul Ravel.",
                        "qas": [
                            {"id": "a", "question": "Qui a agrandi le port de Zanthe ?", "lang": "fr",
                             "answers": [{"text": "Paul Ravel", "answer_start": 51}]},
                            {"id": "b", "question": "Who enlarged the port of Zanthe?", "lang": "en",
                             "answers": [{"text": "Paul Ravel", "answer_start": 51}]},
                            {"id": "c", "question": "Combien de navires le port de Zanthe accueille-t-il chaque année ?",
                             "lang": "fr", "is_impossible": True, "answers": []},
                        ],
                    },
                    {"context": "Le phare d'Ysolde a été construit en 1888 sur un îlot rocheux.", "qas": []},
                ],
            }
        ],
    }
    path = tmp_path / "zanthe.json"
    path.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    examples, paragraphs = read_examples(path)
    assert [e.answerable for e in examples] == [True, True, False] and len(paragraphs) == 2
    first = evaluate(path, settings=settings)
    assert (first["answerable"], first["unanswerable"]) == (2, 1)
    assert set(first["by_language"]) == {"en", "fr"} and first["by_language"]["en"]["questions"] == 1
    assert "by language" in format_table(first, str(path))
    cached = [p for p in (settings.cache_dir / "eval").glob("zanthe-*/index/CURRENT")]
    version = cached[0].read_text()
    second = evaluate(path, settings=settings)
    assert cached[0].read_text() == version  # the same index, not rebuilt
    assert {k: v for k, v in second.items() if "latency" not in k} == {k: v for k, v in first.items() if "latency" not in k}
    rebuilt = evaluate(path, settings=settings, rebuild=True)  # after an encoder change
    assert cached[0].read_text() != version
    assert rebuilt["answer_accuracy"] == first["answer_accuracy"]
