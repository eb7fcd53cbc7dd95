"""The papers' mode-collapse tables, reproduced from the command line with the code of the Mode collapse page.

    python benchmarks/bench_papers.py                                  # PacGAN's ring, its default methods
    python benchmarks/bench_papers.py --protocol pacgan-grid --steps 10000 --seeds 5
    python benchmarks/bench_papers.py --methods gan,pacgan2 --steps 500 # a quick look
    python benchmarks/bench_papers.py --lesson                         # the Mode collapse page's default run

Every method trains from seeds 0 .. n − 1 in one ganplay.SideBySide (protocols.repeat) and is scored with the
paper's capture rule; the table is protocols.results_table, the page's. With --lesson it re-measures the page's
default run over seeds (collapse.LESSON: its variants, and the others its caption names; --methods: variants). Prints the run time (one torch thread,
as a server session) and the machine's load average, since the CPU may be shared.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ganplay import SideBySide, collapse, protocols  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default=protocols.DEFAULT_PROTOCOL, choices=list(protocols.PROTOCOLS))
    parser.add_argument("--methods", help="comma-separated, of: " + ", ".join(protocols.CONTENDERS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, help="generator steps (the protocol's own by default)")
    parser.add_argument("--lesson", action="store_true", help="re-measure the Mode collapse page's default run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.lesson:
        return lesson(tuple(args.methods.split(",")) if args.methods else None, args.seeds)
    spec = protocols.PROTOCOLS[args.protocol]
    methods = tuple(args.methods.split(",")) if args.methods else spec.default_contenders
    try:
        spec, steps = protocols.check_request(args.protocol, methods, args.seeds, args.steps)
    except ValueError as problem:
        parser.error(str(problem))
    started = time.perf_counter()
    outcomes = protocols.repeat(args.protocol, methods, args.seeds, steps)
    seconds = time.perf_counter() - started
    print(f"{spec.title}: {len(methods)} methods × {args.seeds} seeds × {steps:,} steps in {seconds:.0f} s "
          f"(one torch thread; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    print(protocols.results_table(args.protocol, outcomes).to_string())
    print(f"\nPaper: {spec.citation}")


def lesson(variants: tuple[str, ...] | None, n_seeds: int) -> None:
    """collapse.LESSON's run from seeds 0 .. n − 1 in one side-by-side, scored as the page scores it; prints the
    SeedFigures to paste into LESSON."""
    spec = collapse.LESSON
    variants = variants or tuple(f.variant for f in spec.figures)
    side = SideBySide(collapse.variant_configs(spec.base(), variants, shared_recipe=False, seeds=range(n_seeds)))
    started = time.perf_counter()
    side.step(spec.steps)
    seconds = time.perf_counter() - started
    reports = [(run.config.variant, collapse.score(run)[1]) for run in side.runs]
    print(f"{spec.dataset}, {spec.steps:,} steps, {len(variants)} variants × {n_seeds} seeds in {seconds:.0f} s "
          f"(one torch thread; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for variant in variants:
        mine = [report for v, report in reports if v == variant]
        print(f"    SeedFigures({variant!r}, {tuple(r.modes_captured for r in mine)}, "
              f"{tuple(r.captured(1) for r in mine)}, {100 * sum(r.high_quality_share for r in mine) / len(mine):.1f}),")


if __name__ == "__main__":
    main()
