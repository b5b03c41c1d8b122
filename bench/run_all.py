"""`make bench`: run every benchmark in this folder, one after another, and print its figures."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["bench_screening_engine.py", "bench_screening_api.py"]


def main() -> int:
    folder = Path(__file__).resolve().parent
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed += subprocess.call([sys.executable, str(folder / name)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
