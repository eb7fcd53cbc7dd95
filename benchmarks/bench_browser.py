"""What a visitor feels on the Playground, measured in headless Chromium against a local server.

    python benchmarks/bench_browser.py

Prints: seconds from pressing Play to the first new frame, seconds until the default run is done,
and frames per second while playing (how often the step counter changes).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve import launch, step_count, streamlit_server  # noqa: E402


def measure(page) -> dict[str, float]:
    page.get_by_role("link", name="Playground").first.click()
    page.get_by_role("button", name="Play").wait_for()
    page.wait_for_timeout(1500)  # let the first full render settle
    pressed = time.monotonic()
    page.get_by_role("button", name="Play").click()
    seen, first_frame, last = [], None, 0
    while last < 2000 and time.monotonic() - pressed < 120:
        count = step_count(page)
        if count != last and count > 0:
            seen.append(time.monotonic())
            first_frame = first_frame or seen[-1] - pressed
            last = count
        page.wait_for_timeout(60)  # light polling: the browser shares the CPU with the server
    finished = time.monotonic() - pressed
    playing = seen[-1] - seen[0] if len(seen) > 1 else float("nan")
    return {"first frame after Play (s)": first_frame, "default run finished after (s)": finished,
            "frames per second while playing": (len(seen) - 1) / playing}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        for name, value in measure(page).items():
            print(f"{name:34s} {value:6.2f}")
        browser.close()


if __name__ == "__main__":
    main()
