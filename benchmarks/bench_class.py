"""A class of 30 on one server, in headless Chromium: 30 pages, each its own browser context (its own session).

    python benchmarks/bench_class.py [--pages 30]

(a) Every page opens one preset link and presses Play: the server should train that config once (counted from the
    server's log, where the live loop names every training it starts) and every page reach the last step.
(b) Each page opens the same preset with its own seed: aggregate training steps/s against one lone visitor's live
    steps/s (measured first, alone), each page's frames per second, the server's peak RSS, and its RSS after the
    pages left against its idle RSS.
Then, on the warm server: a new visitor's first Playground chart time ÷ the Home page's time.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_browser import WATCH_COUNTER  # noqa: E402
from serve import PeakRss, launch, rss_mb, streamlit_server  # noqa: E402

from ganplay.ui.caches import NEW_TRAINING  # noqa: E402

LINK = "playground?preset=lsgan&steps=1000"
STEPS = 1000


def open_pages(browser, url: str, links: list[str]) -> list:
    pages = []
    for link in links:
        page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        page.add_init_script(WATCH_COUNTER)
        page.goto(f"{url}/{link}")
        pages.append(page)
    for page in pages:
        page.get_by_role("button", name="Play").wait_for(timeout=300_000)
    return pages


def play_all(pages: list) -> dict[str, float]:
    """Press Play on every page; wait until each shows the last step; seconds taken and frames/s per page."""
    pressed = time.monotonic()
    for page in pages:
        page.get_by_role("button", name="Play").click()
    for page in pages:
        page.wait_for_function(f"window.frames_seen.some(([, step]) => step >= {STEPS})", timeout=900_000)
    took = time.monotonic() - pressed
    rates = []
    for page in pages:
        frames = [t for t, step in page.evaluate("window.frames_seen") if 0 < step < STEPS]
        rates.append((len(frames) - 1) / max((frames[-1] - frames[0]) / 1000, 1e-9) if len(frames) > 1 else 0.0)
    return {"seconds": took, "slowest frames/s": min(rates), "median frames/s": sorted(rates)[len(rates) // 2]}


def close(pages: list) -> None:
    for page in pages:
        page.context.close()


def first_view_seconds(browser, url: str, path: str, ready: str) -> float:
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    began = time.monotonic()
    page.goto(f"{url}/{path}")
    page.locator(ready).first.wait_for(timeout=120_000)
    took = time.monotonic() - began
    page.context.close()
    return took


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=30)
    n = parser.parse_args().pages
    log = Path(tempfile.mkdtemp()) / "server.log"
    with streamlit_server("--server.disconnectedSessionTTL", "2", log=log) as (url, server), sync_playwright() as p:
        browser = launch(p)
        idle = rss_mb(server.pid)
        sampler = PeakRss(server.pid)
        sampler.start()

        before = log.read_text().count(NEW_TRAINING)  # a page's run is made when it opens, before Play
        pages = open_pages(browser, url, [LINK] * n)
        shared = play_all(pages)
        trainings = log.read_text().count(NEW_TRAINING) - before
        close(pages)
        print(f"(a) {n} pages on one link: trainings started {trainings} (target 1), every page reached step "
              f"{STEPS:,} after {shared['seconds']:.1f} s; frames/s slowest {shared['slowest frames/s']:.1f}, "
              f"median {shared['median frames/s']:.1f}")

        (lone_page,) = open_pages(browser, url, [f"{LINK}&seed=999"])
        lone = play_all([lone_page])
        close([lone_page])
        lone_rate = STEPS / lone["seconds"]
        pages = open_pages(browser, url, [f"{LINK}&seed={k}" for k in range(n)])
        own = play_all(pages)
        close(pages)
        aggregate = n * STEPS / own["seconds"]
        print(f"(b) {n} pages, own seeds: aggregate {aggregate:.0f} steps/s vs one lone visitor's {lone_rate:.0f} "
              f"live steps/s: {aggregate / lone_rate:.2f}x (target >= 3); frames/s slowest "
              f"{own['slowest frames/s']:.1f} (target >= 1), median {own['median frames/s']:.1f}")

        home = first_view_seconds(browser, url, "", "text=A Generative Adversarial Network")
        playground = first_view_seconds(browser, url, "playground?seed=4242", ".vega-embed canvas, .vega-embed svg")
        print(f"new visitor on a warm server: Home {home:.2f} s, first Playground chart {playground:.2f} s: "
              f"{playground / home:.2f}x (target <= 1.3)")
        browser.close()
        sampler.running = False
        time.sleep(45)  # session lifetime (2 s here), the loop's margin and its next trim
        left = rss_mb(server.pid)
        print(f"server RSS: idle {idle:.0f} MB, peak {sampler.peak:.0f} MB (target < 1536), after they left "
              f"{left:.0f} MB: {left / idle - 1:+.0%} of idle (target within 10 %)")


if __name__ == "__main__":
    main()
