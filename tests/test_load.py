"""A classroom on one server: eight visitors press Play at once on different settings.

Each visitor is a separate browser context (its own Streamlit session) opening a shared link with its
own seed and length. All traffic stays on 127.0.0.1 and the test stops by itself.
"""
import os
import threading
import time
import urllib.request

import pytest

from serve import CHROMIUM, SKIP_REASON, STEP_TEXT, launch, step_count, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.load,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)]
VISITORS = 8
RSS_LIMIT_MB = 900


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


class PeakRss(threading.Thread):
    """Samples the server's resident memory until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.1)


def test_eight_visitors_train_at_once_each_on_their_own_run(capsys):
    from playwright.sync_api import sync_playwright

    with streamlit_server("--server.disconnectedSessionTTL", "2") as (url, server), sync_playwright() as p:
        browser = launch(p)
        idle = rss_mb(server.pid)
        sampler = PeakRss(server.pid)
        sampler.start()
        steps = {k: 500 + 100 * k for k in range(VISITORS)}
        pages = {}
        for k in range(VISITORS):
            page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
            page.goto(f"{url}/playground?seed={k}&steps={steps[k]}")
            pages[k] = page
        for page in pages.values():
            page.get_by_role("button", name="Play").wait_for()
        loaded = rss_mb(server.pid)  # the app imported and eight sessions open, nothing trained yet
        for page in pages.values():
            page.get_by_role("button", name="Play").click()
        started = time.monotonic()
        first_frames = {}
        while len(first_frames) < VISITORS or any(step_count(pg) < steps[k] for k, pg in pages.items()):
            for k, page in pages.items():
                if k not in first_frames and step_count(page) > 0:
                    first_frames[k] = time.monotonic() - started
            assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
            assert time.monotonic() - started < 240, "not every visitor's run finished"
            time.sleep(0.5)
        took = time.monotonic() - started
        sampler.running = False
        sampler.join()

        for k, page in pages.items():
            assert page.get_by_text(STEP_TEXT).first.inner_text() == f"Step {steps[k]:,} of {steps[k]:,}"
            assert f"seed={k}" in page.url
            assert page.get_by_text("Traceback").count() == 0 and page.locator(".stException").count() == 0
        for page in pages.values():
            page.context.close()
        browser.close()
        time.sleep(8)  # the sessions' TTL after disconnecting, and the next cleanup pass
        left = rss_mb(server.pid)
        total_steps = sum(steps.values())
        with capsys.disabled():  # the figures belong in CI's log, not only in a failure report
            print(f"\nload: {VISITORS} visitors, server RSS idle {idle:.0f} MB, sessions open {loaded:.0f} MB, "
                  f"peak {sampler.peak:.0f} MB, "
                  f"after they left {left:.0f} MB; "
                  f"{total_steps / took / VISITORS:.0f} steps/s per session ({total_steps / took:.0f} in all); "
                  f"first frame after Play: median {sorted(first_frames.values())[VISITORS // 2]:.2f} s, "
                  f"worst {max(first_frames.values()):.2f} s")
        assert sampler.peak < RSS_LIMIT_MB
