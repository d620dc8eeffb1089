"""`python -m qa.tools.fit`: fit the answer scorer on the shared eval sets, cross-validated by article.

Data (paths relative to the repository; missing files are skipped):
- `../shared/eval/piaf_open_dev.json` and `piaf_open_dev_xling.json`: 344 French
  Wikipedia paragraphs indexed together; 2,206 questions (French, and 8 other
  languages), 256 of them unanswerable near misses. Grouped by article: the
  cross-lingual copy of a question falls in its article's fold.
- `../shared/eval/seed_qa.jsonl` and `eval/multilingual_qa.jsonl`: the seed article
  (one group).
- Off-topic questions, unanswerable: every 8th PIAF question asked of the seed article,
  and the seed questions that stand alone asked of the PIAF paragraphs.
- Near misses made by leaving a paragraph out (`NEAR_MISSES`): every answerable PIAF
  question (both copies) asked again as if its own paragraph were not indexed, kept when
  none of its gold answers occurs in another paragraph. They teach the abstainer what
  "about the same thing, but not the answer" looks like; the figures, the calibration and
  the thresholds are measured on the questions as they are (the natural mix).

Every question goes through `qa.answering.candidates.consider` (retrieval and the per-sentence
signals, as `answer` runs them); a candidate sentence is labelled 1 when it holds a
gold answer, and a question's reply is right when its quotes, in the fitted ranker's
order, hold one (the abstainer learns that). Five folds grouped by article estimate what
the fitted step does on articles it never saw; the hand-set rules are scored on the same
questions. Everything chosen is chosen on out-of-fold probabilities (in each fold, of
inner folds of its training part; at the end, of the five folds):
- the calibration (`calibrate`): the abstainer's probability mapped to how often a reply
  given it is right (Platt scaling), so that `Answer.confidence` means what it says;
- the abstention thresholds, on `THRESHOLD_QUANTILE` of the answerable questions: one for
  questions whose first candidate is in their own language, one for those whose first
  candidate is in another (a single threshold abstained on 14% of the answerable
  cross-lingual questions and 2.5% of the French ones);
- the threshold of "answered" (`choose_answered_threshold`): the lowest confidence at which
  at most `MAX_NEAR_MISSES_ANSWERED` of the near misses (the eval sets' unanswerable
  questions, off-topic ones aside) would be answered; below it, and above abstention, the
  reply is "uncertain": the closest passages, said not to be a sure answer. (A precision
  of 90% for "answered" was the first aim: out of fold, the most confident tenth of the
  PIAF replies was right 89% of the time, so no threshold reaches it; docs/confidence.md.)
The abstention trade-off, the reliability diagram and the risk-coverage curve are drawn
to `docs/` when matplotlib is installed. The final scorer is fitted on everything and
written to `qa/answering/data/answer_scorer.json` with these figures.
Deterministic: same data, same file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qa.answering.answer_scorer import SCORER_PATH, AnswerScorer, candidate_features
from qa.answering.candidates import prose_first
from qa.config import Settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval"
SQUAD_SETS = ("piaf_open_dev.json", "piaf_open_dev_xling.json")
SEED_SETS = (SHARED / "seed_qa.jsonl", ROOT / "eval" / "multilingual_qa.jsonl")
FOLDS = 5
MAX_FALSE_ABSTENTIONS = 0.05
THRESHOLD_QUANTILE = 0.02
# "answered" is said from the confidence at which at most this share of near misses would be.
MAX_NEAR_MISSES_ANSWERED = 0.10
NEAR_MISSES = "near misses (own paragraph left out)"
# Off-topic questions: the eval sets' unanswerable questions are near misses (on the
# corpus's subject), so questions of one corpus asked of the other teach the abstainer
# what an off-topic question looks like. Each stays in its article's group (the seed
# article's, or its PIAF article's), so cross-validation holds it out with its own kind.
OFF_TOPIC = "off-topic (asked of the other corpus)"
OFF_TOPIC_EVERY = 8
L2 = 10.0  # 1.0 and 10.0 gave the same cross-validated figures within 0.2 points


@dataclass
class Item:
    """A question as answering considered it, with what a right answer holds."""

    considered: object
    answers: list[str]
    answerable: bool
    group: str
    set_name: str
    features: np.ndarray
    labels: np.ndarray

    @property
    def made(self) -> bool:
        """A near miss made by leaving its paragraph out: learnt from, not measured on."""
        return self.set_name == NEAR_MISSES


def squad_sets(names, settings: Settings, *, show_progress: bool = True):
    """(name, SQuAD data, index of its paragraphs) for each of ``names`` in `SHARED` that exists."""
    from qa.tools.evaluation import _paragraph_index

    for name in names:
        path = SHARED / name
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        squad = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
        yield name, squad, _paragraph_index(path, paragraphs, settings, show_progress=show_progress)


def collect(settings: Settings, *, show_progress: bool = True) -> list[Item]:
    """Every question of the sets, considered by today's retrieval and signals, and the
    off-topic questions (`OFF_TOPIC`) made by asking one corpus the other's questions."""
    from qa.storing.collection import default_collection

    items: list[Item] = []
    seed_settings = replace(settings, corpus_dir=ROOT / "seeds", index_dir=settings.cache_dir / "fit-seed-index",
                            upload_dir=settings.cache_dir / "fit-seed-uploads")
    seed_index = default_collection(seed_settings).index()
    piaf_index = None
    for name, squad, index in squad_sets(SQUAD_SETS, settings, show_progress=show_progress):
        piaf_index = piaf_index or index
        questions = [
            (article.get("title", str(a)), qa)
            for a, article in enumerate(squad["data"])
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
        for title, qa in _progress(questions, name, show_progress):
            answers = [a["text"] for a in qa.get("answers", [])]
            items.append(_item(qa["question"], [], answers, not qa.get("is_impossible", False), title, name, index, settings))
        # The same questions without their own paragraph: near misses, when no other paragraph holds their answer.
        left_out = _near_misses(squad)
        for title, qa, paragraph in _progress(left_out, f"{name}, own paragraph left out", show_progress):
            items.append(_item(qa["question"], [], [], False, title, NEAR_MISSES, index, settings, leave_out=paragraph))
        # Every OFF_TOPIC_EVERY-th question, asked of the seed article: nothing there answers it.
        for title, qa in _progress(questions[::OFF_TOPIC_EVERY], f"{name} asked of the seed article", show_progress):
            items.append(_item(qa["question"], [], [], False, title, OFF_TOPIC, seed_index, settings))
    for path in SEED_SETS:
        if not path.is_file():
            logger.warning("%s is missing: skipped", path)
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in _progress(rows, path.name, show_progress):
            items.append(
                _item(row["question"], row.get("history") or [], row.get("answers", []), row.get("answerable", True),
                      "seed", path.name, seed_index, settings)
            )
        if piaf_index is not None:  # the seed questions that stand alone, asked of the PIAF paragraphs
            alone = [row for row in rows if not row.get("history")]
            for row in _progress(alone, f"{path.name} asked of PIAF", show_progress):
                items.append(_item(row["question"], [], [], False, "seed", OFF_TOPIC, piaf_index, settings))
    return items


def _near_misses(squad: dict) -> list[tuple[str, dict, int]]:
    """(article, question, its paragraph's number) for each answerable question none of
    whose gold answers occurs in another paragraph of the corpus (the paragraphs are
    indexed in order, so a paragraph's number is its document's)."""
    from qa.tools.evaluation import normalise

    paragraphs = [(article.get("title", str(a)), p) for a, article in enumerate(squad["data"]) for p in article["paragraphs"]]
    texts = [normalise(p["context"]) for _, p in paragraphs]
    corpus = "\x00".join(texts)
    made = []
    for number, ((title, paragraph), text) in enumerate(zip(paragraphs, texts)):
        for qa in paragraph["qas"]:
            answers = [normalise(a["text"]) for a in qa.get("answers", [])]
            if answers and not qa.get("is_impossible", False) and all(corpus.count(a) == text.count(a) for a in answers):
                made.append((title, qa, number))
    return made


def _progress(rows, name, show):
    if not show:
        return rows
    from tqdm import tqdm

    return tqdm(rows, desc=name, unit="question")


def _item(question, earlier, answers, answerable, group, set_name, index, settings, *, leave_out=None) -> Item:
    from qa.answering.candidates import consider
    from qa.tools.evaluation import contains_answer, replay
    from qa.pipeline import DEFAULT_PIPELINE, RULES_PIPELINE
    from qa.retrieving.retrieval import clean_question

    # Earlier turns are replayed with the hand-set rules: the fit must not depend on the
    # scorer it replaces (same data, same file).
    history = replay(earlier, index, settings, pipeline=RULES_PIPELINE)
    question = clean_question(question, settings)
    considered = consider(
        question, index, settings.top_k, history=history, settings=settings, pipeline=DEFAULT_PIPELINE, leave_out=leave_out
    )
    labels = np.array(
        [answerable and contains_answer(answers, index.span_text(*map(int, index.sentences[c.sentence])))
         for c in considered.candidates],
        dtype=np.int8,
    )
    return Item(considered, answers, answerable, group, set_name, candidate_features(considered), labels)


# --- scoring a decision ------------------------------------------------------------------


def _outcome(item: Item, decision) -> dict:
    """What the reply to an item is worth, given the answer step's `Decision`."""
    from qa.answering.citations import select_citations
    from qa.results import ABSTAINED
    from qa.tools.evaluation import cites_answer

    if decision.status == ABSTAINED:
        return {"status": ABSTAINED, "confidence": decision.confidence, "correct": False}
    citations = select_citations(item.considered.index, decision.candidates)
    correct = item.answerable and cites_answer(item.answers, citations)
    return {"status": decision.status, "confidence": decision.confidence, "correct": correct}


def _ranked(item: Item, scorer: AnswerScorer):
    """The item's candidates in the scorer's order, with their shares (as the reply quotes them)."""
    if not len(item.features):
        return []
    order = scorer.order(item.features)
    shares = scorer.shares(item.features)
    return prose_first([replace(item.considered.candidates[i], share=float(shares[i])) for i in order])


def _reply_right(item: Item, scorer: AnswerScorer) -> bool:
    """Whether the reply quoting the item's candidates in the scorer's order holds a gold answer."""
    from qa.answering.citations import select_citations
    from qa.tools.evaluation import cites_answer

    ranked = _ranked(item, scorer)
    return bool(ranked) and item.answerable and cites_answer(item.answers, select_citations(item.considered.index, ranked))


def _fitted(item: Item, scorer: AnswerScorer):
    from qa.answering.extractive import fitted_decision

    return fitted_decision(item.considered, scorer)


def _rules(item: Item):
    from qa.answering.extractive import decide
    from qa.pipeline import RULES_PIPELINE

    return decide(item.considered, pipeline=RULES_PIPELINE)


def summarise(items: list[Item], outcomes: list[dict]) -> dict:
    """The eval's figures (../shared/eval/README.md) for these replies."""
    from qa.results import ABSTAINED, ANSWERED, STATUSES

    answerable = [o for i, o in zip(items, outcomes) if i.answerable]
    unanswerable = [o for i, o in zip(items, outcomes) if not i.answerable]
    answered = [o for o in outcomes if o["status"] == ANSWERED]
    figures = {
        "questions": len(items),
        "answer_accuracy": sum(o["correct"] for o in answerable) / max(len(answerable), 1),
        "abstention": sum(o["status"] == ABSTAINED for o in unanswerable) / len(unanswerable) if unanswerable else None,
        "false_abstentions": sum(o["status"] == ABSTAINED for o in answerable) / max(len(answerable), 1),
        "status": {s: sum(o["status"] == s for o in outcomes) / max(len(outcomes), 1) for s in STATUSES},
        "precision_of_answered": sum(o["correct"] for o in answered) / len(answered) if answered else None,
        "coverage": sum(o["correct"] and o["status"] == ANSWERED for o in answerable) / max(len(answerable), 1),
        "near_misses_answered": sum(o["status"] == ANSWERED for o in unanswerable) / len(unanswerable) if unanswerable else None,
    }
    confident = [o for o in outcomes if o["confidence"] is not None]
    if confident:
        from qa.tools.evaluation import calibration_error

        figures["calibration_error"] = calibration_error([o["confidence"] for o in confident], [o["correct"] for o in confident])
    return figures


def choose_threshold(items: list[Item], best: np.ndarray, limit: float = THRESHOLD_QUANTILE) -> float:
    """The highest threshold whose false abstentions stay within ``limit`` of the answerable."""
    answerable = np.array([i.answerable for i in items], bool)
    scores = np.sort(best[answerable])
    allowed = int(np.floor(limit * len(scores)))
    # Abstaining below scores[allowed] abstains on `allowed` answerable questions at most.
    return float(scores[allowed]) if len(scores) > allowed else 0.0


def choose_thresholds(
    items: list[Item], best: np.ndarray, cross: np.ndarray, limit: float = THRESHOLD_QUANTILE
) -> tuple[float, float]:
    """`choose_threshold` for the questions whose first candidate is in their language, and
    for those whose first candidate is not (``cross``): each kind is abstained on at most
    ``limit`` of its answerable questions."""
    return tuple(
        choose_threshold([i for i, c in zip(items, cross) if c == kind], best[cross == kind], limit)
        for kind in (False, True)
    )


def calibrate(probabilities: np.ndarray, right: np.ndarray, knots: int = 201) -> dict:
    """The map from the abstainer's probability to how often a reply given it is right:
    a logistic fit on the probability's log-odds (Platt scaling) of out-of-fold
    probabilities, kept as ``knots`` points. Isotonic regression calibrated as well (2.8
    points of expected error against 3.3) but its flat steps made the answered threshold
    jump: out of fold it answered 4% of the near misses for a 10% aim, and a third less
    of the answerable questions (docs/confidence.md)."""
    from sklearn.linear_model import LogisticRegression

    def log_odds(p):
        p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))[:, None]

    model = LogisticRegression(C=1e6).fit(log_odds(probabilities), np.asarray(right, int))
    grid = np.linspace(0.0, 1.0, knots)
    return {"probability": grid.tolist(), "confidence": model.predict_proba(log_odds(grid))[:, 1].tolist()}


