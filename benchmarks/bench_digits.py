"""Speed of the digits recipe against the lecture's plain loop scaled to the same shapes, as a ratio.

    python benchmarks/bench_digits.py            # full figures (about two minutes)
    python benchmarks/bench_digits.py --quick    # a few hundred steps, to check it runs
    python benchmarks/bench_digits.py --browser  # only the time in Chromium until the live grid shows digits

Both sides: the `digits` preset's shapes (z 16 -> 256 -> 256 -> 64 pixels; D on pairs of images, PacGAN
pack 2: 128 -> 256 -> 256 -> 1), ReLU, Adam 1e-3 with β = (0.5, 0.999), batch 64, one D step per G step, the
non-saturating loss, on the standardised 8×8 digits.

In Chromium: the Playground opened on the digits preset (`?preset=digits`), Play pressed; the page records,
inside the browser, when the live view's digit count first shows a confident share of at least 50 % with at
least 8 digits covered (the classifier of ganplay.digit_modes, recounted every 250 steps; polled every 0.1 s).
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
SHARE, COVERED = 0.5, 8
# Inside the page: every new digit count the live view shows (time, covered, share, the step it counted at).
WATCH_COUNT = r"""
window.digits_seen = [];
setInterval(() => {
  const count = document.body.innerText.match(/Digits covered: (\d+) of 10[^\n]*?confident share ([\d.]+)%[^\n]*?at step ([\d,]+)/);
  const last = window.digits_seen[window.digits_seen.length - 1];
  if (count && (!last || last[3] !== count[3])) window.digits_seen.push([performance.now(), +count[1], +count[2] / 100, count[3]]);
}, 100);
"""


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


def browser_seconds_to_digits(timeout_s: float = 300.0) -> tuple[float, int]:
    """Seconds from Play until the live grid's count shows a run with confident share >= SHARE and >= COVERED
    digits covered, and the step shown then."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from playwright.sync_api import sync_playwright
    from serve import launch, streamlit_server

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(WATCH_COUNT)
        page.goto(f"{url}/playground?preset=digits")
        page.get_by_role("button", name="Play").wait_for(timeout=120_000)
        page.wait_for_timeout(5000)  # the digit classifier's fit, in the background
        pressed = page.evaluate("performance.now()")
        page.get_by_role("button", name="Play").click()
        good = f"([t, covered, share]) => t > {pressed} && covered >= {COVERED} && share >= {SHARE}"
        page.wait_for_function(f"window.digits_seen.some({good})", timeout=timeout_s * 1000)
        t, _, _, step = page.evaluate(f"window.digits_seen.find({good})")
        browser.close()
    return (t - pressed) / 1000, int(step.replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few steps: check that it runs")
    parser.add_argument("--browser", action="store_true", help="only the time in Chromium")
    args = parser.parse_args()
    if not args.browser:
        speeds(200 if args.quick else 3000)
    seconds, step = browser_seconds_to_digits()
    print(f"Chromium: {seconds:.1f} s from Play until the live grid shows >= {COVERED} digits covered with a "
          f"confident share >= {SHARE:.0%} (at step {step:,})")


def speeds(steps: int) -> None:
    for threads in (1, 2):
        torch.set_num_threads(threads)
        base, own = baseline_steps_per_second(steps), ganplay_steps_per_second(steps)
        print(f"threads={threads}  plain loop {base:6.0f} steps/s | ganplay digits preset {own:6.0f} steps/s "
              f"= {own / base:4.2f}x")


if __name__ == "__main__":
    main()
