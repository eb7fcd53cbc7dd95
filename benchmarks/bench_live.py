"""Training through the live loop against bare Trainer.step, as a ratio (issue 13: target ≥ 0.6).

    python benchmarks/bench_live.py            # five interleaved rounds of the default config (2,000 steps)
    python benchmarks/bench_live.py --quick    # one short round, to check it runs
    python benchmarks/bench_live.py --crowd    # only the crowd: 8 and 30 visitors, batched and not

Live: one viewer plays the default config while a reader thread reads its frame five times a second and
computes a dummy frame from it (tables, JSON: pure Python under the GIL, as a page's drawing is). Bare:
Trainer(cfg).step(steps) in one call. Rounds alternate bare and live so that both see the same machine
(its cores are shared); the ratio quoted is the median of the rounds' ratios. One torch thread, as app.py.
Then how soon Pause stops the work: from pause() to the end of the run's last step in the loop.

Crowd (issue 13, 30 visitors each with their own seed: aggregate ≥ 3× one lone visitor's live steps/s): N
visitors press Play together on the default config, each its own seed, and one reader thread reads every
viewer five times a second; the aggregate steps/s of all N runs over a window after the start, through a
loop that batches them (max_stack 32) and through one that does not (max_stack 1), against one visitor alone
through the same harness. Rounds interleave all of them; ratios are medians over rounds.
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
# The lecture's network size (bench_core.py): bound by per-op overhead, which a stack shares; the default
# config (64 wide, batch 256) is bound by arithmetic on this CPU, which a stack does not save.
SMALL = ganplay.RunConfig(g_width=25, d_width=25, batch_size=128)


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


def crowd_rate(cfg: ganplay.RunConfig, visitors: int, max_stack: int, warm: float = 0.6,
               window: float = 3.0) -> tuple[float, float]:
    """(aggregate steps/s of `visitors` runs playing together over `window` seconds after `warm`, mean batch size)."""
    loop = LiveLoop(max_stack=max_stack)
    viewers = [loop.watch(f"visitor {k}", cfg.replace(seed=k)) for k in range(visitors)]
    reading, marks = threading.Event(), []

    def read_all():
        while not reading.is_set():
            for viewer in viewers:
                viewer.read()
            time.sleep(1 / READS_PER_SECOND)

    reader = threading.Thread(target=read_all)
    reader.start()
    total = lambda: sum(loop.steps_taken(v.config) for v in viewers)  # noqa: E731
    time.sleep(warm)
    marks.append((time.perf_counter(), total()))
    time.sleep(window)
    marks.append((time.perf_counter(), total()))
    reading.set()
    reader.join()
    for viewer in viewers:
        viewer.pause()
    (began, first), (ended, last) = marks
    sizes = loop.batch_sizes
    return (last - first) / (ended - began), sum(k * n for k, n in sizes.items()) / max(sum(sizes.values()), 1)


def crowd(cfg: ganplay.RunConfig, rounds: int, crowds=(8, 30)) -> None:
    cfg = cfg.replace(steps=50_000)  # nobody finishes inside the window
    ratios: dict[tuple[int, int], list[float]] = {}
    print(f"crowd: {cfg.g_width} wide, batch {cfg.batch_size}, each visitor its own seed, read {READS_PER_SECOND}×/s;"
          " aggregate steps/s")
    for index in range(rounds):
        lone, _ = crowd_rate(cfg, 1, 32)
        line = [f"round {index + 1}: one visitor {lone:,.0f}"]
        for visitors in crowds:
            for max_stack in (32, 1):
                rate, mean_batch = crowd_rate(cfg, visitors, max_stack)
                ratios.setdefault((visitors, max_stack), []).append(rate / lone)
                line.append(f"{visitors} {'batched' if max_stack > 1 else 'alone'} {rate:,.0f} "
                            f"({rate / lone:.2f}×, batches of {mean_batch:.1f})")
        print("; ".join(line))
    for (visitors, max_stack), values in ratios.items():
        print(f"{cfg.g_width} wide: {visitors} visitors, {'batched' if max_stack > 1 else 'not batched'}: aggregate ÷ one visitor's live "
              f"steps/s median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f}) "
              f"over {rounds} interleaved rounds{'; target ≥ 3 for 30' if max_stack > 1 else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 300 steps")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--crowd", action="store_true", help="only the crowd measurement")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = ganplay.RunConfig(steps=300) if args.quick else ganplay.RunConfig()
    rounds = 1 if args.quick else args.rounds
    if args.crowd or args.quick:
        for config in (cfg, SMALL):
            crowd(config, rounds, crowds=(8,) if args.quick else (8, 30))
        if args.crowd:
            return
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
