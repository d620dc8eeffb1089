"""A fitted answer scorer: how likely a candidate sentence is to hold the answer.

`candidate_features` turns what answering computed for a question (`Considered`) into
one row of named features per candidate sentence; `AnswerScorer` is a logistic
regression over them, fitted by `python -m qa.fit` on the shared eval sets with
cross-validation grouped by article (see `qa.fit` for the data and the figures). Its
learned values ship as JSON (`qa/data/answer_scorer.json`): the feature names, the
standardisation, the coefficients, the abstention threshold and what it was fitted on.
Prediction is a dot product in numpy; scikit-learn is needed only to fit.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

from qa.errors import QAError

SCORER_PATH = Path(__file__).with_name("data") / "answer_scorer.json"
# Kinds of answer that a sentence must hold to answer (a "who" answer may be a pronoun).
_REQUIRED_KINDS = frozenset({"when", "how_many", "duration"})

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
)


def candidate_features(considered) -> np.ndarray:
    """One row of `FEATURES` per candidate of a `qa.answering.Considered`, in its order."""
    candidates = considered.candidates
    if not candidates:
        return np.zeros((0, len(FEATURES)), np.float32)
    index, hits, kind = considered.index, considered.hits, considered.kind
    best_dense = max(c.dense for c in candidates)
    required = kind in _REQUIRED_KINDS
    unknown = float(bool(considered.unknown_names))
    question_words = math.log1p(len(considered.words.words))
    rows = []
    for c in candidates:
        hit = hits[c.chunk_rank]
        _, start, end = (int(v) for v in index.sentences[c.sentence])
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
            )
        )
    return np.asarray(rows, np.float32)


@functools.cache
def shipped_scorer() -> AnswerScorer:
    """The scorer shipped with qa, loaded once."""
    return AnswerScorer.load(SCORER_PATH)


class AnswerScorer:
    """Logistic regression of "this sentence holds the answer" over `FEATURES`.

    Args:
        C: inverse regularisation strength (scikit-learn's `LogisticRegression`).

    Attributes (after `fit` or `load`):
        mean_, scale_: standardisation of each feature.
        coef_, intercept_: the model on standardised features.
        threshold_: abstain when no candidate's probability reaches it (set by `qa.fit`).
        fitted_on_: what data and figures the values come from.

    Example:
        >>> scorer = AnswerScorer.load()
        >>> scorer.predict_proba(candidate_features(considered))
    """

    def __init__(self, *, C: float = 1.0):
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray) -> AnswerScorer:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        model = LogisticRegression(C=self.C, max_iter=1000).fit((X - self.mean_) / self.scale_, y)
        self.coef_ = model.coef_[0]
        self.intercept_ = float(model.intercept_[0])
        self.threshold_ = 0.5
        self.fitted_on_: dict = {}
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability that each row's sentence holds the answer."""
        z = ((np.asarray(X, np.float64) - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: str | Path = SCORER_PATH) -> None:
        data = {
            "features": list(FEATURES),
            "C": self.C,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "threshold": self.threshold_,
            "fitted_on": self.fitted_on_,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = SCORER_PATH) -> AnswerScorer:
        """The scorer saved at ``path`` (default: the one shipped with qa).

        Raises:
            QAError: the file is missing, or was fitted on other features.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise QAError(f"{path}: no fitted answer scorer ({exc}); run `python -m qa.fit`.") from None
        if tuple(data.get("features", ())) != FEATURES:
            raise QAError(f"{path} was fitted on other features; run `python -m qa.fit` again.")
        scorer = cls(C=data["C"])
        scorer.mean_ = np.asarray(data["mean"])
        scorer.scale_ = np.asarray(data["scale"])
        scorer.coef_ = np.asarray(data["coef"])
        scorer.intercept_ = float(data["intercept"])
        scorer.threshold_ = float(data["threshold"])
        scorer.fitted_on_ = data.get("fitted_on", {})
        return scorer
