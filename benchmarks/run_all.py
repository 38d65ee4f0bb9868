"""Run every benchmark (``benchmarks/bench_*.py``) with its defaults, one after another.

    .venv/bin/python -m benchmarks.run_all            # all of them
    .venv/bin/python -m benchmarks.run_all search bot # only bench_search.py and bench_bot.py

Each benchmark runs in its own interpreter (``import benchmarks.bench_X; main()``), so one
benchmark's memory and failures do not affect the next. Benchmarks that are not there are
simply not run; the exit status is non-zero when any benchmark that ran failed.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(names: list[str] | None = None) -> list[str]:
    """Module names of the benchmarks present (``bench_search``...), optionally filtered by
    ``names`` ("search" or "bench_search")."""
    found = sorted(path.stem for path in HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        found = [m for m in found if m in wanted]
    return found


def run(module: str) -> int:
    """Run one benchmark's ``main()`` with default arguments; its exit status."""
    code = (f"import sys, benchmarks.{module} as m\n"
            "if not hasattr(m, 'main'):\n"
            f"    sys.exit('benchmarks.{module} has no main()')\n"
            "result = m.main()\n"
            "sys.exit(result if isinstance(result, int) else 0)\n")
    return subprocess.run([sys.executable, "-c", code], cwd=HERE.parent).returncode


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    modules = discover(names)
    if not modules:
        print("no benchmarks found" + (f" matching {' '.join(names)}" if names else ""))
        return 1 if names else 0
    failed = []
    for module in modules:
        print(f"\n## {module}\n", flush=True)
        started = time.perf_counter()
        status = run(module)
        print(f"\n({module}: exit {status}, {time.perf_counter() - started:.0f} s)", flush=True)
        if status:
            failed.append(module)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
