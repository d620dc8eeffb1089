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


def two_format_set(folder):
    """A .txt and a .csv document, and a JSON lines file of questions naming them: two
    answerable about each, one unanswerable about the price list."""
    import json

    documents = folder / "docs"
    documents.mkdir()
    (documents / "harbour.txt").write_text(
        "The harbour of Zanthe was enlarged in 1912 by the engineer Paul Ravel.\n\n"
        "Its lighthouse was built in 1888 on a rocky islet.\n",
        encoding="utf-8",
    )
    (documents / "prices.csv").write_text(
        "Article;Prix (€)\nMarteau de menuisier;17,50\nMètre ruban 5 m;9,95\n", encoding="utf-8"
    )
    rows = [
        {"id": "t1", "lang": "en", "document": "harbour.txt", "question": "Who enlarged the harbour of Zanthe?",
         "answers": ["Paul Ravel"], "answerable": True},
        {"id": "t2", "lang": "en", "document": "harbour.txt", "question": "When was the lighthouse of Zanthe built?",
         "answers": ["1888"], "answerable": True},
        {"id": "c1", "lang": "fr", "document": "prices.csv", "question": "Quel est le prix du marteau de menuisier ?",
         "answers": ["17,50"], "answerable": True},
        {"id": "c2", "lang": "fr", "document": "prices.csv", "question": "Combien coûte le mètre ruban de 5 m ?",
         "answers": ["9,95"], "answerable": True},
        {"id": "c3", "lang": "fr", "document": "prices.csv", "question": "Quel est le prix de la perceuse sans fil ?",
         "answers": [], "answerable": False},
    ]
    questions = folder / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return questions, documents


def test_questions_over_documents_of_two_formats_are_scored_by_format(tmp_path, settings, embedder):
    from qa.tools.evaluation import evaluate, format_table

    questions, documents = two_format_set(tmp_path)
    metrics = evaluate(questions, settings=settings, documents=documents)
    by_format = metrics["by_format"]
    assert sorted(by_format) == ["csv", "txt"]
    assert (by_format["txt"]["answerable"], by_format["txt"]["unanswerable"]) == (2, 0)
    assert (by_format["csv"]["answerable"], by_format["csv"]["unanswerable"]) == (2, 1)
    # A hit is a passage of the question's own document.
    assert by_format["txt"]["hit@5"] == by_format["csv"]["hit@5"] == 1.0
    table = format_table(metrics, str(questions))
    by_format_rows = table.split("by format", 1)[1].splitlines()[1:3]
    assert [row.split()[:4] for row in by_format_rows] == [["csv", "3", "2", "1"], ["txt", "2", "2", "0"]]


def test_qa_eval_docs_prints_the_by_format_table(tmp_path, embedder, capsys):
    from qa.serving.cli import main

    questions, documents = two_format_set(tmp_path)
    assert main(["eval", str(questions), "--docs", str(documents)]) == 0
    printed = capsys.readouterr().out
    assert "by format" in printed and "questions            5 (4 answerable, 1 unanswerable)" in printed


def test_a_question_naming_a_document_outside_the_folder_is_refused_by_name(tmp_path, settings, embedder):
    from qa.tools.evaluation import evaluate

    questions, documents = two_format_set(tmp_path)
    (documents / "prices.csv").rename(tmp_path / "prices.csv")
    with pytest.raises(QAError, match=r"prices\.csv.*--docs"):
        evaluate(questions, settings=settings, documents=documents)


def test_the_mixed_format_sets_gold_answers_are_in_its_documents(tmp_path):
    """eval/formats: every answerable question's gold answer is in the text qa reads of
    its document, and the set keeps its breadth (docs/formats.md)."""
    import importlib.util
    import json
    from pathlib import Path

    from qa.reading.documents import read_document
    from qa.tools.evaluation import contains_answer

    folder = Path(__file__).resolve().parents[2] / "eval" / "formats"
    spec = importlib.util.spec_from_file_location("make_documents", folder / "make_documents.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    texts = {path.name: read_document(path) for path in generator.write_documents(tmp_path)}
    rows = [json.loads(line) for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["document"] for r in rows} == set(texts)
    for row in rows:
        assert contains_answer(row["answers"], texts[row["document"]]) == row["answerable"], row["id"]
    answerable = [r for r in rows if r["answerable"]]
    assert len(answerable) >= 60 and len(texts) >= 12
    assert sum(r["lang"] != r["document_lang"] for r in answerable) >= 15
