"""`make bench`: run every benchmark in this folder, one after another, and print its figures."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = [
    ["bench_screening_engine.py"],
    ["bench_screening_api.py"],
    ["bench_cases.py", "--count", "100000"],
]


def main() -> int:
    folder = Path(__file__).resolve().parent
    failed = 0
    for name, *arguments in BENCHMARKS:
        print(f"== {name} {' '.join(arguments)}", flush=True)
        failed += subprocess.call([sys.executable, str(folder / name), *arguments]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
