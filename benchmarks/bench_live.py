"""Training through the live loop against bare Trainer.step, as a ratio (issue 13: target ≥ 0.6).

    python benchmarks/bench_live.py            # five interleaved rounds of the default config (2,000 steps)
    python benchmarks/bench_live.py --quick    # one short round, to check it runs

Live: one viewer plays the default config while a reader thread reads its frame five times a second and
computes a dummy frame from it (tables, JSON: pure Python under the GIL, as a page's drawing is). Bare:
Trainer(cfg).step(steps) in one call. Rounds alternate bare and live so that both see the same machine
(its cores are shared); the ratio quoted is the median of the rounds' ratios. One torch thread, as app.py.
Then how soon Pause stops the work: from pause() to the end of the run's last step in the loop.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ganplay  # noqa: E402
from ganplay.live import LiveLoop  # noqa: E402

READS_PER_SECOND = 5


def dummy_frame(snapshot) -> int:
    """Stand-in for drawing: the points and losses as records and JSON."""
    points = pd.DataFrame({"x": snapshot.fake[:, 0], "y": snapshot.fake[:, 1]})
    records = points.to_dict("records") + snapshot.history.tail(400).to_dict("records")
    return len(json.dumps(records))


def bare_seconds(cfg: ganplay.RunConfig) -> float:
    run = ganplay.Trainer(cfg)
    began = time.perf_counter()
    run.step(cfg.steps)
    return time.perf_counter() - began


def live_seconds(cfg: ganplay.RunConfig) -> tuple[float, int, float]:
    """(seconds from Play to the last step, frames read, mean seconds of one dummy frame)."""
    finished_at = []

    def frame_of(run):
        if run.status in ("done", "diverged"):
            finished_at.append(time.perf_counter())
        return run.snapshot()

    loop = LiveLoop(frame_of)
    viewer = loop.watch("bench", cfg)
    drawing, began = [], time.perf_counter()
    while not finished_at:
        frame = viewer.read()
        start = time.perf_counter()
        dummy_frame(frame.value)
        drawing.append(time.perf_counter() - start)
        time.sleep(max(0.0, 1 / READS_PER_SECOND - drawing[-1]))
    viewer.pause()
    return finished_at[0] - began, len(drawing), statistics.mean(drawing)


def reader_thread_run(cfg: ganplay.RunConfig) -> tuple[float, int, float]:
    """live_seconds with the reader in its own thread, as a Streamlit session is."""
    result = []
    thread = threading.Thread(target=lambda: result.append(live_seconds(cfg)))
    thread.start()
    thread.join()
    return result[0]


def pause_latency(cfg: ganplay.RunConfig, play_seconds: float = 1.0) -> float:
    """Seconds from Pause to the end of the loop's last step of the run (one chunk at most)."""
    step_ends = []

    class Timed(ganplay.Trainer):
        def step(self, n=1):
            super().step(n)
            step_ends.append(time.perf_counter())
            return self

    loop = LiveLoop(make_run=Timed, idle_seconds=0.2)
    viewer = loop.watch("bench", cfg)
    began = time.perf_counter()
    while time.perf_counter() - began < play_seconds:
        viewer.read()
        time.sleep(1 / READS_PER_SECOND)
    paused_at = time.perf_counter()
    viewer.pause()
    while loop.running:
        time.sleep(0.05)
    return max(0.0, step_ends[-1] - paused_at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 300 steps")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = ganplay.RunConfig(steps=300) if args.quick else ganplay.RunConfig()
    rounds = 1 if args.quick else args.rounds
    bare_seconds(cfg.replace(steps=50))  # warm-up
    ratios = []
    print(f"default config, {cfg.steps:,} steps; a reader at {READS_PER_SECOND} frames/s in another thread")
    for index in range(rounds):
        bare = bare_seconds(cfg)
        live, frames, drawing = reader_thread_run(cfg)
        ratios.append(bare / live)
        print(f"round {index + 1}: bare {cfg.steps / bare:,.0f} steps/s, live {cfg.steps / live:,.0f} steps/s "
              f"({frames} frames read, dummy frame {drawing * 1e3:.1f} ms): ratio {ratios[-1]:.2f}")
    latency = [pause_latency(cfg.replace(steps=50_000)) for _ in range(rounds)]
    print(f"Pause to the last step: median {statistics.median(latency) * 1e3:.0f} ms, "
          f"worst {max(latency) * 1e3:.0f} ms (chunks aim at {LiveLoop().chunk_seconds * 1e3:.0f} ms)")
    print(f"live ÷ bare steps/s: median {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}) over {rounds} interleaved rounds; target ≥ 0.6")


if __name__ == "__main__":
    main()