def choose_answered_threshold(confidences: np.ndarray, near_miss: np.ndarray, limit: float = MAX_NEAR_MISSES_ANSWERED) -> float:
    """The lowest confidence from which at most ``limit`` of the near misses (``near_miss``
    marks them among the replies) would be said to answer.

    Example:
        >>> t = choose_answered_threshold(np.array([0.9, 0.8, 0.6, 0.5]), np.array([False, True, False, True]), 0.5)
        >>> 0.5 < t <= 0.6  # answers 0.9, 0.8 and 0.6: one of the two near misses
        True
    """
    misses = np.sort(confidences[near_miss])[::-1]
    allowed = int(np.floor(limit * len(misses)))
    if allowed >= len(misses):
        return float(confidences.min()) if len(confidences) else 0.0
    # Answering from just above the (allowed + 1)-th most confident near miss answers `allowed` of them.
    return float(np.nextafter(misses[allowed], np.inf))


def _set_thresholds(scorer: AnswerScorer, thresholds: tuple[float, float]) -> None:
    scorer.threshold_, scorer.cross_lingual_threshold_ = thresholds


def _cross(scorer: AnswerScorer, items: list[Item]) -> np.ndarray:
    return np.array([scorer.first_is_cross_lingual(i.features) for i in items], bool)


