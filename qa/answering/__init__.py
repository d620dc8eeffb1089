"""Answering without a language model: what the question asks (`answer_types`,
`conversation`, `grounding`), the candidate sentences and their signals (`candidates`),
the fitted scorer (`answer_scorer`, `trees`), the decision and the reply (`extractive`),
the quoted spans (`citations`), the short answer inside the first (`short_answer`) and
overviews (`overview`).
"""
