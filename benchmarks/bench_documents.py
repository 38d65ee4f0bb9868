"""DOCX/PDF reading benchmark: how long a council's plan takes to parse, by format and size.

Run by hand from the repository root::

    .venv/bin/python -m benchmarks.bench_documents [--scale 1 4] [--repeat 3]

The plans are the test fixtures (``tests/docfixtures.py``) built from the seed 2024/25 text
plan: a DOCX, a ruled PDF, an unruled PDF (read from its header columns) and, for the flowed
fallback, the 2018/19 text set as a PDF with no tables. ``--scale N`` repeats the seed plan's
priorities N times (renumbered) to see how the time grows with the page count. Each case
reports pages, actions, the median parse time over ``--repeat`` runs, seconds per page and
the process's peak RSS so far.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the fixture builders

import docfixtures as fx  # noqa: E402

from indexer.manifest import load_manifest  # noqa: E402
from indexer.models import ParsedPlan  # noqa: E402
from indexer.sources import load_plan  # noqa: E402


def scaled(plan: ParsedPlan, factor: int) -> ParsedPlan:
    """The plan with its priorities repeated ``factor`` times, numbered on."""
    if factor == 1:
        return plan
    priorities, actions = [], []
    for copy in range(factor):
        for index, priority in enumerate(plan.priorities, start=1):
            number = str(copy * len(plan.priorities) + index)
            priorities.append(replace(priority, number=number))
            for action in (a for a in plan.actions if a.priority == priority.number):
                minor = action.ref.split(".")[-1]
                actions.append(replace(action, priority=number, ref=f"{number}.{minor}"))
    return replace(plan, priorities=priorities, actions=actions)


def pages_of(path: Path) -> int | None:
    if path.suffix != ".pdf":
        return None
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def time_parse(path: Path, entry, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = load_plan(path, replace(entry, file=path.name))
        times.append(time.perf_counter() - started)
        count = len(parsed.actions)
    return statistics.median(times), count


def cases(folder: Path, factor: int) -> list[tuple[str, Path, object]]:
    seed = fx.seed_plan()
    plan = scaled(seed, factor)
    out = [
        (f"docx x{factor}", fx.build_docx(folder / f"plan-{factor}.docx", plan), seed.entry),
        (f"pdf ruled x{factor}", fx.build_pdf(folder / f"plan-{factor}.pdf", plan), seed.entry),
        (f"pdf unruled x{factor}", fx.build_pdf(folder / f"unruled-{factor}.pdf", plan, ruled=False), seed.entry),
    ]
    if factor == 1:
        entries = {e.id: e for e in load_manifest(fx.KNOWLEDGE / "plans.toml")[0]}
        flowed = entries["tw-2018-19"]
        lines = (fx.KNOWLEDGE / "plans" / flowed.file).read_text(encoding="utf-8").splitlines()
        out.append(("pdf flowed 2018/19", fx.build_text_pdf(folder / "flowed.pdf", lines),
                    replace(flowed, layout="auto")))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'case':<22}{'pages':>6}{'actions':>9}{'parse s':>9}{'s/page':>8}{'peak MB':>9}")
    with tempfile.TemporaryDirectory() as temp:
        for factor in args.scale:
            for name, path, entry in cases(Path(temp), factor):
                seconds, count = time_parse(path, entry, args.repeat)
                pages = pages_of(path)
                per_page = f"{seconds / pages:.3f}" if pages else "-"
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"{name:<22}{pages or '-':>6}{count:>9}{seconds:>9.2f}{per_page:>8}{peak:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
