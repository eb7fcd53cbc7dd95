"""One real visitor: Chromium opens the app, plays the Playground, switches pages and comes back."""
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import ganplay
from ganplay import schedule

from serve import CHROMIUM, SKIP_REASON, STEP_TEXT, launch, step_count, streamlit_server
from stall import wait_while_moving

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
    wait_while_moving(lambda: step_count(page), lambda step: step >= 300, "the step counter",
                      lambda: page.wait_for_timeout(250))
    assert page.locator(".vega-embed canvas, .vega-embed svg").count() >= 3
    assert page.get_by_text("Traceback").count() == 0

    page.get_by_role("link", name="Home").first.click()
    page.get_by_text("A Generative Adversarial Network").wait_for()
    page.get_by_role("link", name="Playground").first.click()
    page.get_by_text(STEP_TEXT).first.wait_for()
    assert step_count(page) >= 300  # the run survived the page switch
    page.wait_for_timeout(1500)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox, as a visitor does."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option).first.click()


@pytest.mark.xfail(strict=False, reason="README, Faults: the recipe of a loss chosen mid-run was lost in 1 of 3 full "
                   "runs; two races that can lose it are fixed (fastReruns off, ui.handoff): xfail until seen in "
                   "more runs")
def test_a_variant_chosen_while_playing_brings_its_recipe():
    """The live view's timer sends the browser's widget values; one sent before the browser had the variant's
    recipe used to put the old recipe back (3 of 4 tries with two other visitors playing)."""
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        busy = browser.new_page()
        busy.goto(f"{url}/playground?seed=100&steps=50000&g_width=128&d_width=128")
        busy.get_by_role("button", name="Play").click()
        links = []
        for trial in range(2):
            page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
            page.goto(f"{url}/playground?seed={trial}&steps=50000")
            page.get_by_role("button", name="Play").click()
            wait_while_moving(lambda: step_count(page), lambda step: step >= 50, "the step counter",
                              lambda: page.wait_for_timeout(100))
            choose(page, "Loss", "WGAN-GP")
            page.get_by_role("button", name="Play").wait_for(timeout=60_000)  # changed mid-run: paused where it was
            page.wait_for_timeout(1000)
            links.append(page.url)
            page.context.close()
        browser.close()
    wgan_gp = ganplay.RunConfig(variant="wgan-gp")
    for link in links:  # a change mid-run, at one step, with WGAN-GP's own recipe: Adam betas and k = 5
        cfg, problems = ganplay.RunConfig.from_query({k: v[0] for k, v in parse_qs(urlsplit(link).query).items()})
        assert problems == [] and len({change.step for change in cfg.schedule}) == 1, link
        now = schedule.latest(cfg)
        assert (now.variant, now.beta1, now.beta2, now.d_steps) == ("wgan-gp", wgan_gp.beta1, wgan_gp.beta2,
                                                                    wgan_gp.d_steps), link
