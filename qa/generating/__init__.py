"""Generating: a language model's answer from the excerpts (`llm`, `generation`), each
sentence checked against what it cites (`verification`).
"""
