"""One real visitor: Chromium opens the app, plays the Playground, switches pages and comes back."""
import os
import time
from pathlib import Path

import pytest

from serve import CHROMIUM, SKIP_REASON, STEP_TEXT, launch, step_count, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)]
ARTIFACTS = Path(__file__).parent / "artifacts"


def test_playground_trains_live_in_a_real_browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            visit_play_switch_and_return(page, url)
        finally:  # the picture to look at, whatever happened
            page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)
            browser.close()


def visit_play_switch_and_return(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("link", name="Playground").first.click()
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 90
    while step_count(page) < 300:
        assert time.monotonic() < deadline, "the step counter did not pass 300"
        page.wait_for_timeout(250)
    assert page.locator(".vega-embed canvas, .vega-embed svg").count() >= 3
    assert page.get_by_text("Traceback").count() == 0

    page.get_by_role("link", name="Home").first.click()
    page.get_by_text("A Generative Adversarial Network").wait_for()
    page.get_by_role("link", name="Playground").first.click()
    page.get_by_text(STEP_TEXT).first.wait_for()
    assert step_count(page) >= 300  # the run survived the page switch
    page.wait_for_timeout(1500)