def _fit(items: list[Item]) -> tuple[AnswerScorer, np.ndarray]:
    """The ranker, then the abstainer on whether each reply in its order is right (returned too)."""
    scorer = AnswerScorer(l2=L2).fit_ranker([i.features for i in items], [i.labels for i in items])
    right = np.array([_reply_right(i, scorer) for i in items], bool)
    return scorer.fit_abstainer([i.features for i in items], right.tolist()), right


def _answers(scorer: AnswerScorer, item: Item) -> float:
    return scorer.rank(item.features)[1]


def _inner_out_of_fold(scorer: AnswerScorer, items: list[Item], right: np.ndarray, folds: int) -> np.ndarray:
    """Each item's probability that its reply is right, from an abstainer fitted without
    its article (the ranker stays ``scorer``'s): calibration and thresholds are chosen on
    these, as the shipped ones are on the outer folds' (a model's probabilities on its own
    training data are too sure of themselves)."""
    from sklearn.model_selection import GroupKFold

    from qa.answering.trees import BoostedTrees

    with_candidates = np.array([j for j, i in enumerate(items) if len(i.features)])
    rows = scorer.question_rows([i.features for i in items])
    groups = [items[j].group for j in with_candidates]
    probabilities = np.zeros(len(items))
    for train, test in GroupKFold(n_splits=folds).split(rows, groups=groups):
        trees = BoostedTrees.fit(rows[train], right[with_candidates[train]])
        probabilities[with_candidates[test]] = trees.probability(rows[test])
    return probabilities


