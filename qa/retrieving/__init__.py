"""Retrieving: a question's chunks, by dense, sparse and lexical rankings fused by
reciprocal rank (`retrieval`).
"""
