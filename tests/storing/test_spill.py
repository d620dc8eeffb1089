"""Vectors spilled to an unnamed temporary file: written in parts, read back exactly, nothing left behind."""

from __future__ import annotations

import numpy as np

from qa.storing.spill import READ_ROWS, SpilledRows


def test_rows_read_back_are_the_rows_written_whatever_the_parts(tmp_path):
    rows = np.random.default_rng(0).standard_normal((2 * READ_ROWS + 5, 8)).astype(np.float32)
    with SpilledRows(8, tmp_path) as spilled:
        spilled.append(rows[:0])  # an empty part (a build of no sentences) writes nothing
        for start in range(0, len(rows), 7_777):
            spilled.append(rows[start : start + 7_777])
        assert len(spilled) == len(rows)
        np.testing.assert_array_equal(np.concatenate(list(spilled.slices())), rows)
        np.testing.assert_array_equal(spilled.read(READ_ROWS - 1, READ_ROWS + 1), rows[READ_ROWS - 1 : READ_ROWS + 1])
        ids = np.array([0, READ_ROWS - 1, READ_ROWS, len(rows) - 1])
        np.testing.assert_array_equal(spilled.take(ids), rows[ids])
    assert list(tmp_path.iterdir()) == []  # the file had no name and is gone


def test_rows_are_spilled_to_the_system_temporary_folder_when_the_cache_cannot_be_written(tmp_path):
    blocked = tmp_path / "a file"  # a cache path under a file: no folder can be made there, even by root
    blocked.write_text("", encoding="utf-8")
    with SpilledRows(2, blocked / "cache") as rows:
        rows.append(np.eye(2, dtype=np.float32))
        np.testing.assert_array_equal(rows.array(), np.eye(2, dtype=np.float32))
