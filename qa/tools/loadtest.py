"""A bounded load test of a running qa app's `/ask` endpoint, on this machine only.

    .venv/bin/python -m qa.tools.loadtest --url http://127.0.0.1:7860/ --callers 16 --requests 64

It refuses any address outside the loopback range, stops after ``--requests`` calls or
``--seconds``, whichever comes first, and reports throughput and p50/p95 latency.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ipaddress
import json
import socket
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

QUESTIONS = [
    ("When was the friendship treaty signed?", "1961"),
    ("Qui a invité Poutine en Corée du Nord ?", "Kim Jong Un"),
    ("¿Cuándo viajó Kim al Lejano Oriente ruso?", "septembre 2023"),
    ("Quelle agence de presse officielle a rapporté l'article de Poutine ?", "TASS"),
]


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False


def run(url: str, *, callers: int = 16, requests: int = 64, seconds: float = 120.0) -> dict:
    """Send ``requests`` questions from ``callers`` threads; returns the figures.

    Returns:
        `requests`, `errors`, `wrong` (answers missing the expected excerpt),
        `throughput_per_s`, `p50_ms`, `p95_ms`, `seconds`.
    """
    if not _is_loopback(url):
        raise ValueError(f"{url} is not a loopback address; the load test only targets this machine.")
    from gradio_client import Client

    local = threading.local()
    deadline = time.monotonic() + seconds

    def call(i: int) -> tuple[float, str]:
        if time.monotonic() > deadline:
            return 0.0, "skipped"
        if not hasattr(local, "client"):
            local.client = Client(url, verbose=False)
        question, expected = QUESTIONS[i % len(QUESTIONS)]
        started = time.perf_counter()
        try:
            reply = local.client.predict(question, api_name="/ask")
        except Exception as exc:  # any failure of the call counts as an error
            return time.perf_counter() - started, f"error: {exc}"
        outcome = "ok" if expected in " ".join(c["text"] for c in reply["citations"]) else "wrong"
        return time.perf_counter() - started, outcome

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=callers) as pool:
        results = list(pool.map(call, range(requests)))
    elapsed = time.perf_counter() - started
    done = [(latency, outcome) for latency, outcome in results if outcome != "skipped"]
    latencies = sorted(latency for latency, _ in done)
    return {
        "requests": len(done),
        "errors": sum(outcome.startswith("error") for _, outcome in done),
        "wrong": sum(outcome == "wrong" for _, outcome in done),
        "throughput_per_s": round(len(done) / elapsed, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "seconds": round(elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    figures = run(args.url, callers=args.callers, requests=args.requests, seconds=args.seconds)
    print(json.dumps(figures, indent=2))
    return 0 if figures["errors"] == 0 and figures["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