def _choose(scorer: AnswerScorer, items: list[Item], probabilities: np.ndarray, right: np.ndarray) -> None:
    """Set ``scorer``'s calibration and thresholds from out-of-fold ``probabilities`` of
    ``items``, measured on the natural mix (made near misses left aside)."""
    natural = np.array([not i.made and len(i.features) > 0 for i in items], bool)
    chosen = [i for i, n in zip(items, natural) if n]
    scorer.calibration_ = calibrate(probabilities[natural], right[natural])
    _set_thresholds(scorer, choose_thresholds(chosen, probabilities[natural], _cross(scorer, chosen)))
    confidences = np.array([scorer.confidence(p) for p in probabilities[natural]])
    near_miss = np.array([not i.answerable and i.set_name != OFF_TOPIC for i in chosen], bool)
    scorer.answered_threshold_ = choose_answered_threshold(confidences, near_miss)


def cross_validate(items: list[Item], folds: int = FOLDS) -> dict:
    """Out-of-fold figures of the fitted step and of the rules, grouped by article."""
    import copy

    from sklearn.model_selection import GroupKFold

    groups = [i.group for i in items]
    answers = np.zeros(len(items))
    right = np.zeros(len(items), bool)
    fitted_outcomes, never = [None] * len(items), [None] * len(items)
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(items)), groups=groups):
        train_items = [items[j] for j in train]
        scorer, train_right = _fit(train_items)
        _choose(scorer, train_items, _inner_out_of_fold(scorer, train_items, train_right, folds), train_right)
        always = copy.copy(scorer)
        _set_thresholds(always, (-1.0, -1.0))
        always.answered_threshold_ = -1.0
        for j in test:
            answers[j] = _answers(scorer, items[j])
            right[j] = _reply_right(items[j], scorer)
            fitted_outcomes[j] = _outcome(items[j], _fitted(items[j], scorer))
            never[j] = _outcome(items[j], _fitted(items[j], always))
    rules = [_outcome(i, _rules(i)) for i in items]
    report = {"fitted": _by_set(items, fitted_outcomes), "rules": _by_set(items, rules), "fitted, never abstain": _by_set(items, never)}
    return {"report": report, "best": answers, "right": right, "outcomes": fitted_outcomes}


