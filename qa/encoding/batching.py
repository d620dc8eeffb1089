"""Texts in batches of similar token length: less padding in each batch's attention."""

from __future__ import annotations


def similar_length_batches(lengths: list[int], batch_size) -> list[list[int]]:
    """Rows of texts of these token lengths in batches of similar length, longest first.

    Args:
        batch_size: how many texts a batch whose longest text has this many tokens holds.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches, start = [], 0
    while start < len(order):
        size = max(1, batch_size(lengths[order[start]]))
        batches.append(order[start : start + size])
        start += size
    return batches
