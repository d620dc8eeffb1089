"""A fitted answer scorer: which candidate sentence answers, and whether any does.

`candidate_features` turns what answering computed for a question (`Considered`) into
one row of named features per candidate sentence. `AnswerScorer` holds two small
models fitted by `python -m qa.tools.fit` on the shared eval sets (see `qa.tools.fit` for the data,
the article-grouped cross-validation and the figures):

- a ranker: a conditional logit (softmax over a question's candidates, one weight per
  feature) fitted to put a sentence holding a gold answer first. Pointwise logistic
  regression ranked worse than the hand-set score (cross-validated answer accuracy
  57.5% against 61.3% on 2,260 questions); the listwise fit ranks as well as it (66.3%
  against 66.0% with abstention off);
- an abstainer: gradient-boosted trees (`qa.answering.trees`) giving the probability that the
  first candidate answers, from the ranker's margin, the first candidate's signals and
  the best of all candidates (`QUESTION_FEATURES`); below `threshold_` qa says the
  documents don't answer (below `cross_lingual_threshold_` when the first candidate is
  in another language than the question: each is chosen to keep that kind of question's
  false abstentions at the same share). Logistic regression on the same features
  abstained on fewer unanswerable questions at the same false abstentions (docs/fitted-answer-step.md).

The learned values ship as JSON (`qa/answering/data/answer_scorer.json`) with the feature names
and what they were fitted on; prediction is numpy. scikit-learn and scipy fit them.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

from qa.answering.candidates import REQUIRED_KINDS
from qa.errors import QAError
from qa.answering.trees import BoostedTrees
from qa.results import ABSTAINED, ANSWERED, UNCERTAIN
from qa.text.lexical import terms

SCORER_PATH = Path(__file__).with_name("data") / "answer_scorer.json"
# A calibration that leaves the abstainer's probability as it is.
IDENTITY_CALIBRATION = {"probability": [0.0, 1.0], "confidence": [0.0, 1.0]}

FEATURES = (
    "dense",  # cosine similarity of question and sentence (e5)
    "dense_gap",  # how far below the best candidate's similarity
    "grounding",  # share of the question's content words found near the sentence
    "typed_answer",  # the question asks for a date/count/duration and the sentence holds one
    "typed_missing",  # ... and the sentence holds none
    "who_name",  # a "who" question and a name in the sentence
    "chunk_rank",  # rank of the sentence's best chunk in the fused retrieval
    "chunk_score",  # that chunk's fused retrieval score in (0, 1]
    "chunk_lexical",  # log(1 + the chunk's BM25 score)
    "unknown_name",  # the question names something no document mentions
    "log_chars",  # log of the sentence's length in characters
    "question_words",  # log(1 + the question's content words)
    "rule_rank",  # log(1 + the sentence's place in the hand-set order)
    "rule_gap",  # how far below the best hand-set score
    "cross_lingual",  # the sentence's document is in another language than the question
    "cross_grounding",  # grounding, for such a sentence (words are found less often across languages)
    "own_terms",  # share of the question's content words spelled in the sentence itself (not its window)
    "own_terms_gap",  # how far below the best candidate's share
)


def candidate_features(considered) -> np.ndarray:
    """One row of `FEATURES` per candidate of a `qa.answering.candidates.Considered`, in its order."""
    candidates = considered.candidates
    if not candidates:
        return np.zeros((0, len(FEATURES)), np.float32)
    index, hits, kind = considered.index, considered.hits, considered.kind
    best_dense = max(c.dense for c in candidates)
    best_score = max(c.score for c in candidates)
    required = kind in REQUIRED_KINDS
    unknown = float(bool(considered.unknown_names))
    question_words = math.log1p(len(considered.words.words))
    own = [own_terms(considered.words.stems, index, c.sentence) for c in candidates]
    best_own = max(own)
    rows = []
    for place, c in enumerate(candidates):
        hit = hits[c.chunk_rank]
        document, start, end = (int(v) for v in index.sentences[c.sentence])
        cross = float(index.document_language(document) != considered.language)
        rows.append(
            (
                c.dense,
                best_dense - c.dense,
                c.grounding,
                float(required and c.type_match),
                float(required and not c.type_match),
                float(kind == "who" and c.type_match),
                float(c.chunk_rank),
                hit.score,
                math.log1p(max(hit.lexical, 0.0)),
                unknown,
                math.log(max(end - start, 1)),
                question_words,
                math.log1p(place),
                best_score - c.score,
                cross,
                cross * c.grounding,
                own[place],
                best_own - own[place],
            )
        )
    return np.asarray(rows, np.float32)


def own_terms(stems: list[str], index, sentence: int) -> float:
    """Share of a question's content-word stems spelled in the sentence itself.

    Grounding reads a sentence's window, so every sentence of a short paragraph is
    "grounded" alike; e5 puts "Bo Chen is the designer." closer to "Who is the tech lead?"
    than "Ana Lima is the tech lead." (0.88 against 0.85). The sentence's own words tell
    them apart.
    """
    if not stems:
        return 1.0
    own = set(terms(index.span_text(*(int(v) for v in index.sentences[sentence])), keep_stopwords=True))
    return sum(stem in own for stem in stems) / len(stems)


QUESTION_FEATURES = (
    "top_logit",
    "logit_margin",
    "dense",
    "grounding",
    "typed_missing",
    "unknown_name",
    "cross_lingual",
    "cross_grounding",
    "most_dense",  # the highest similarity among all candidates
    "most_grounding",  # the highest grounding among all candidates
    "chunk_lexical",  # the first candidate's chunk's BM25 score (log)
    "own_terms",  # the first candidate's share of the question's words in itself
    "most_own_terms",  # the highest such share among all candidates
)


@functools.cache
def shipped_scorer() -> AnswerScorer:
    """The scorer shipped with qa, loaded once."""
    return AnswerScorer.load(SCORER_PATH)


class AnswerScorer:
    """A listwise ranker of candidate sentences and a question-level abstainer.

    Args:
        l2: L2 penalty of the ranker's weights (on standardised features).

    Attributes (after `fit` or `load`):
        mean_, scale_: standardisation of each of `FEATURES`.
        coef_: the ranker's weight per standardised feature.
        abstainer_: the abstainer over `QUESTION_FEATURES` (`qa.answering.trees.BoostedTrees`).
        threshold_: abstain when the abstainer's probability is under it (set by `qa.tools.fit`).
        cross_lingual_threshold_: the same, when the first candidate is in another
            language than the question (`threshold_for`).
        fitted_on_: what data and figures the values come from.

    Example:
        >>> scorer = AnswerScorer.load()
        >>> len(scorer.coef_) == len(FEATURES), scorer.answered_threshold_ > scorer.threshold_
        (True, True)
    """

    def __init__(self, *, l2: float = 10.0):
        self.l2 = l2

    def fit(self, features: list[np.ndarray], labels: list[np.ndarray], right: list[bool] | None = None) -> AnswerScorer:
        """Fit the ranker on questions with an answering candidate, then the abstainer on all.

        Args:
            features: per question, one row of `FEATURES` per candidate.
            labels: per question, 1 for each candidate holding a gold answer.
            right: per question, whether the reply quoting its candidates in the fitted
                ranker's order holds a gold answer (`qa.tools.fit` works it out between
                `fit_ranker` and `fit_abstainer`); default: whether the first candidate does.
        """
        self.fit_ranker(features, labels)
        if right is None:
            right = [bool(len(x)) and bool(y[self.order(x)[0]]) for x, y in zip(features, labels)]
        return self.fit_abstainer(features, right)

    def fit_ranker(self, features: list[np.ndarray], labels: list[np.ndarray]) -> AnswerScorer:
        """Fit the ranker alone (see `fit`)."""
        from scipy.optimize import minimize

        rows = np.vstack([x for x in features if len(x)]).astype(np.float64)
        self.mean_ = rows.mean(axis=0)
        self.scale_ = np.where(rows.std(axis=0) > 0, rows.std(axis=0), 1.0)
        lists = [(self._standard(x), y / y.sum()) for x, y in zip(features, labels) if len(x) and y.any()]

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient = self.l2 * (w @ w) / 2, self.l2 * w
            for x, target in lists:
                z = x @ w
                p = np.exp(z - z.max())
                p /= p.sum()
                value -= float(target @ np.log(p + 1e-12))
                gradient = gradient - x.T @ (target - p)
            return value, gradient

        self.coef_ = minimize(loss, np.zeros(rows.shape[1]), jac=True, method="L-BFGS-B").x
        self.threshold_ = self.cross_lingual_threshold_ = 0.5
        self.answered_threshold_ = 0.5
        self.calibration_ = IDENTITY_CALIBRATION
        self.fitted_on_: dict = {}
        return self

    def fit_abstainer(self, features: list[np.ndarray], right: list[bool]) -> AnswerScorer:
        """Fit the abstainer, after the ranker: the probability that a question's reply holds
        its answer, from `question_rows`."""
        answered = np.array([r for x, r in zip(features, right) if len(x)], bool)
        self.abstainer_ = BoostedTrees.fit(self.question_rows(features), answered)
        return self

    def question_rows(self, features: list[np.ndarray]) -> np.ndarray:
        """The abstainer's rows: one per question with candidates, of `QUESTION_FEATURES`."""
        return np.array([self._question_row(x) for x in features if len(x)]).reshape(-1, len(QUESTION_FEATURES))

    def rank(self, features: np.ndarray) -> tuple[np.ndarray, float]:
        """The candidates' order, best first, and the probability that the first answers."""
        if not len(features):
            return np.zeros(0, np.int64), 0.0
        order = self.order(features)
        return order, float(self.abstainer_.probability(self._question_row(features))[0])

    def confidence(self, probability: float) -> float:
        """The abstainer's probability, calibrated: how often a reply given it holds the
        answer, as measured out of fold (`calibration_`: a non-decreasing map, in knots)."""
        knots = self.calibration_
        return float(np.interp(probability, knots["probability"], knots["confidence"]))

    def status(self, features: np.ndarray) -> tuple[str, float]:
        """What the reply to a question with these candidates is, and its confidence:
        ``"abstained"`` under the abstention threshold (`threshold_for`), ``"answered"`` from
        `answered_threshold_` of confidence, ``"uncertain"`` between."""
        order, probability = self.rank(features)
        confidence = self.confidence(probability)
        if not len(order) or probability < self.threshold_for(features):
            return ABSTAINED, confidence
        return (ANSWERED if confidence >= self.answered_threshold_ else UNCERTAIN), confidence

    def shares(self, features: np.ndarray) -> np.ndarray:
        """Each candidate's probability, under the ranker's softmax, of being the one that
        answers (given that one does); they sum to 1 over the question's candidates."""
        logits = self._logits(features)
        weights = np.exp(logits - logits.max())
        return weights / weights.sum()

    def first_is_cross_lingual(self, features: np.ndarray) -> bool:
        """Whether the first candidate, in the ranker's order, is in another language than the question."""
        return bool(len(features)) and bool(features[self.order(features)[0], FEATURES.index("cross_lingual")] > 0.5)

    def threshold_for(self, features: np.ndarray) -> float:
        """The abstention threshold for a question with these candidates."""
        return self.cross_lingual_threshold_ if self.first_is_cross_lingual(features) else self.threshold_

    def _standard(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, np.float64) - self.mean_) / self.scale_

    def order(self, features: np.ndarray) -> np.ndarray:
        """The candidates' order under the ranker alone, best first."""
        return np.argsort(-self._logits(features), kind="stable")

    def _logits(self, features: np.ndarray) -> np.ndarray:
        return self._standard(features) @ self.coef_

    def _question_row(self, features: np.ndarray) -> np.ndarray:
        logits = self._logits(features)
        order = np.argsort(-logits, kind="stable")
        best = features[order[0]]
        margin = logits[order[0]] - logits[order[1]] if len(order) > 1 else 5.0
        return np.array(
            [
                logits[order[0]],
                margin,
                best[FEATURES.index("dense")],
                best[FEATURES.index("grounding")],
                best[FEATURES.index("typed_missing")],
                best[FEATURES.index("unknown_name")],
                best[FEATURES.index("cross_lingual")],
                best[FEATURES.index("cross_grounding")],
                features[:, FEATURES.index("dense")].max(),
                features[:, FEATURES.index("grounding")].max(),
                best[FEATURES.index("chunk_lexical")],
                best[FEATURES.index("own_terms")],
                features[:, FEATURES.index("own_terms")].max(),
            ]
        )

    def save(self, path: str | Path = SCORER_PATH) -> None:
        data = {
            "features": list(FEATURES),
            "question_features": list(QUESTION_FEATURES),
            "l2": self.l2,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "threshold": self.threshold_,
            "cross_lingual_threshold": self.cross_lingual_threshold_,
            "answered_threshold": self.answered_threshold_,
            "calibration": {k: [round(float(v), 6) for v in vs] for k, vs in self.calibration_.items()},
            "fitted_on": self.fitted_on_,
            "abstainer": "__ABSTAINER__",
        }
        # The trees' thousands of numbers on one line; the rest one value a line.
        trees = json.dumps(self.abstainer_.to_dict(), separators=(",", ":"), allow_nan=False)
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).replace('"__ABSTAINER__"', trees)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = SCORER_PATH) -> AnswerScorer:
        """The scorer saved at ``path`` (default: the one shipped with qa).

        Raises:
            QAError: the file is missing, or was fitted on other features.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise QAError(f"{path}: no fitted answer scorer ({exc}); run `python -m qa.tools.fit`.") from None
        same = tuple(data.get("features", ())) == FEATURES and tuple(data.get("question_features", ())) == QUESTION_FEATURES
        if not same or "abstainer" not in data:
            raise QAError(f"{path} was fitted on other features; run `python -m qa.tools.fit` again.")
        scorer = cls(l2=data["l2"])
        scorer.mean_ = np.asarray(data["mean"])
        scorer.scale_ = np.asarray(data["scale"])
        scorer.coef_ = np.asarray(data["coef"])
        try:
            scorer.abstainer_ = BoostedTrees.from_dict(data["abstainer"])
        except (KeyError, TypeError, ValueError) as exc:
            raise QAError(f"{path}: its abstainer is damaged ({exc!r}); run `python -m qa.tools.fit` again.") from None
        scorer.threshold_ = float(data["threshold"])
        scorer.cross_lingual_threshold_ = float(data.get("cross_lingual_threshold", scorer.threshold_))
        scorer.answered_threshold_ = float(data.get("answered_threshold", 0.0))
        scorer.calibration_ = data.get("calibration", IDENTITY_CALIBRATION)
        scorer.fitted_on_ = data.get("fitted_on", {})
        return scorer