def _by_set(items: list[Item], outcomes: list[dict]) -> dict:
    natural = [(i, o) for i, o in zip(items, outcomes) if not i.made]
    result = {"all": summarise([i for i, _ in natural], [o for _, o in natural])}
    for name in sorted({i.set_name for i in items}):
        chosen = [(i, o) for i, o in zip(items, outcomes) if i.set_name == name]
        result[name] = summarise([i for i, _ in chosen], [o for _, o in chosen])
    return result


def tradeoff(items: list[Item], best: np.ndarray, cross: np.ndarray) -> list[tuple[float, float, float]]:
    """(limit, share of unanswerable abstained, share of answerable abstained) for the
    thresholds `choose_thresholds` gives at each limit of false abstentions."""
    return [(float(limit), *abstained_shares(items, best, cross, choose_thresholds(items, best, cross, limit)))
            for limit in np.linspace(0, 0.6, 121)]


def abstained_shares(items: list[Item], best: np.ndarray, cross: np.ndarray, thresholds) -> tuple[float, float]:
    """(share of unanswerable abstained, share of answerable abstained) at ``thresholds``."""
    answerable = np.array([i.answerable for i in items], bool)
    abstained = best < np.where(cross, thresholds[1], thresholds[0])
    return float(abstained[~answerable].mean()), float(abstained[answerable].mean())


