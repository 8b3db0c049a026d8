"""Run the benchmarks, print a report and write bench/results/latest.json.

Usage: python -m bench [name ...]   (no names: run them all)
"""

import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .harness import bench_seconds

BENCHMARKS = ["me", "ingest", "insights", "scheduler", "activity_import"]
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def main(names: list[str]) -> int:
    """Run the named benchmarks (all by default); return 1 on a failed request or missed budget."""
    if unknown := sorted(set(names) - set(BENCHMARKS)):
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    print(
        f"Pain Diary benchmarks: {bench_seconds():g} s each after a 1 s warm-up, "
        f"{os.cpu_count()} CPUs shared by client and server\n"
    )
    results = {}
    for name in names or BENCHMARKS:
        started = time.perf_counter()
        results[name] = importlib.import_module(f"bench.{name}").run()
        print(f"  ({time.perf_counter() - started:.0f} s)\n")
    write(results)
    failed = [name for name, result in results.items() if _failed(result)]
    if failed:
        print(f"FAILED: requests failed or budget missed in {', '.join(failed)}")
    return 1 if failed else 0


def _failed(result: dict) -> bool:
    runs = [value for value in result.values() if isinstance(value, dict)]
    return result.get("passed") is False or any(run.get("failed") for run in runs)


def write(results: dict) -> None:
    """Write the results with the machine they were measured on."""
    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seconds": bench_seconds(),
        "benchmarks": results,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {os.path.relpath(RESULTS)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
