"""Faults a visitor causes, in headless Chromium against one server: closing the browser or reloading while a run
trains, switching pages in a hurry, hammering Play and Pause. Each leaves one consistent run, no exception, and a
server that stops working once nobody watches. Stalls (a counter that stops moving for a minute) are the failure,
not slowness.
"""
import os
import tempfile
import time
from pathlib import Path

import pytest

from serve import (CHROMIUM, SKIP_REASON, STEP_TEXT, button, click_if_there, cpu_seconds, launch, released_sessions,
                   rss_mb, step_count, streamlit_server)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)]
STALL_SECONDS = 60.0
LONG_RUN = "playground?seed=11&steps=50000"  # trains for minutes: whatever happens, it happens mid-training
SHORT_RUN = "playground?seed=12&steps=600"


@pytest.fixture(scope="module")
def server():
    """One server for these faults; sessions end 2 s after their browser left, so a test can watch it happen."""
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "server.log"
    with streamlit_server("--server.disconnectedSessionTTL", "2", log=log) as (url, process), \
            sync_playwright() as p:
        browser = launch(p)
        yield url, process, log, browser
        browser.close()


def new_page(browser, url: str, link: str):
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.set_default_timeout(120_000)  # a busy machine is slow, not stuck
    page.goto(f"{url}/{link}")
    return page


def wait_until(predicate, what: str, progress=lambda: None) -> None:
    """Wait for predicate(); fail when progress() (e.g. a step counter) has not changed for STALL_SECONDS."""
    seen, moved_at = progress(), time.monotonic()
    while not predicate():
        time.sleep(0.25)
        now = progress()
        if now != seen:
            seen, moved_at = now, time.monotonic()
        assert time.monotonic() - moved_at < STALL_SECONDS, f"stalled waiting for {what} (at {seen})"


def keep_playing(page, done, what: str) -> list[int]:
    """Press Play whenever the page shows it enabled (clicks the server has not handled yet may pause the run
    again) until done(step count); fails on a stall. Returns the counts seen."""
    play = button(page, "Play").and_(page.locator(":enabled"))
    counts = [step_count(page)]

    def check() -> bool:
        if play.count():
            click_if_there(play)
        counts.append(step_count(page))
        return done(counts[-1])
    wait_until(check, what, lambda: counts[-1])
    return counts


def play_until(page, step: int) -> None:
    keep_playing(page, lambda count: count >= step, f"step {step}")


def assert_clean(page) -> None:
    assert page.get_by_text("Traceback").count() == 0 and page.locator(".stException").count() == 0
    assert page.get_by_text(STEP_TEXT).count() == 1  # one run on the page, one status line


def server_is_idle(process) -> bool:
    before = cpu_seconds(process.pid)
    time.sleep(2)
    return (cpu_seconds(process.pid) - before) / 2 < 0.1


def test_a_browser_closed_mid_training_frees_its_sessions_runs(server):
    url, process, log, browser = server
    released, idle = released_sessions(log), rss_mb(process.pid)
    page = new_page(browser, url, LONG_RUN)
    play_until(page, 200)
    training = rss_mb(process.pid)
    page.context.close()
    wait_until(lambda: released_sessions(log) > released, "the session's release")
    wait_until(lambda: server_is_idle(process), "the server to stop training")
    left = rss_mb(process.pid)
    assert left <= max(training, idle) * 1.1  # nothing grows once the visitor left


def test_a_reload_mid_training_starts_cleanly(server):
    url, process, _, browser = server
    page = new_page(browser, url, LONG_RUN.replace("seed=11", "seed=13"))
    play_until(page, 200)
    page.reload()
    button(page, "Play").wait_for()  # a new session: paused, with the link's run
    page.get_by_text(STEP_TEXT).first.wait_for()  # the live view draws after the buttons
    assert_clean(page)
    assert "seed=13" in page.url
    reached = step_count(page)
    play_until(page, reached + 100)
    assert_clean(page)
    page.context.close()


def test_ten_page_switches_in_five_seconds_while_playing_leave_one_consistent_run(server):
    url, process, _, browser = server
    page = new_page(browser, url, SHORT_RUN)
    play_until(page, 1)
    for name in ["Mode collapse", "Playground", "Latent walk", "Playground", "Home"] * 2:
        page.get_by_role("link", name=name).first.click()
        page.wait_for_timeout(500)
    page.get_by_role("link", name="Playground").first.click()
    page.get_by_text(STEP_TEXT).first.wait_for()
    assert "seed=12" in page.url and "steps=600" in page.url  # the settings survived the switches
    finish(page, 600)
    page.context.close()


def test_twenty_play_pause_clicks_in_a_row_leave_one_consistent_run(server):
    url, process, _, browser = server
    page = new_page(browser, url, LONG_RUN.replace("seed=11", "seed=14"))
    toggle = button(page, "Play").or_(button(page, "Pause")).first
    for _ in range(20):
        toggle.click()  # whichever the page shows, as fast as it takes clicks: some land on a button being redrawn
    start = step_count(page)
    counts = keep_playing(page, lambda count: count >= start + 300, "the run to go on")
    assert counts == sorted(counts)  # one run, going on from where the clicks left it: never back to an earlier step
    assert_clean(page)
    page.context.close()


def finish(page, steps: int) -> None:
    """Play page's run to its end (it may be there already) and check that one run got there, with no exception."""
    at_the_end = button(page, "Play").and_(page.locator(":disabled"))
    keep_playing(page, lambda _: at_the_end.count() > 0, "the run's end")
    assert page.get_by_text(STEP_TEXT).first.inner_text() == f"Step {steps:,} of {steps:,}"
    assert_clean(page)
