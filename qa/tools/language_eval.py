"""`python -m qa.tools.language_eval`: how often `detect_language` names the question's language.

Reads every question whose language we know (paths from the repository root; a missing
file is skipped with a note):
- ../shared/eval/seed_qa.jsonl and eval/multilingual_qa.jsonl (`lang` on each line);
- ../shared/eval/piaf_open_dev.json and piaf_sample.json (SQuAD: French questions, the
  answerable and the `is_impossible` ones; piaf_sample holds one English question);
- ../shared/eval/piaf_open_dev_xling.json (`lang` on each question);
- the web app's example questions for the seed article (qa/serving/web/examples.py, read as text).

Prints one row per set (questions, right, accuracy, mistakes on questions of three words
or more) and each mistake with the language given and the one expected. `--cv` also
chooses the detector's settings from a small grid on all sets but one, scores the set
left out, and prints that cross-validated estimate next to the in-sample one.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from qa.text.language import LanguageDetector, function_word_counts, without_names

ROOT = Path(__file__).resolve().parents[2]
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# The language of each of the web app's examples for the seed article (SEED_EXAMPLES), in order.
APP_EXAMPLE_LANGUAGES = ("fr", "en", "es", "de", "it")
# piaf_sample.json is French but for one question (shared/eval/README.md), this one.
PIAF_SAMPLE_ENGLISH_IDS = frozenset({"p140295443282323"})

# Sets asked about the same text are one group when settings are cross-validated: the
# seed article's questions (and the app's examples, which paraphrase them), PIAF's French
# questions (piaf_sample repeats some of piaf_open_dev), PIAF's translated questions.
GROUPS = {
    "seed_qa.jsonl": "seed article",
    "multilingual_qa.jsonl": "seed article",
    "app examples": "seed article",
    "piaf_open_dev.json": "PIAF French",
    "piaf_sample.json": "PIAF French",
    "piaf_open_dev_xling.json": "PIAF translated",
}
GRID = {
    "function_word_weight": (0.5, 1.0, 1.5, 2.0, 3.0),
    "confidence_floor": (0.001, 0.01, 0.05),
    "sure": (0.9, 0.95, 0.99),
}
LONG_QUESTION_WORDS = 3
_WORD_RE = re.compile(r"\w[\w'’-]*", re.UNICODE)


@dataclass(frozen=True)
class LabelledQuestion:
    source: str
    text: str
    language: str


@dataclass
class SetResult:
    name: str
    questions: int = 0
    right: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (question, given, expected)

    @property
    def accuracy(self) -> float:
        return self.right / self.questions if self.questions else 0.0

    @property
    def long_mistakes(self) -> list[tuple[str, str, str]]:
        """Mistakes on questions of three words or more."""
        return [m for m in self.mistakes if word_count(m[0]) >= LONG_QUESTION_WORDS]

    @property
    def foreign_mistakes(self) -> list[tuple[str, str, str]]:
        """Mistakes on questions of three words or more that name a language the question
        has no words of (`written_in`)."""
        return [m for m in self.long_mistakes if not written_in(m[0], m[1], m[2])]


def written_in(text: str, language: str, expected: str) -> bool:
    """Whether ``text`` has words of ``language`` besides those of ``expected``: a question
    that mixes languages ("Qui a écrit the Spirit and the flesh") is written in each of them.

    A word counts when it is a function word of ``language`` and not of ``expected``
    (stopwordsiso's lists, as the detector reads them; names left out).

    Example:
        >>> written_in("Qui a écrit the Spirit and the flesh", "en", "fr")
        True
        >>> written_in("Quel poste occupe Han Zheng ?", "it", "fr")
        False
    """
    counts = (function_word_counts(word) for word in _WORD_RE.findall(without_names(text)))
    return any(count[language] and not count[expected] for count in counts)


def word_count(text: str) -> int:
    """Words of ``text``, a hyphenated or elided one counting once ("ira-t-il", "l'Inter")."""
    return len(_WORD_RE.findall(text))


def _jsonl(path: Path) -> list[LabelledQuestion]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [LabelledQuestion(path.name, row["question"], row["lang"]) for row in rows if row.get("lang")]


def _squad(path: Path, default_language: str | None) -> list[LabelledQuestion]:
    questions = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                language = "en" if qa.get("id") in PIAF_SAMPLE_ENGLISH_IDS else qa.get("lang", default_language)
                if language:
                    questions.append(LabelledQuestion(path.name, qa["question"], language))
    return questions


def _app_examples(path: Path) -> list[LabelledQuestion]:
    """The web app's example questions written for the seed article (`SEED_EXAMPLES` of
    `qa/serving/web/examples.py`, read as text: the tools do not import the app)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SEED_EXAMPLES" for t in node.targets):
            examples = [text for texts in ast.literal_eval(node.value).values() for text in texts]
            if len(examples) != len(APP_EXAMPLE_LANGUAGES):
                raise ValueError(f"{path.name} has {len(examples)} SEED_EXAMPLES; update APP_EXAMPLE_LANGUAGES to match")
            return [
                LabelledQuestion("app examples", text, language)
                for text, language in zip(examples, APP_EXAMPLE_LANGUAGES)
            ]
    raise ValueError(f"{path} has no SEED_EXAMPLES")


def read_questions(shared: Path = SHARED_EVAL, root: Path = ROOT) -> tuple[list[LabelledQuestion], list[str]]:
    """Every question of known language, and a note for each file that is missing."""
    readers = [
        (shared / "seed_qa.jsonl", _jsonl),
        (root / "eval" / "multilingual_qa.jsonl", _jsonl),
        (shared / "piaf_open_dev.json", lambda p: _squad(p, "fr")),
        (shared / "piaf_open_dev_xling.json", lambda p: _squad(p, None)),
        (shared / "piaf_sample.json", lambda p: _squad(p, "fr")),
        (root / "qa" / "serving" / "web" / "examples.py", _app_examples),
    ]
    questions, notes = [], []
    for path, read in readers:
        if path.is_file():
            questions.extend(read(path))
        else:
            notes.append(f"skipped {path}: not found")
    return questions, notes


