"""The benchmark harness at a tiny size: every row present and every figure sane (no timing asserted)."""

from __future__ import annotations

import pytest

from qa.tools import bench


@pytest.fixture(scope="module")
def figures():
    # Three passages, three timed calls, one cold process each: the harness end to end, fast.
    return bench.run(size=3, queries=3, cold_runs=1)


def test_bench_reports_every_row(figures):
    assert list(figures["rows"]) == [key for key, _, _ in bench.ROWS]
    table = bench.format_table(figures)
    assert all(label in table for _, label, _ in bench.ROWS)


def test_bench_figures_are_positive(figures):
    for key, row in figures["rows"].items():
        assert row["ours"] > 0, key
        assert row["naive"] > 0 if not key.startswith("upload") else row["naive"] is None, key
        assert row["floor"] is None or row["floor"] > 0, key


def test_bench_p95_is_at_least_p50(figures):
    rows = figures["rows"]
    for name in ("answer", "retrieve"):
        for column in ("ours", "naive", "floor"):
            assert rows[f"{name}_p95_ms"][column] >= rows[f"{name}_p50_ms"][column]


def test_bench_encode_share_is_a_fraction(figures):
    share = figures["rows"]["build_encode_share"]
    assert 0 < share["ours"] <= 1 and 0 < share["naive"] <= 1


def test_bench_targets_are_reported_not_asserted(figures):
    rows = figures["rows"]
    targeted = {"answer_p50_ms", "cold_ask_s", "build_s", "build_encode_share", "upload_s"}
    assert {key for key, row in rows.items() if row["target"]} == targeted
    assert all(isinstance(rows[key]["met"], bool) for key in targeted)


def test_the_build_floor_is_timed_twice_around_ours(figures):
    floor = figures["phases"]["build_floor"]
    assert len(floor["runs_s"]) == 2 and floor["sentences"] > 0
    assert figures["rows"]["build_s"]["ours_over_floor"] == figures["rows"]["build_s"]["ours"] / floor["build_s"]


def test_an_upload_is_timed_against_build_index_and_the_floor_on_the_same_documents(figures):
    upload, build = figures["phases"]["upload_ours"], figures["phases"]["build_ours"]
    assert upload["documents"] == figures["corpus"]["documents"]
    assert 0 < upload["encode_s"] <= upload["upload_s"]
    row = figures["rows"]["upload_s"]
    assert row["ours_over_floor"] == upload["upload_s"] / figures["phases"]["build_floor"]["build_s"]
    assert f"{upload['upload_s'] / build['build_s']:.2f}x build_index of the same" in bench.format_table(figures)


def test_the_bench_reports_ocr_pages_per_second(figures):
    ocr = figures["phases"]["ocr"]
    assert ocr["pages"] == bench.OCR_PAGES and ocr["pages_per_s"] == ocr["pages"] / ocr["seconds"]
    assert ocr["characters"] > 1000  # the pages were read, not skipped
    assert f"OCR: a scanned PDF of {bench.OCR_PAGES} pages" in bench.format_table(figures)


def test_synthetic_corpus_has_the_asked_passages(tmp_path):
    paths = bench.synthetic_corpus(tmp_path, 25)
    paragraphs = [p for path in paths for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert len(paths) == 3 and len(paragraphs) == 25 and len(set(paragraphs)) == 25


def test_timed_questions_never_repeat_within_a_pool():
    asked = bench.timed_questions(["Who invited Putin?", "Quand part-il ?", "¿cuándo?"], 4)
    assert all(len(set(pool)) == len(pool) == 4 for pool in asked.values())
    assert not set(asked["retrieve"]) & set(asked["answer"])
    assert not set(asked["floor"]) & (set(asked["retrieve"]) | set(asked["answer"]))


def test_milvus_is_timed_against_faiss_in_the_same_run(figures):
    milvus = figures["phases"]["query_milvus"]
    for key in ("faiss_retrieve", "faiss_answer", "milvus_retrieve", "milvus_answer"):
        assert 0 < milvus[key]["p50_ms"] <= milvus[key]["p95_ms"], key
    assert "Milvus Lite server" in bench.format_table(figures)
