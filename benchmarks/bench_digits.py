"""Speed of the digits recipe against the lecture's plain loop scaled to the same shapes, as a ratio.

    python benchmarks/bench_digits.py            # full figures (about a minute)
    python benchmarks/bench_digits.py --quick    # a few hundred steps, to check it runs

Both sides: the `digits` preset's shapes (z 16 -> 256 -> 256 -> 64 pixels; D on pairs of images, PacGAN
pack 2: 128 -> 256 -> 256 -> 1), ReLU, Adam 1e-3 with β = (0.5, 0.999), batch 64, one D step per G step, the
non-saturating loss, on the standardised 8×8 digits.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ganplay  # noqa: E402
from bench_core import _rate, lecture_step  # noqa: E402  (_rate: the best of five rounds, after a warm-up)
from ganplay.presets import PRESETS  # noqa: E402

DIGITS = PRESETS["digits"].config()


def _mlp(widths: list[int]) -> nn.Sequential:
    layers = [m for a, b in zip(widths, widths[1:]) for m in (nn.Linear(a, b), nn.ReLU())]
    return nn.Sequential(*layers[:-1])


def baseline_steps_per_second(steps: int) -> float:
    """The lecture's loop (bench_core's, BCE on D's logits, Adam, the fake reused for G's step), D on pairs."""
    cfg = DIGITS
    torch.manual_seed(0)
    data = ganplay.load_dataset("digits", cfg.n, cfg.data_seed).x
    x = torch.tensor((data - data.mean(0)) / data.std(0).clip(min=1e-6))
    dim, batch, pack = x.shape[1], cfg.batch_size, cfg.pack
    G = _mlp([cfg.z_dim, *[cfg.g_width] * cfg.g_depth, dim])
    D = _mlp([dim * pack, *[cfg.d_width] * cfg.d_depth, 1])
    betas = (cfg.beta1, cfg.beta2)
    opt_g, opt_d = torch.optim.Adam(G.parameters(), cfg.lr_g, betas), torch.optim.Adam(D.parameters(), cfg.lr_d, betas)
    return _rate(lecture_step(G, D, opt_g, opt_d, x, batch, cfg.z_dim, pack), steps)


def ganplay_steps_per_second(steps: int) -> float:
    run = ganplay.Trainer(DIGITS.replace(steps=50_000))
    return _rate(lambda: run.step(1), steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few steps: check that it runs")
    args = parser.parse_args()
    steps = 200 if args.quick else 3000
    for threads in (1, 2):
        torch.set_num_threads(threads)
        base, own = baseline_steps_per_second(steps), ganplay_steps_per_second(steps)
        print(f"threads={threads}  plain loop {base:6.0f} steps/s | ganplay digits preset {own:6.0f} steps/s "
              f"= {own / base:4.2f}x")


if __name__ == "__main__":
    main()
