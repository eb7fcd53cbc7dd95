"""The papers' mode-collapse tables, reproduced from the command line with the code of the Mode collapse page.

    python benchmarks/bench_papers.py                                  # PacGAN's ring, its default methods
    python benchmarks/bench_papers.py --protocol pacgan-grid --steps 10000 --seeds 5
    python benchmarks/bench_papers.py --methods gan,pacgan2 --steps 500 # a quick look

Every method trains from seeds 0 .. n − 1 in one ganplay.SideBySide (protocols.repeat) and is scored with the
paper's capture rule; the table is protocols.results_table, the page's. Prints the run time (one torch thread,
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
from ganplay import protocols  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default=protocols.DEFAULT_PROTOCOL, choices=list(protocols.PROTOCOLS))
    parser.add_argument("--methods", help="comma-separated, of: " + ", ".join(protocols.CONTENDERS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, help="generator steps (the protocol's own by default)")
    args = parser.parse_args()
    torch.set_num_threads(1)
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


if __name__ == "__main__":
    main()
