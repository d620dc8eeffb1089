"""An indexing job's status: how far it is and the time left, from synthetic progress."""

import pytest

from qa.errors import IndexingCancelled
from qa.storing.progress import STEP_COSTS, IndexingJob, seconds_left


def _steady_build(job: IndexingJob, now: list[float], *, warm_up: float, sentences: int, words: int, rate: float):
    """A build as `encode_documents` reports it: the plan, then batches of uneven sizes at
    ``rate`` cost units a second, the first batch slowed by ``warm_up`` seconds. Yields
    (time, the job's status, the true time left) after each batch."""
    job("documents", 1, 1)
    job("sentences", 0, sentences)
    job("words", 0, words)
    end_of_work = warm_up + (sentences * STEP_COSTS["sentences"] + words * STEP_COSTS["words"]) / rate
    for step, total in (("sentences", sentences), ("words", words)):
        done, size = 0, 0
        while done < total:
            size = [5000, 1200, 7400, 300, 6100][(done // 997) % 5]  # batches of uneven sizes
            batch = min(size, total - done)
            now[0] += batch * STEP_COSTS[step] / rate + (warm_up if now[0] == 0 else 0)
            done += batch
            job(step, done, total)
            yield now[0], job.status(), end_of_work - now[0]


def test_the_time_left_of_a_steady_build_is_within_30_percent_after_a_tenth_of_it():
    now = [0.0]
    job = IndexingJob("big.txt", clock=lambda: now[0])
    checked = 0
    for _, status, truth in _steady_build(job, now, warm_up=20.0, sentences=1_500_000, words=200_000, rate=5000.0):
        if status.done >= 0.1 and truth > 0:
            assert status.seconds_left == pytest.approx(truth, rel=0.3), status
            checked += 1
    assert checked > 100


def test_the_warm_up_before_the_first_batch_is_not_counted():
    """30 s of loading before the first batch, then 100 s of work at a steady rate: at
    half the work, 50 s are left (counting the warm-up would say 80)."""
    now = [0.0]
    job = IndexingJob("big.txt", clock=lambda: now[0])
    job("sentences", 0, 1000)
    now[0] = 30.0 + 10.0
    job("sentences", 100, 1000)  # the first batch, slowed by the warm-up
    now[0] = 80.0
    job("sentences", 500, 1000)
    assert job.status().seconds_left == pytest.approx(50.0)
    assert job.status().done == pytest.approx(0.5)


def test_no_time_left_is_told_before_a_rate_is_measured():
    now = [0.0]
    job = IndexingJob("big.txt", clock=lambda: now[0])
    assert (job.status().step, job.status().seconds_left) == ("reading", None)
    job("sentences", 0, 1000)
    now[0] = 12.0
    job("sentences", 100, 1000)
    assert (job.status().step, job.status().seconds_left) == ("embedding", None)
    assert seconds_left(None, None, 10.0) is None


def test_words_count_by_their_cost_in_the_share_done():
    job = IndexingJob("a.txt")
    job("sentences", 0, 1000)
    job("words", 0, 1000)
    job("sentences", 1000, 1000)
    assert job.status().done == pytest.approx(1 / (1 + STEP_COSTS["words"]))


def test_a_cancelled_job_says_so_and_stops_at_its_next_check():
    job = IndexingJob("a.txt")
    job("sentences", 0, 10)
    job.check()  # not cancelled: nothing happens
    job.cancel()
    assert job.status().step == "cancelling"
    with pytest.raises(IndexingCancelled, match="nothing was added or changed"):
        job.check()


def test_the_reports_go_on_to_the_callers_own_progress():
    told = []
    job = IndexingJob("a.txt", listener=lambda *report: told.append(report))
    job("documents", 1, 1)
    job("sentences", 0, 10)
    assert told == [("documents", 1, 1), ("sentences", 0, 10)]
    assert job.status().to_dict() == {"name": "a.txt", "step": "embedding", "done": 0.0, "seconds_left": None}