def measure(questions: list[LabelledQuestion], detector: LanguageDetector | None = None) -> dict[str, SetResult]:
    """Right and wrong detections per set, in the order the sets were read.

    Example:
        >>> questions, _ = read_questions()
        >>> results = measure(questions)
        >>> sum(r.right for r in results.values()) / sum(r.questions for r in results.values()) >= 0.995
        True
    """
    detector = detector or LanguageDetector()
    results: dict[str, SetResult] = {}
    for question in questions:
        result = results.setdefault(question.source, SetResult(question.source))
        given = detector.detect(question.text)
        result.questions += 1
        if given == question.language:
            result.right += 1
        else:
            result.mistakes.append((question.text, given, question.language))
    return results


def total(results: dict[str, SetResult]) -> SetResult:
    """All sets together."""
    whole = SetResult("all")
    for result in results.values():
        whole.questions += result.questions
        whole.right += result.right
        whole.mistakes.extend(result.mistakes)
    return whole


def cross_validate(questions: list[LabelledQuestion]) -> tuple[dict[str, dict], SetResult]:
    """Leave-one-group-out: settings chosen on the other groups, scored on the one left out.

    The settings kept for a fold make the fewest mistakes on its training groups, then
    use the slow path least. Returns each fold's settings and score (and, under "all",
    the settings this rule picks on every group: qa.text.language's defaults), and the total
    over the folds.
    """
    groups = sorted({GROUPS.get(q.source, q.source) for q in questions})
    scores = []  # (settings, {group: SetResult}, slow-path calls per group)
    for values in itertools.product(*GRID.values()):
        settings = dict(zip(GRID, values))
        by_group = {}
        slow = {}
        for group in groups:
            detector = LanguageDetector(**settings)
            in_group = [q for q in questions if GROUPS.get(q.source, q.source) == group]
            by_group[group] = total(measure(in_group, detector))
            slow[group] = detector.slow_path_calls
        scores.append((settings, by_group, slow))

    def chosen(training: list[str]):
        def cost(score):
            _, by_group, slow = score
            return (sum(len(by_group[g].mistakes) for g in training), sum(slow[g] for g in training))

        return min(scores, key=cost)

    folds, held_out = {}, SetResult("cross-validated")
    for group in groups:
        settings, by_group, _ = chosen([g for g in groups if g != group])
        result = by_group[group]
        folds[group] = {"settings": settings, "questions": result.questions, "right": result.right}
        held_out.questions += result.questions
        held_out.right += result.right
        held_out.mistakes.extend(result.mistakes)
    settings, by_group, _ = chosen(groups)
    whole = [by_group[g] for g in groups]
    folds["all"] = {
        "settings": settings,
        "questions": sum(r.questions for r in whole),
        "right": sum(r.right for r in whole),
    }
    return folds, held_out


def _table(results: dict[str, SetResult]) -> str:
    lines = [
        f"{'set':<28}{'questions':>10}{'right':>8}{'accuracy':>10}{'mistakes':>10}{'>=3 words':>11}"
        f"{'not written in':>16}"
    ]
    for result in [*results.values(), total(results)]:
        lines.append(
            f"{result.name:<28}{result.questions:>10}{result.right:>8}{result.accuracy:>10.2%}"
            f"{len(result.mistakes):>10}{len(result.long_mistakes):>11}{len(result.foreign_mistakes):>16}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.tools.language_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED_EVAL, help="folder of the shared eval sets")
    parser.add_argument("--cv", action="store_true", help="also a leave-one-group-out estimate of the settings")
    args = parser.parse_args(argv)

    questions, notes = read_questions(args.shared)
    for note in notes:
        print(note)
    if not questions:
        print("no questions found")
        return 1
    detector = LanguageDetector()
    timings = []
    for question in questions[:200]:  # warm-up and per-question time, models loaded lazily
        start = time.perf_counter()
        detector.detect(question.text)
        timings.append(time.perf_counter() - start)
    detector = LanguageDetector()
    results = measure(questions, detector)
    print(_table(results))
    whole = total(results)
    print(
        f"\nslow path (high-accuracy models on the likeliest languages): {detector.slow_path_calls} of "
        f"{whole.questions} questions ({detector.slow_path_calls / whole.questions:.1%}); "
        f"median {statistics.median(timings) * 1000:.2f} ms a question"
    )
    if whole.mistakes:
        print("\nmistakes (given, expected: question):")
        for result in results.values():
            for text, given, expected in result.mistakes:
                print(f"  {result.name}: {given}, {expected}: {text}")
    if args.cv:
        folds, held_out = cross_validate(questions)
        print("\nleave-one-group-out (settings chosen on the other groups; all: chosen and scored on every group):")
        for group, fold in folds.items():
            settings = ", ".join(f"{k}={v}" for k, v in fold["settings"].items())
            print(f"  {group:<16} {fold['right']}/{fold['questions']} right with {settings}")
        print(f"  cross-validated accuracy {held_out.right}/{held_out.questions} = {held_out.accuracy:.2%}")
        print(
            f"  held-out mistakes on questions of three words or more: {len(held_out.long_mistakes)}, "
            f"in a language the question has no words of: {len(held_out.foreign_mistakes)}"
        )
        for text, given, expected in held_out.long_mistakes:
            mixed = "written in both" if written_in(text, given, expected) else "not written in it"
            print(f"    {given}, {expected} ({mixed}): {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
