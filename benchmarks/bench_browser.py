"""What a visitor feels on the Playground, measured in headless Chromium against a local server.

    python benchmarks/bench_browser.py

Prints: seconds from pressing Play to the first new frame, seconds until the default run is done,
frames per second while playing (how often the step counter changes), and the bytes the server sent
over the websocket per frame while playing.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serve import launch, streamlit_server  # noqa: E402


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


def main() -> None:
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(WATCH_COUNTER)
        received = Received(page)
        page.goto(url)
        page.get_by_role("link", name="Playground").first.click()
        report("Playground, one run", measure(page, received))
        page.get_by_role("link", name="Mode collapse").first.click()
        report("Mode collapse, four variants", measure(page, received))
        page.wait_for_timeout(1500)  # the page's last rerun, which brings back the Play button
        for title in ("Minimax GAN", "WGAN-GP", "LSGAN"):  # keep the non-saturating GAN alone
            page.get_by_label(f"Remove {title}").click()
            page.wait_for_timeout(1500)
        report("Mode collapse, one variant", measure(page, received))
        browser.close()


def report(title: str, figures: dict[str, float]) -> None:
    print(title)
    for name, value in figures.items():
        print(f"  {name:34s} {value:6.2f}")


if __name__ == "__main__":
    main()
