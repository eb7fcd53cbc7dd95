"""Speed and memory of ganplay against the lecture's plain training loop, as ratios.

    python benchmarks/bench_core.py            # full figures (about a minute)
    python benchmarks/bench_core.py --quick    # a few hundred steps, to check it runs

Both sides run in this one process on the same data and settings: nn.Sequential G and D with two
hidden layers of 25, Adam lr 1e-4 / 2e-4, batch 128, the 2-D Iris data, one D step per G step.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
from sklearn.datasets import load_iris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ganplay  # noqa: E402

LECTURE = ganplay.RunConfig(dataset="iris", n=150, noise=0.0, variant="nsgan", z_dim=2, g_width=25, d_width=25,
                            g_depth=2, d_depth=2, optimizer="adam", lr_g=1e-4, lr_d=2e-4, beta1=0.9, beta2=0.999,
                            batch_size=128, d_steps=1, steps=50_000)


def baseline_steps_per_second(steps: int) -> float:
    """The lecture's loop, as written there (BCE on D's logits, Adam, fake reused for G's step)."""
    torch.manual_seed(0)
    x = torch.tensor(load_iris().data[:, :2], dtype=torch.float32)
    G = nn.Sequential(nn.Linear(2, 25), nn.ReLU(), nn.Linear(25, 25), nn.ReLU(), nn.Linear(25, 2))
    D = nn.Sequential(nn.Linear(2, 25), nn.ReLU(), nn.Linear(25, 25), nn.ReLU(), nn.Linear(25, 1))
    opt_g, opt_d = torch.optim.Adam(G.parameters(), lr=1e-4), torch.optim.Adam(D.parameters(), lr=2e-4)
    return _rate(lecture_step(G, D, opt_g, opt_d, x, batch=128, z_dim=2), steps)


def lecture_step(G, D, opt_g, opt_d, x, batch: int, z_dim: int, pack: int = 1):
    """One step of the lecture's loop as a closure; with pack > 1 D judges that many samples at once (PacGAN)."""
    bce, ones, zeros = nn.BCEWithLogitsLoss(), torch.ones(batch // pack, 1), torch.zeros(batch // pack, 1)

    def step():
        real = x[torch.randint(len(x), (batch,))].view(batch // pack, -1)
        fake = G(torch.randn(batch, z_dim)).view(batch // pack, -1)
        opt_d.zero_grad()
        (bce(D(real), ones) + bce(D(fake.detach()), zeros)).backward()
        opt_d.step()
        opt_g.zero_grad()
        bce(D(fake), ones).backward()
        opt_g.step()

    return step


def ganplay_steps_per_second(runs: int, steps: int) -> float:
    stack = ganplay.SideBySide([LECTURE.replace(seed=s) for s in range(runs)])
    return _rate(lambda: stack.step(1), steps)


def _rate(step, steps: int, rounds: int = 5) -> float:
    """Steps per second, the best of a few rounds (as timeit: the others were disturbed, not slower)."""
    for _ in range(min(100, steps)):  # warm-up: allocator, MKL dispatch
        step()
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps // rounds):
            step()
        best = max(best, steps // rounds / (time.perf_counter() - start))
    return best


def peak_rss_mb(runs: int, steps: int) -> float:
    """Peak RSS of a fresh process that trains `runs` runs side by side (all of it: Python, torch, data)."""
    code = (f"import sys, resource; sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r});"
            f"import ganplay; ganplay.SideBySide([ganplay.RunConfig(seed=s, steps={steps}) for s in range({runs})])"
            f".step({steps}); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few steps: check that it runs")
    args = parser.parse_args()
    steps = 300 if args.quick else 6000
    rates = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rates[threads] = (baseline_steps_per_second(steps), ganplay_steps_per_second(1, steps),
                          8 * ganplay_steps_per_second(8, steps))
    base = max(b for b, _, _ in rates.values())  # the lecture's loop at its best thread count
    for threads, (own_base, one, eight) in rates.items():
        print(f"threads={threads}  baseline {own_base:7.0f} steps/s | ganplay one run {one:7.0f} steps/s "
              f"= {one / base:4.1f}x | eight side by side {eight:7.0f} run-steps/s = {eight / base:4.1f}x")
    print(f"(ratios against the baseline's best, {base:.0f} steps/s)")
    rss_steps = 200 if args.quick else 2000
    print(f"peak RSS, eight default runs of {rss_steps} steps side by side: {peak_rss_mb(8, rss_steps):.0f} MB")


if __name__ == "__main__":
    main()
