"""Latency of POST /api/v1/screening/assess through the whole Django stack, in process.

    .venv/bin/python bench/bench_screening_api.py [--count N] [--seed S] [--language LANG]

Posts N generated, always valid inputs with Django's test client (middleware, routing, ninja,
the engine and JSON encoding included; no network), with the rate limit lifted, and prints
the median and 95th percentile latency per request. Starts nothing external and stores nothing.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from typing import Any

import django

from waypoint.domain.screening import get_catalogue

URL = "/api/v1/screening/assess"
WARM_UP = 100


def random_input(rng: random.Random) -> dict[str, Any]:
    catalogue = get_catalogue()
    indicator_ids = sorted(catalogue.indicators)
    raw: dict[str, Any] = {
        "jurisdiction": rng.choice(sorted(catalogue.jurisdictions)),
        "exploitation": rng.sample(sorted(catalogue.exploitation_forms), rng.choice((0, 1, 1, 2))),
        "indicators": {
            indicator_id: rng.choices(("yes", "no", "unknown", "declined"), (3, 5, 1, 1))[0]
            for indicator_id in rng.sample(indicator_ids, rng.randint(0, len(indicator_ids)))
        },
    }
    if rng.random() < 0.8:
        raw["person"] = {"age_at_recruitment": rng.randint(8, 60)}
    if rng.random() < 0.8:
        raw["act"] = rng.sample([act.id for act in catalogue.acts], rng.randint(0, 3))
    crossed = rng.choice((True, False, None))
    raw["movement"] = {
        "crossed_border": crossed,
        "entry": None if crossed is False else rng.choice(("regular", "irregular", None)),
        "consented_to_movement": rng.choice((True, False, None)),
        "paid_for_movement": rng.choice((True, False, None)),
    }
    return raw


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20_240_613)
    parser.add_argument("--language", default="en")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.SCREENING_API_RATE = ""  # an empty rate lifts the limit
    rng = random.Random(options.seed)
    bodies = [json.dumps(random_input(rng)) for _ in range(options.count + WARM_UP)]
    client = Client()
    url = f"{URL}?language={options.language}"
    latencies_ms: list[float] = []
    for number, body in enumerate(bodies):
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            print(f"request {number}: HTTP {response.status_code}: {response.content[:300]!r}")
            return 1
        if number >= WARM_UP:
            latencies_ms.append(elapsed_ms)

    median = statistics.median(latencies_ms)
    p95 = statistics.quantiles(latencies_ms, n=100)[94]
    print(
        f"{len(latencies_ms)} requests to {URL}: median {median:.2f} ms, "
        f"95th percentile {p95:.2f} ms (in process, Django test client, limit lifted)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
