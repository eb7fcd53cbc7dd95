"""The live loop's training while session threads draw, at Python's default GIL switch interval and at the app's.

    python benchmarks/bench_gil.py            # three interleaved rounds, 9 visitors, 4 drawing threads
    python benchmarks/bench_gil.py --quick    # one short round, to check it runs

The loop thread gives up the GIL at each of its many small torch ops and, while other threads run Python (a
page's drawing), waits up to a switch interval to get it back. N visitors play the default config on their own
seeds (one stack) while K threads stand in for session threads: each runs pure Python for 5 ms, then sleeps
10 ms. Printed: the runs' aggregate steps/s over a window at each interval, and their ratio (median of rounds).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ganplay  # noqa: E402
from ganplay.live import SWITCH_SECONDS, LiveLoop  # noqa: E402

PYTHON_DEFAULT = 0.005


def drawing(stop: threading.Event) -> None:
    """A session thread drawing frames: bursts of pure Python under the GIL."""
    while not stop.is_set():
        began = time.perf_counter()
        while time.perf_counter() - began < 0.005:
            sum(range(1000))
        time.sleep(0.01)


def steps_per_second(interval: float, visitors: int, drawers: int, window: float) -> float:
    sys.setswitchinterval(interval)
    loop, stop = LiveLoop(), threading.Event()
    viewers = [loop.watch(f"v{i}", ganplay.RunConfig(seed=i, steps=50_000)) for i in range(visitors)]
    threads = [threading.Thread(target=drawing, args=(stop,), daemon=True) for _ in range(drawers)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    while time.perf_counter() - began < window:
        for viewer in viewers:
            viewer.read()
        time.sleep(0.2)
    steps = sum(loop.steps_taken(v.config) for v in viewers)
    seconds = time.perf_counter() - began
    for viewer in viewers:
        viewer.pause()
    stop.set()
    for thread in threads:
        thread.join()
    return steps / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--visitors", type=int, default=9)
    parser.add_argument("--drawers", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as app.py
    rounds, window = (1, 3.0) if args.quick else (3, 10.0)
    ratios = []
    for k in range(rounds):
        default = steps_per_second(PYTHON_DEFAULT, args.visitors, args.drawers, window)
        app = steps_per_second(SWITCH_SECONDS, args.visitors, args.drawers, window)
        ratios.append(app / default)
        print(f"round {k + 1}: {args.visitors} runs, {args.drawers} drawing threads: {default:.0f} steps/s at "
              f"{PYTHON_DEFAULT * 1e3:g} ms, {app:.0f} steps/s at {SWITCH_SECONDS * 1e3:g} ms ({app / default:.1f}x)")
    print(f"app's switch interval against Python's default: {statistics.median(ratios):.1f}x (median of {rounds})")


if __name__ == "__main__":
    main()
