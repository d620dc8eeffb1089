"""Offline tools, apart from the product: fitting the shipped models (`fit`,
`fit_overview`, `fit_verifier`), evaluation (`evaluation`, `language_eval`), benchmarks
and scale and load tests (`bench`, `scale`, `loadtest`). Run them as `python -m
qa.tools.<name>`.
"""
