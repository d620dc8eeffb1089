"""The example questions under the chat, made from the documents indexed now.

The newest documents first, one question each asking what it is about ("Summarize the
document lemon cake.": the overview detector, `qa.answering.overview`, answers such a
question with the document's lead and central sentences; it recognises this phrasing for 10
of 12 made-up file names, "What is lemon cake about?" for 1); then, while the seed article is indexed, the
questions written for it, in five languages. A document is called by its file name made
readable (`short_name`), in the page's language (English).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import PurePath

from qa.storing.collection import DocumentInfo

# At most this many examples, and this many of them asking about the newest documents
# when the seed article's own are there to fill the rest.
MAX_EXAMPLES = 5
NEWEST_DOCUMENTS = 3
# A name longer than this is cut at a word (a question must stay one short line).
NAME_CHARACTERS = 40
# The questions written for the seed article (seeds/), by its name.
SEED_EXAMPLES = {
    "poutine-coree-du-nord.txt": (
        "Quand Poutine ira-t-il à Pyongyang ?",
        "When was the friendship treaty signed?",
        "¿Cuándo viajó Kim al Lejano Oriente ruso?",
        "Welche Bereiche umfassen die Gespräche laut dem Kreml-Berater?",
        "Chi ha invitato Putin in Corea del Nord?",
    ),
}
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def short_name(name: str) -> str:
    """A document's file name as said in a question: without its suffix, dashes and
    underscores read as spaces, at most `NAME_CHARACTERS` characters.

    Example:
        >>> short_name("lemon-cake.txt"), short_name("Rapport_annuel 2024.final.pdf")
        ('lemon cake', 'Rapport annuel 2024.final')
        >>> short_name("a-very-long-name-that-goes-on-and-on-about-lighthouses-of-brittany.md")
        'a very long name that goes on and on…'
    """
    words = " ".join(re.sub(r"[-_]+", " ", PurePath(name).stem).split()) or name
    if len(words) <= NAME_CHARACTERS:
        return words
    cut = words[: NAME_CHARACTERS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def overview_question(name: str) -> str:
    """The example that asks what the document ``name`` is about.

    Example:
        >>> overview_question("lemon-cake.txt")
        'Summarize the document lemon cake.'
    """
    return f"Summarize the document {short_name(name)}."


def example_questions(documents: list[DocumentInfo]) -> list[str]:
    """The examples for these documents: an overview question for each of the newest
    (those without a time last), then the seed article's questions, `MAX_EXAMPLES` at most.

    Example:
        >>> from qa.storing.collection import DocumentInfo
        >>> seed = DocumentInfo("seeds/poutine-coree-du-nord.txt", "poutine-coree-du-nord.txt", 4000, False)
        >>> cake = DocumentInfo("uploads/lemon-cake.txt", "lemon-cake.txt", 90, True)
        >>> example_questions([seed, cake])[:2]
        ['Summarize the document lemon cake.', 'Quand Poutine ira-t-il à Pyongyang ?']
        >>> len(example_questions([seed])), example_questions([])
        (5, [])
    """
    seeded = [q for d in documents for q in SEED_EXAMPLES.get(d.name, ())]
    others = [d for d in documents if d.name not in SEED_EXAMPLES]
    others.sort(key=lambda d: d.added or _EPOCH, reverse=True)  # stable: the list's order among equals
    newest = others[: NEWEST_DOCUMENTS if seeded else MAX_EXAMPLES]
    questions = list(dict.fromkeys(overview_question(d.name) for d in newest))
    return (questions + seeded)[:MAX_EXAMPLES]
