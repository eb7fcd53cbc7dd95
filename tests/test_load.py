"""A classroom on one server: nine visitors at once, each in its own browser context (its own Streamlit session).

Six play the Playground on their own seed and length (one on a heavy configuration), one walks a finished run on
the Latent walk page, one plays a run of the same config as another (one training for both), one uploads its own
CSV and plays it. Meanwhile they press Pause, Step and Reset and change a setting. The test stops on a stall (no
visitor's counter moved for a minute), not on a deadline: a busy machine is slow, not wrong; and at once on any
uncaught JavaScript error of a page (Streamlit's frontend does not recover from one). The server keeps the
production session lifetime. All traffic stays on 127.0.0.1.
"""
import os
import re
import time
import urllib.request

import pytest

from serve import (CHROMIUM, SKIP_REASON, STEP_TEXT, PeakRss, button, cpu_seconds, launch, rss_mb,
                   step_count, streamlit_server)

pytestmark = [pytest.mark.browser, pytest.mark.load,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)]
RSS_LIMIT_MB = 900
STALL_SECONDS = 60.0
TRAINING_TEXT = re.compile(r"step ([\d,]+) of [\d,]+$")  # the Latent walk's progress while it trains
VISITORS = {  # name -> (page and link, steps)
    "a": ("playground?seed=1&steps=500", 500),
    "b": ("playground?seed=2&steps=450", 450),
    "c": ("playground?seed=3&steps=400", 400),
    "d": ("playground?seed=4&steps=300", 300),
    "same as a": ("playground?seed=1&steps=500", 500),
    "heavy": ("playground?seed=5&steps=60&g_width=256&d_width=256&g_depth=4&d_depth=4&batch_size=1024", 60),
    "setting": ("playground?seed=6&steps=400", 400),
    "walk": ("latent_walk?seed=7&steps=300", 300),
    "upload": ("playground?seed=8&steps=300", 300),
}
OWN_CSV = "a,b\n" + "\n".join(f"{(k % 7) * 0.5:.2f},{(k % 5) * 0.3 - (k % 3) * 0.2:.2f}" for k in range(400))


def progress(page) -> int:
    """A visitor's step: the live counter, or the Latent walk's training progress (-1 when neither shows)."""
    shown = step_count(page)
    if shown >= 0:
        return shown
    bar = page.get_by_text(TRAINING_TEXT).first
    return int(TRAINING_TEXT.search(bar.inner_text()).group(1).replace(",", "")) if bar.count() else -1


PAGE_ERRORS: list[str] = []  # every uncaught JavaScript error of any visitor's page, as "visitor: error"


def listen(page, name: str) -> None:
    page.on("pageerror", lambda error: PAGE_ERRORS.append(f"{name}: {error}"))


