"""Questions about the collection ("What documents do I have?", "Quels fichiers parlent du budget ?").

Such a question asks about the documents themselves, not about what they say: a list of
them (*listing*), or which of them mention something (*finding*). `CollectionQuestionDetector`
recognises both from the question's e5 embedding alone, as `qa.answering.overview` recognises
overview questions (a logistic regression fitted by `python -m qa.tools.fit_collection_questions`;
see there for the data and the cross-validated figures), with no word list. For a finding
question it also tells which of the question's key words name what to find (the *subject*:
"budget") and which only frame the question ("documents", "mention", "parlent"): a second
logistic regression, over each key word's own embedding, fitted on the same labelled questions.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from qa.errors import QAError

COLLECTION_PATH = Path(__file__).with_name("data") / "collection_questions.json"
LISTING, FINDING = "listing", "finding"
# The classes of the intent model, in the order of its rows; "other" is every other question.
INTENTS = ("other", LISTING, FINDING)


class CollectionQuestionDetector:
    """Whether a question asks about the collection, and which words name what to find.

    Attributes (after `fit` or `load`):
        coef_, intercept_: the multinomial logistic regression over the query embedding
            (one row a class of `INTENTS`).
        threshold_: a question is about the collection when the probability of its not
            being "other" is at least this.
        frame_coef_, frame_intercept_: the logistic regression over a key word's embedding
            giving the probability that the word frames the question rather than names its subject.
        fitted_on_: what data and figures the values come from.
    """

    def fit(self, vectors: np.ndarray, intents: np.ndarray, *, c: float = 1.0) -> CollectionQuestionDetector:
        """Fit the intent model on query embeddings and their `INTENTS` index (0, 1, 2)."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(vectors, intents)
        order = [list(model.classes_).index(i) for i in range(len(INTENTS))]
        self.coef_ = model.coef_[order].astype(np.float64)
        self.intercept_ = model.intercept_[order].astype(np.float64)
        self.threshold_ = 0.5
        self.fitted_on_: dict = {}
        return self

    def fit_frame(self, vectors: np.ndarray, framing: np.ndarray, *, c: float = 1.0) -> CollectionQuestionDetector:
        """Fit the word model on key-word embeddings, True where the word frames the question."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(vectors, framing)
        self.frame_coef_ = model.coef_[0].astype(np.float64)
        self.frame_intercept_ = float(model.intercept_[0])
        return self

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Each row's (query embedding's) probability of each class of `INTENTS`."""
        z = np.asarray(vectors, np.float64) @ self.coef_.T + self.intercept_
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def intent(self, vector: np.ndarray) -> str | None:
        """`LISTING`, `FINDING`, or None for a question that is not about the collection."""
        p = self.probabilities(vector[None, :])[0]
        if 1.0 - p[0] < self.threshold_:
            return None
        return LISTING if p[1] >= p[2] else FINDING

    def framing(self, vectors: np.ndarray) -> np.ndarray:
        """Probability that each key word (row: its query embedding) frames the question."""
        z = np.asarray(vectors, np.float64) @ self.frame_coef_ + self.frame_intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def subject_words(self, words: list[str], vectors: np.ndarray) -> list[str]:
        """The key words of a finding question that name what to find, in order.

        Args:
            words: the question's key words (`qa.text.lexical.key_words`).
            vectors: their query embeddings, one row a word.
        """
        if not words:
            return []
        return [w for w, p in zip(words, self.framing(vectors)) if p < 0.5]

    def save(self, path: str | Path = COLLECTION_PATH) -> None:
        data = {
            "intents": list(INTENTS),
            "coef": [[round(float(v), 6) for v in row] for row in self.coef_],
            "intercept": [float(v) for v in self.intercept_],
            "threshold": self.threshold_,
            "frame_coef": [round(float(v), 6) for v in self.frame_coef_],
            "frame_intercept": self.frame_intercept_,
            "fitted_on": self.fitted_on_,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = COLLECTION_PATH) -> CollectionQuestionDetector:
        """The detector saved at ``path`` (default: the one shipped with qa).

        Raises:
            QAError: the file is missing or unreadable.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise QAError(
                f"{path}: no fitted collection-question detector ({exc}); run `python -m qa.tools.fit_collection_questions`."
            ) from None
        detector = cls()
        detector.coef_ = np.asarray(data["coef"], np.float64)
        detector.intercept_ = np.asarray(data["intercept"], np.float64)
        detector.threshold_ = float(data["threshold"])
        detector.frame_coef_ = np.asarray(data["frame_coef"], np.float64)
        detector.frame_intercept_ = float(data["frame_intercept"])
        detector.fitted_on_ = data.get("fitted_on", {})
        return detector


@functools.cache
def shipped_collection_detector() -> CollectionQuestionDetector:
    """The detector shipped with qa, loaded once."""
    return CollectionQuestionDetector.load(COLLECTION_PATH)
