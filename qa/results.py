"""The data qa hands back: passages it retrieved, citations it quotes, and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# An answer cites at most this many characters in all (the eval's rule: more counts as
# a wrong answer, ../shared/eval/README.md).
MAX_CITED_CHARS = 600

# What a reply is (`Answer.status`), from the calibrated probability that its quotes hold
# the answer (`Answer.confidence`): quotes that answer; the closest passages, said not to
# be a sure answer; or "the documents don't say", with no quotes.
ANSWERED, UNCERTAIN, ABSTAINED = "answered", "uncertain", "abstained"
STATUSES = (ANSWERED, UNCERTAIN, ABSTAINED)


def document_name(source: str) -> str:
    """The name a document goes by in the collection and in replies: its file name, without
    the folders it is kept in (which a client of a server should not see).

    Example:
        >>> document_name("/srv/qa/uploads/project-falcon.md")
        'project-falcon.md'
    """
    return Path(source).name


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of a document.

    Attributes:
        text: the chunk, exactly ``document_text(source)[start:end]``.
        source: the document's path as given to `build_index`.
        start: offset of the first character in the document's text.
        end: offset just past the last character.
        score: hybrid relevance in (0, 1], higher is better: the weighted
            reciprocal-rank fusion of the dense (embedding), sparse (latent terms) and
            lexical (BM25) rankings, scaled so that 1.0 means ranked first by all.
    """

    text: str
    source: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Citation:
    """An excerpt quoted in an answer: exactly ``document_text(source)[start:end]``."""

    text: str
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class ShortAnswer:
    """The span of the first quote that answers a question asking for a date, a number, an
    amount, a duration or a name: exactly ``document_text(source)[start:end]``.

    Attributes:
        kind: what the question asked for: ``"when"``, ``"how_many"``, ``"duration"`` or ``"who"``.
    """

    text: str
    source: str
    start: int
    end: int
    kind: str

    def to_dict(self, *, paths: bool = True) -> dict:
        """As `Answer.to_dict` gives it (``paths``: the source as a path, else its name)."""
        source = self.source if paths else document_name(self.source)
        return {"text": self.text, "source": source, "start": self.start, "end": self.end, "kind": self.kind}


@dataclass(frozen=True)
class Answer:
    """A reply to a question.

    Attributes:
        text: what a person reads: a short lead-in in the question's language, then
            the quoted excerpts numbered ``[1]``, ``[2]``; or the abstention message.
        abstained: True when the documents do not answer the question (``status`` is
            ``"abstained"``).
        language: ISO 639-1 code of the question's language.
        citations: the quoted excerpts, in the order of their numbers; empty when abstaining.
        passages: the ranked passages that were looked at.
        mode: ``"extractive"`` (the reply quotes the documents) or ``"generated"`` (a
            language model wrote it from the cited excerpts, `QA_LLM_URL`, and every
            sentence of it was checked against its citations: `qa.generating.verification`).
        llm_error: why a language model that was set up was not used (unreachable, too
            slow, an error, nothing it wrote was supported); None otherwise.
        dropped: sentences the language model wrote that its citations did not support,
            left out of the reply.
        overview: True when the question asked what a document is about ("What is this
            article about?") and the reply quotes its lead and central sentences
            (`qa.answering.overview`).
        status: ``"answered"`` (the first quote is the answer), ``"uncertain"`` (the
            closest passages, said not to be a sure answer) or ``"abstained"`` (no quotes).
            Default: from ``abstained``.
        confidence: the calibrated probability, 0-1, that the quotes hold the answer
            (`qa.answering.answer_scorer`); None when nothing estimated it (an overview,
            the hand-set rules of `qa eval --ablation`, an embedding model other than the default).
        short: the date, number, amount, duration or name the question asked for, as a span
            of the first quote; None when the question asks for none or the quote holds none.
    """

    text: str
    abstained: bool
    language: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    mode: str = "extractive"
    llm_error: str | None = None
    dropped: list[str] = field(default_factory=list)
    overview: bool = False
    status: str | None = None
    confidence: float | None = None
    short: ShortAnswer | None = None

    def __post_init__(self):
        status = self.status or (ABSTAINED if self.abstained else ANSWERED)
        if status not in STATUSES or (status == ABSTAINED) != self.abstained:
            raise ValueError(f"status {self.status!r} does not go with abstained={self.abstained}")
        object.__setattr__(self, "status", status)

    def to_dict(self, question: str, *, paths: bool = True) -> dict:
        """The JSON object of `qa ask --json`, the REST API's and the app's `/ask`.

        Args:
            question: the question as asked.
            paths: each `source` as the document's path (`qa ask --json`, Python users);
                False gives its name instead (`document_name`), for the clients of a server.
        """
        source = (lambda path: path) if paths else document_name
        return {
            "question": question,
            "language": self.language,
            "abstained": self.abstained,
            "status": self.status,
            "confidence": self.confidence,
            "mode": self.mode,
            "llm_error": self.llm_error,
            "overview": self.overview,
            "answer": self.text,
            "short": None if self.short is None else self.short.to_dict(paths=paths),
            "citations": [
                {"n": n, "text": c.text, "source": source(c.source), "start": c.start, "end": c.end}
                for n, c in enumerate(self.citations, start=1)
            ],
            "dropped": list(self.dropped),
            "passages": [
                {"rank": r, "text": p.text, "source": source(p.source), "start": p.start, "end": p.end, "score": p.score}
                for r, p in enumerate(self.passages, start=1)
            ],
        }
