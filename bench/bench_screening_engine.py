"""Throughput of the screening engine in batch mode, in one thread (CPython runs it on one core
at a time): what `waypoint screen --batch` does with each line, without the file reading and
writing. A line of JSON text is validated (parse_screening_json), assessed, and its result
turned into the compact UTF-8 JSON line that the command writes (Assessment.to_json_bytes).

    .venv/bin/python bench/bench_screening_engine.py [--count N] [--seed S] [--language LANG]
                                                     [--passes P] [--dict] [--profile]

Each pass is a batch of its own, as a real one would be: a new process, with the engine built
(the start-up of the command, not timed) but its memo tables empty, going once over inputs
generated for that pass alone (seed S, S + 1, ...). The median pass is reported (--passes, 3 by
default). Going over the same inputs again in one process would be faster, and would flatter
the figure: the memo tables would already hold what those inputs need.

--dict times the path of the HTTP API and of Python callers instead: a decoded input
(parse_screening_input), assessed, and its result as new dicts (Assessment.to_dict).

Inputs are pseudo-random but deterministic (random.Random(seed)), always valid, and mostly
distinct; the lines are their json.dumps. The target is at least 20,000 assessments per second
in batch mode.
"""

import argparse
import cProfile
import gc
import json
import pstats
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from waypoint.domain.screening import (
    assess,
    get_catalogue,
    parse_screening_input,
    parse_screening_json,
)

TARGET_PER_SECOND = 20_000
JURISDICTIONS = ("INT", "EU", "PL")
FORMS = (
    "labour",
    "sexual",
    "begging",
    "criminal_activities",
    "forced_marriage",
    "illegal_adoption",
    "surrogacy",
    "organ_removal",
    "servitude",
    "other",
)
ACTS = ("recruitment", "transportation", "transfer", "harbouring", "receipt")
ANSWERS = ("yes", "no", "unknown", "declined")
ANSWER_WEIGHTS = (3, 5, 1, 1)


def random_input(rng: random.Random, indicator_ids: list[str]) -> dict[str, Any]:
    raw: dict[str, Any] = {"jurisdiction": rng.choice(JURISDICTIONS)}
    person_kind = rng.random()
    if person_kind < 0.6:
        raw["person"] = {"age_at_recruitment": rng.randint(8, 60)}
    elif person_kind < 0.8:
        birth = date(1960, 1, 1) + timedelta(days=rng.randint(0, 20_000))
        recruited = birth + timedelta(days=rng.randint(2_000, 20_000))
        raw["person"] = {"birth_date": birth.isoformat(), "recruitment_date": recruited.isoformat()}
    raw["exploitation"] = rng.sample(FORMS, rng.choice((0, 1, 1, 1, 2)))
    answered = rng.sample(indicator_ids, rng.randint(0, len(indicator_ids)))
    raw["indicators"] = {
        indicator_id: rng.choices(ANSWERS, ANSWER_WEIGHTS)[0] for indicator_id in answered
    }
    crossed = rng.choice((True, False, None))
    raw["movement"] = {
        "crossed_border": crossed,
        "entry": None if crossed is False else rng.choice(("regular", "irregular", None)),
        "consented_to_movement": rng.choice((True, False, None)),
        "paid_for_movement": rng.choice((True, False, None)),
        "free_to_leave_after_arrival": rng.choice((True, False, None)),
        "relationship_ended_on_arrival": rng.choice((True, False, None)),
    }
    act_kind = rng.random()
    if act_kind < 0.7:
        raw["act"] = rng.sample(ACTS, rng.randint(1, 3))
    elif act_kind < 0.8:
        raw["act"] = []
    return raw


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    indicator_ids = sorted(get_catalogue().indicators)
    return [random_input(rng, indicator_ids) for _ in range(count)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20_240_613)
    parser.add_argument("--language", default="en")
    parser.add_argument(
        "--passes", type=int, default=3, help="how many batches to time, each in a new process"
    )
    parser.add_argument(
        "--dict",
        action="store_true",
        help="time parse_screening_input + assess + to_dict on decoded inputs instead",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="time one batch in this process under cProfile and print the busiest functions "
        "(the figures are then slower than without it)",
    )
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    path = (
        "parse_screening_input + assess + to_dict"
        if options.dict
        else "batch: parse_screening_json + assess + to_json_bytes"
    )
    if options.one_pass or options.profile:
        cpu, elapsed = time_one_batch(options)
        if options.one_pass:
            print(json.dumps({"cpu": cpu, "elapsed": elapsed}))
            return 0
        passes = [(cpu, elapsed)]
    else:
        passes = [
            time_in_new_process(argv, options.seed + offset) for offset in range(options.passes)
        ]
    count = options.count
    # CPU time is the fairer figure on a shared machine: it leaves out time spent waiting for
    # the core while other processes run. The median pass is the figure; the others show how
    # much the machine varied.
    cpu, elapsed = sorted(passes)[len(passes) // 2]
    print(
        f"{count} assessments ({path}, {options.language}), median of {len(passes)} "
        f"batches: {count / cpu:,.0f} per second of CPU time ({cpu:.2f} s), "
        f"{count / elapsed:,.0f} per second of wall time ({elapsed:.2f} s); "
        f"target {TARGET_PER_SECOND:,} in batch mode"
    )
    every_pass = ", ".join(f"{count / pass_cpu:,.0f}" for pass_cpu, _ in passes)
    print(f"  every batch, per second of CPU time: {every_pass}")
    return 0


def time_in_new_process(argv: list[str], seed: int) -> tuple[float, float]:
    """One batch in a new process, so that it starts with empty memo tables."""
    finished = subprocess.run(
        [sys.executable, __file__, *argv, "--one-pass", "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    timing = json.loads(finished.stdout)
    return timing["cpu"], timing["elapsed"]


def time_one_batch(options: argparse.Namespace) -> tuple[float, float]:
    """Assess every generated input once; returns the CPU and wall seconds it took."""
    language = options.language
    inputs: list[Any]
    screen: Callable[[Any], object]
    if options.dict:
        inputs = generate(options.count, options.seed)

        def screen(raw: Any) -> object:
            return assess(parse_screening_input(raw), language=language).to_dict()

    else:
        inputs = [json.dumps(raw) for raw in generate(options.count, options.seed)]

        def screen(line: Any) -> object:
            return assess(parse_screening_json(line), language=language).to_json_bytes()

    # The command's start-up: the catalogue is loaded and the engine built before the first
    # line, here by an input that is not part of the batch.
    screen(json.dumps({"jurisdiction": "INT"}) if not options.dict else {"jurisdiction": "INT"})
    # The inputs live for the whole batch: keep the cyclic collector from walking them again and
    # again, as a long-running batch job would.
    gc.collect()
    gc.freeze()
    profiler = cProfile.Profile() if options.profile else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for item in inputs:
        screen(item)
    if profiler is not None:
        profiler.disable()
    timing = (time.process_time() - cpu_started, time.perf_counter() - started)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return timing


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