def wait_unless_broken(locator) -> None:
    """Wait for locator, in slices, failing at once when a page's frontend has failed (it will not come back) and
    after a minute without it (a stall: slow is not stuck, but a minute is)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for _ in range(int(STALL_SECONDS / 5)):
        assert not PAGE_ERRORS, f"a page's frontend failed: {PAGE_ERRORS}"
        try:
            return locator.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            pass
    raise AssertionError(f"waited a minute for {locator}")


def press(page, name: str) -> None:
    """Click a control as a visitor would, whatever the run did meanwhile: the other viewer of a shared run may
    have trained it to the end, or a Step reached the last step. A finished run has nothing to pause, and its
    Play and Step are disabled, as they should be: the visitor starts over with Reset first. A Pause is heard when
    Play comes back."""
    control = button(page, name)
    wait_unless_broken(control.or_(button(page, "Play").and_(page.locator(":disabled"))).first)
    if not control.count():
        return  # Pause, and the run is at its end
    if control.is_disabled():
        button(page, "Reset").click()  # the click below waits for the control the rerun enables
    control.click()
    if name == "Pause":
        wait_unless_broken(button(page, "Play"))


@pytest.mark.xfail(strict=False, reason="open defect (README, Faults): under load Streamlit's frontend can fail with "
                   "'Cannot set a node at a delta path' after a Pause and leave the page blank; this test failed in 7 "
                   "of 7 runs beside two CPU burners")
def test_nine_visitors_train_at_once_and_press_every_control(record_property):
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, server), sync_playwright() as p:
        browser = launch(p)
        idle = rss_mb(server.pid)
        pages = {}
        PAGE_ERRORS.clear()
        for name, (link, _) in VISITORS.items():
            pages[name] = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
            listen(pages[name], name)
            pages[name].set_default_timeout(STALL_SECONDS * 1000)  # a minute without an answer is a stall
            pages[name].goto(f"{url}/{link}")
        players = {name: page for name, page in pages.items() if name != "walk"}
        for page in players.values():
            button(page, "Play").wait_for()
        loaded = rss_mb(server.pid)  # the app imported and the sessions open, nothing trained yet
        with PeakRss(server.pid) as sampler:
            for page in players.values():
                button(page, "Play").click()
            started = time.monotonic()
            chores = {  # what each visitor does once its counter moved (the setting: a new run, played again)
                "d": lambda page: (press(page, "Pause"), page.wait_for_timeout(500), press(page, "Play")),
                "b": lambda page: (press(page, "Pause"), press(page, "Step"), press(page, "Play")),
                "c": lambda page: (press(page, "Reset"), press(page, "Play")),
                "setting": lambda page: (choose_variant(page, "LSGAN"), press(page, "Play")),
                "upload": upload_and_play,
            }
            reached, moved_at = dict.fromkeys(pages, -1), time.monotonic()
            while any(reached[name] < steps for name, (_, steps) in VISITORS.items()):
                for name, page in pages.items():
                    step = progress(page)
                    if step != reached[name]:
                        reached[name], moved_at = step, time.monotonic()
                    if name in chores and step > 0:
                        chores.pop(name)(page)
                        reached[name] = -1  # after a Reset or a new run the counter starts again
                assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
                assert not PAGE_ERRORS, f"a page's frontend failed: {PAGE_ERRORS}"
                assert time.monotonic() - moved_at < STALL_SECONDS, (
                    f"no visitor's counter moved for a minute: {reached}; messages: "
                    f"{[a.inner_text() for page in pages.values() for a in page.locator('[data-testid=stAlert]').all()]}")
                time.sleep(0.5)
            took = time.monotonic() - started

        for name, page in pages.items():
            steps = VISITORS[name][1]
            assert page.get_by_text(STEP_TEXT).first.inner_text() == f"Step {steps:,} of {steps:,}", name
            assert page.get_by_text("Traceback").count() == 0 and page.locator(".stException").count() == 0
        assert "variant=lsgan" in pages["setting"].url
        assert pages["upload"].get_by_text("Training on own.csv").count() >= 1
        for page in pages.values():
            page.context.close()
        browser.close()
        time.sleep(4)  # the leases of the last frames run out: nothing trains without a watcher
        before = cpu_seconds(server.pid)
        time.sleep(5)
        busy = (cpu_seconds(server.pid) - before) / 5
        left = rss_mb(server.pid)
        record_property("figures", (  # printed at the end of the run (conftest): CI's log keeps them
            f"{len(VISITORS)} visitors, server RSS idle {idle:.0f} MB, sessions open {loaded:.0f} MB, "
            f"peak {sampler.peak:.0f} MB, after they left {left:.0f} MB; CPU after they left {busy:.0%} of a core; "
            f"all done {took:.0f} s after Play"))
        assert sampler.peak < RSS_LIMIT_MB
        assert busy < 0.1  # the server idles once nobody watches
        assert left <= sampler.peak  # nothing grows after they left


def upload_and_play(page) -> None:
    """Upload a CSV while the others train: the run starts over on it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    opener, uploader = page.get_by_text("Your own data: upload a CSV or paint points"), page.locator("input[type=file]")
    for _ in range(12):  # the uploader comes with the rerun the opening asks for; a click meanwhile would close it
        opener.click()
        try:
            uploader.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            pass  # a rerun redrew the expander closed: open it again
    uploader.set_input_files({"name": "own.csv", "mimeType": "text/csv", "buffer": OWN_CSV.encode()})
    page.get_by_text("Training on own.csv").first.wait_for()
    press(page, "Play")


def choose_variant(page, title: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Loss").first.click()
    page.get_by_role("option", name=title).first.click()
    button(page, "Play").wait_for(timeout=60_000)
