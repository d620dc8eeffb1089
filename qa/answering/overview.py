"""Overview questions ("What is this article about?", "Résume l'article", "Worum geht es?").

Such a question names nothing to look for, so no sentence answers it the way a
sentence answers "When was the treaty signed?". `OverviewDetector` recognises it from
the question's e5 embedding alone (a logistic regression fitted by
`python -m qa.tools.fit_overview`; see there for the data and the cross-validated figures),
in any language the model covers, with no word list. `overview_citations` then quotes
the document's lead sentence and its most central sentences.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np

from qa.errors import QAError
from qa.results import MAX_CITED_CHARS, Citation, document_name

OVERVIEW_PATH = Path(__file__).with_name("data") / "overview.json"
# An overview quotes at most this many sentences (the lead and the most central ones),
# within the 600-character rule.
OVERVIEW_SENTENCES = 3
# A document's title, for `named_document`: its first line, when at most this long.
TITLE_CHARS = 120


class OverviewDetector:
    """Whether a question asks what a document is about, from its query embedding.

    Attributes (after `fit` or `load`):
        coef_, intercept_: the logistic regression over the embedding's dimensions.
        threshold_: a question is an overview question when its probability is at least this.
        fitted_on_: what data and figures the values come from.
    """

    def fit(self, vectors: np.ndarray, labels: np.ndarray, *, c: float = 1.0) -> OverviewDetector:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(vectors, labels)
        self.coef_ = model.coef_[0].astype(np.float64)
        self.intercept_ = float(model.intercept_[0])
        self.threshold_ = 0.5
        self.fitted_on_: dict = {}
        return self

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        """Probability of each row (query embeddings) being an overview question."""
        z = np.asarray(vectors, np.float64) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def is_overview(self, vector: np.ndarray) -> bool:
        return bool(self.probability(vector[None, :])[0] >= self.threshold_)

    def save(self, path: str | Path = OVERVIEW_PATH) -> None:
        data = {
            "coef": [round(float(v), 6) for v in self.coef_],
            "intercept": self.intercept_,
            "threshold": self.threshold_,
            "fitted_on": self.fitted_on_,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = OVERVIEW_PATH) -> OverviewDetector:
        """The detector saved at ``path`` (default: the one shipped with qa).

        Raises:
            QAError: the file is missing or unreadable.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise QAError(f"{path}: no fitted overview detector ({exc}); run `python -m qa.tools.fit_overview`.") from None
        detector = cls()
        detector.coef_ = np.asarray(data["coef"], np.float64)
        detector.intercept_ = float(data["intercept"])
        detector.threshold_ = float(data["threshold"])
        detector.fitted_on_ = data.get("fitted_on", {})
        return detector


@functools.cache
def shipped_detector() -> OverviewDetector:
    """The detector shipped with qa, loaded once."""
    return OverviewDetector.load(OVERVIEW_PATH)


def overview_citations(index, document: int) -> list[Citation]:
    """A document's lead sentence and its most central ones, in the document's order.

    Central: closest to the mean of the document's sentence embeddings. Sentences are
    added while the quotes stay within `MAX_CITED_CHARS`, up to `OVERVIEW_SENTENCES`.
    """
    rows = np.flatnonzero(index.sentences[:, 0] == document)
    if not len(rows):
        return []
    vectors = index.sentence_store.vectors_of(rows.astype(np.int64))
    centre = vectors.mean(axis=0)
    centrality = vectors @ (centre / max(float(np.linalg.norm(centre)), 1e-12))
    order = [0] + [int(i) for i in np.argsort(-centrality, kind="stable") if i != 0]
    chosen, used, seen = [], 0, set()
    for i in order:
        _, start, end = (int(v) for v in index.sentences[rows[i]])
        text = index.span_text(document, start, end)
        if text in seen:  # a title repeated as a heading says nothing new
            continue
        seen.add(text)
        if used + (end - start) > MAX_CITED_CHARS:
            if not chosen:  # a lead longer than the rule: cut at the rule, still exact, and alone
                chosen.append((start, start + MAX_CITED_CHARS))
                break
            continue
        chosen.append((start, end))
        used += end - start
        if len(chosen) == OVERVIEW_SENTENCES:
            break
    source = index.documents[document].source
    return [Citation(index.span_text(document, start, end), source, start, end) for start, end in sorted(chosen)]


def named_document(index, question: str) -> int | None:
    """The document a question names, by its file name or its title; None when it names
    none, or several as well.

    Named: the file name as it is ("falcon.pptx"), or every word of the name without its
    suffix ("project-falcon": "the Falcon project"), or every word of the title (its first
    line, up to `TITLE_CHARS`), compared by their lexical terms. The most words win.
    """
    from qa.text.lexical import fold, terms

    asked, folded = set(terms(question, keep_stopwords=True)), fold(question)
    scores = []
    for document in index.documents:
        name = document_name(document.source)
        # The whole name, not a part of another ("report.pdf" in "annual-report.pdf").
        if re.search(rf"(?<![\w.-]){re.escape(fold(name))}(?![\w-])", folded):
            scores.append(float("inf"))
            continue
        score = 0
        title = document.text.lstrip().split("\n", 1)[0]
        for words in (Path(name).stem, title if len(title) <= TITLE_CHARS else ""):
            named = set(terms(words))
            if named and named <= asked:
                score = max(score, len(named))
        scores.append(score)
    best = max(scores, default=0)
    if not best or scores.count(best) > 1:
        return None
    return scores.index(best)