def risk_coverage(items: list[Item], confidences: np.ndarray, correct: np.ndarray) -> list[tuple[float, float, float]]:
    """(threshold, precision of the replies at or above it, coverage: answerable questions
    answered right at or above it, over all answerable) along the confidences."""
    answerable = np.array([i.answerable for i in items], bool)
    points = []
    for level in np.unique(np.round(confidences, 3)):
        above = confidences >= level
        points.append((float(level), float(correct[above].mean()), float((correct & above & answerable).sum() / max(answerable.sum(), 1))))
    return points


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        logger.warning("matplotlib is not installed: the figures of docs/ are not drawn (pip install matplotlib)")
        return None
    return plt


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def draw(points, chosen: tuple[float, float], rules: dict, path: Path) -> bool:
    """The trade-off curve, the chosen operating point (unanswerable, answerable abstained) and the rules'."""
    plt = _pyplot()
    if plt is None:
        return False
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=120)
    ax.plot([100 * p[2] for p in points], [100 * p[1] for p in points], label="fitted scorer (out-of-fold)")
    ax.scatter([100 * chosen[1]], [100 * chosen[0]], color="C1", zorder=3,
               label=f"chosen: {THRESHOLD_QUANTILE:.0%} of each kind's answerable abstained")
    ax.scatter([100 * rules["false_abstentions"]], [100 * (rules["abstention"] or 0)], marker="x", color="C3",
               zorder=3, label="hand-set rules")
    ax.axvline(100 * MAX_FALSE_ABSTENTIONS, color="grey", linestyle=":", label="5% false abstentions")
    ax.set_xlabel("answerable questions abstained (%)")
    ax.set_ylabel("unanswerable questions abstained (%)")
    ax.set_title("Abstention trade-off, cross-validated by article")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    _save(fig, path)
    return True


