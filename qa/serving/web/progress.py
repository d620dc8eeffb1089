"""One progress bar for an upload or a re-index, fed by qa's ``progress(step, done, total)``."""

from __future__ import annotations

import time

# How long one item of each step takes, relative to a sentence (the default model in one
# pass per sentence, `qa.encoding.torch_encoder`): a word is about 7 tokens against a sentence's
# 50 and its sparse head (120 PIAF paragraphs: 0.8 ms a word, 7.5 ms a sentence).
STEP_COSTS = {"sentences": 1.0, "words": 0.1}
STEP_NAMES = {
    "documents": "Reading documents",
    "sentences": "Embedding sentences",
    "words": "Embedding words",
}
READING_SHARE = 0.1  # of the bar, taken by reading the files, before the embedding is planned


class BuildProgress:
    """One progress bar for an upload or a re-index, moved by qa's `progress(step, done, total)`.

    Reading the files fills the first tenth; the embedding steps, announced together before
    the first starts, fill the rest in proportion to their expected cost. The estimate of the
    time left is the time so far scaled by what is left.
    """

    def __init__(self, bar, clock=time.monotonic):
        self.bar = bar
        self.clock = clock
        self.started = clock()
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        self.totals[step], self.done[step] = total, done
        # The step under way: the first one not finished (the later ones are only announced).
        step = next((s for s in self.totals if self.done[s] < self.totals[s]), step)
        fraction = self.fraction()
        desc = f"{STEP_NAMES.get(step, step)}: {self.done[step]} of {self.totals[step]}{self._time_left(fraction)}"
        self.bar(fraction, desc=desc)

    def fraction(self) -> float:
        planned = sum(STEP_COSTS[step] * total for step, total in self.totals.items() if step in STEP_COSTS)
        if not planned:
            files = self.totals.get("documents", 0)
            return READING_SHARE * self.done.get("documents", 0) / files if files else 0.0
        embedded = sum(STEP_COSTS[step] * done for step, done in self.done.items() if step in STEP_COSTS)
        return READING_SHARE + (1 - READING_SHARE) * embedded / planned

    def _time_left(self, fraction: float) -> str:
        elapsed = self.clock() - self.started
        if fraction < 0.05 or fraction >= 1 or elapsed < 1:
            return ""
        left = elapsed * (1 - fraction) / fraction
        return f" · about {round(left)} s left" if left < 90 else f" · about {round(left / 60)} min left"
