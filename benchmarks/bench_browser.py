"""What a visitor feels on the Playground, measured in headless Chromium against a local server.

    python benchmarks/bench_browser.py

Prints: seconds from pressing Play to the first new frame, seconds until the default run is done,
frames per second while playing (how often the step counter changes), the bytes the server sent
over the websocket per frame while playing, and the live training speed against the bare trainer's
on the same config in this process (Trainer.step for the Playground, collapse.Comparison for Mode collapse).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve import launch, streamlit_server  # noqa: E402

import torch  # noqa: E402

from ganplay import RunConfig, Trainer, collapse  # noqa: E402
from ganplay.variants import VARIANTS  # noqa: E402

STEPS = 2000


# Records, inside the page, each time the Playground's step counter shows a new value: polling it from
# Playwright would itself take a good part of the CPU the page and the server share.
WATCH_COUNTER = r"""
window.frames_seen = [];
new MutationObserver(() => {
  for (const bar of document.querySelectorAll('[data-testid="stProgress"]')) {
    const shown = bar.innerText.match(/Step ([\d,]+) of/);
    if (!shown) continue;
    const step = parseInt(shown[1].replace(/,/g, ''));
    const last = window.frames_seen[window.frames_seen.length - 1];
    if (!last || last[1] !== step) window.frames_seen.push([performance.now(), step]);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


class Received:
    """Bytes of every websocket message the server sends the page, counted from Playwright's side."""

    def __init__(self, page):
        self.sizes: list[int] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self.count))

    def count(self, payload) -> None:
        self.sizes.append(len(payload))


def measure(page, received: Received, steps: int = 2000) -> dict[str, float]:
    """Press Play on the open page and time its frames until `steps` generator steps."""
    page.get_by_role("button", name="Play").wait_for()
    page.wait_for_timeout(1500)  # let the first full render settle
    page.evaluate("window.frames_seen = []")
    pressed = page.evaluate("performance.now()")
    page.get_by_role("button", name="Play").click()
    sent_before = len(received.sizes)
    page.wait_for_function(f"window.frames_seen.some(([, step]) => step >= {steps})", timeout=300_000)
    sent = sum(received.sizes[sent_before:])
    frames = [(t, step) for t, step in page.evaluate("window.frames_seen") if t > pressed and step > 0]
    playing = [t for t, step in frames if step < steps]  # the last frame comes when the run ends, not on time
    return {"first frame after Play (s)": (frames[0][0] - pressed) / 1000,
            "default run finished after (s)": (frames[-1][0] - pressed) / 1000,
            "frames per second while playing": (len(playing) - 1) / ((playing[-1] - playing[0]) / 1000),
            "KB sent per frame (websocket)": sent / len(frames) / 1024}


def bare_seconds(step) -> float:
    """The best of three: seconds for `step()` (STEPS generator steps of a fresh run), one torch thread as the server."""
    torch.set_num_threads(1)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - began)
    return best


def against_bare(figures: dict[str, float], bare: float) -> dict[str, float]:
    live = figures["default run finished after (s)"]  # from Play: the first frame's wait counts too
    return {**figures, "bare run (s)": bare, "live ÷ bare steps/s": bare / live}


def main() -> None:
    from playwright.sync_api import sync_playwright

    lesson = collapse.LESSON  # the Mode collapse page's defaults: a plain GAN beside a remedy
    both = collapse.variant_configs(lesson.base(), lesson.variants, shared_recipe=False)
    bare = {"playground": bare_seconds(lambda: Trainer(RunConfig()).step(STEPS)),
            "both": bare_seconds(lambda: collapse.Comparison(both).step(lesson.steps)),
            "one": bare_seconds(lambda: collapse.Comparison(both[:1]).step(lesson.steps))}

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(WATCH_COUNTER)
        received = Received(page)
        page.goto(url)
        page.get_by_role("link", name="Playground").first.click()
        report("Playground, one run", against_bare(measure(page, received), bare["playground"]))
        page.get_by_role("link", name="Mode collapse").first.click()
        report("Mode collapse, its two default variants",
               against_bare(measure(page, received, lesson.steps), bare["both"]))
        page.wait_for_timeout(1500)  # the page's last rerun, which brings back the Play button
        for name in lesson.variants[1:]:  # keep the plain GAN alone
            page.get_by_label(f"Remove {VARIANTS[name].title}").click()
            page.wait_for_timeout(1500)
        report("Mode collapse, one variant", against_bare(measure(page, received, lesson.steps), bare["one"]))
        browser.close()


def report(title: str, figures: dict[str, float]) -> None:
    print(title)
    for name, value in figures.items():
        print(f"  {name:34s} {value:6.2f}")


if __name__ == "__main__":
    main()