def draw_reliability(bins: list[tuple[float, float, int]], error: float, path: Path) -> bool:
    """The reliability diagram: each bin's mean confidence against its share of right replies."""
    plt = _pyplot()
    if plt is None:
        return False
    fig, ax = plt.subplots(figsize=(5, 4.6), dpi=120)
    ax.plot([0, 100], [0, 100], color="grey", linestyle=":", label="perfectly calibrated")
    ax.plot([100 * b[0] for b in bins], [100 * b[1] for b in bins], marker="o", label=f"out of fold (ECE {100 * error:.1f} points)")
    for confidence, share, count in bins:
        ax.annotate(str(count), (100 * confidence, 100 * share), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("confidence (%)")
    ax.set_ylabel("replies whose quotes hold the answer (%)")
    ax.set_title("Reliability, cross-validated by article")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    _save(fig, path)
    return True


def draw_risk_coverage(points, chosen: tuple[float, float], path: Path) -> bool:
    """Precision of "answered" against its coverage, the operating point marked."""
    plt = _pyplot()
    if plt is None:
        return False
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=120)
    ax.plot([100 * p[2] for p in points], [100 * p[1] for p in points], label="confidence threshold (out of fold)")
    ax.scatter([100 * chosen[1]], [100 * chosen[0]], color="C1", zorder=3, label="operating point")
    ax.set_xlabel("coverage: answerable questions answered right (%)")
    ax.set_ylabel("precision of answered (%)")
    ax.set_title("Risk-coverage of \"answered\", cross-validated by article")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    _save(fig, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.tools.fit", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=SCORER_PATH, help="where to write the fitted scorer")
    parser.add_argument("--plots", type=Path, default=ROOT / "docs", help="folder of the figures")
    parser.add_argument("--report", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    items = collect(Settings.from_env())
    finish(items, out=args.out, plots=args.plots, report=args.report)
    return 0


def finish(items: list[Item], *, out: Path = SCORER_PATH, plots: Path = ROOT / "docs", report: Path | None = None) -> AnswerScorer:
    """Cross-validate, fit on everything, choose calibration and thresholds, write the scorer
    to ``out`` and the figures to ``plots``."""
    validated = cross_validate(items)
    best, right = validated["best"], validated["right"]
    scorer, _ = _fit(items)
    _choose(scorer, items, best, right)
    natural = [j for j, i in enumerate(items) if not i.made]
    natural_items = [items[j] for j in natural]
    cross = _cross(scorer, natural_items)
    thresholds = (scorer.threshold_, scorer.cross_lingual_threshold_)
    outcomes = [validated["outcomes"][j] for j in natural]
    confidences = np.array([o["confidence"] if o["confidence"] is not None else 0.0 for o in outcomes])
    correct = np.array([o["correct"] for o in outcomes], bool)
    scorer.fitted_on_ = {
        "sets": sorted({i.set_name for i in items}),
        "questions": len(items),
        "candidates": int(sum(len(i.labels) for i in items)),
        "folds": f"{FOLDS}, grouped by article",
        "threshold": f"abstains on {THRESHOLD_QUANTILE:.0%} of the answerable questions, out of fold, "
        "among those whose first candidate is in their language and among the others",
        "answered_threshold": f"the lowest confidence at which at most {MAX_NEAR_MISSES_ANSWERED:.0%} of the near misses "
        "are answered, out of fold",
        "calibration": "Platt scaling of the out-of-fold probabilities on whether the reply was right",
        "cross_lingual_questions": int(cross.sum()),
        "cross_validated": validated["report"],
        "command": "python -m qa.tools.fit",
    }
    scorer.save(out)
    best_natural = best[natural]
    draw(tradeoff(natural_items, best_natural, cross), abstained_shares(natural_items, best_natural, cross, thresholds),
         validated["report"]["rules"]["all"], plots / "abstention.png")
    figures = validated["report"]["fitted"]["all"]
    from qa.tools.evaluation import reliability

    draw_reliability(reliability(confidences, correct), figures["calibration_error"], plots / "calibration.png")
    draw_risk_coverage(risk_coverage(natural_items, confidences, correct),
                       (figures["precision_of_answered"] or 0.0, figures["coverage"]), plots / "risk-coverage.png")
    if report:
        report.write_text(json.dumps(scorer.fitted_on_, indent=1), encoding="utf-8")
    print(json.dumps(validated["report"], indent=1))
    print(f"thresholds {thresholds[0]:.4f}, cross-lingual {thresholds[1]:.4f}, answered from confidence "
          f"{scorer.answered_threshold_:.4f}; written to {out}")
    return scorer


if __name__ == "__main__":
    sys.exit(main())
