"""A hostile link in a real browser: its values appear as text in ganplay's warning, never as a link, an image or
a heading (Streamlit renders a warning's body as Markdown; ui.as_text escapes what came from the link)."""
import os
import urllib.parse

import pytest

from ganplay.ui.text import WORD_JOINER
from serve import CHROMIUM, SKIP_REASON, launch, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=SKIP_REASON)]
HOSTILE = {
    "seed": "[Session expired: log in again](http://example.invalid/phish)",
    "preset": "![](http://example.invalid/pixel.png)",
    "classroom": "lr_g,<img src=http://example.invalid/x.png>,:red[ALERT],boss@example.invalid",
    "variant": "x\n# ACCOUNT SUSPENDED\n**call** www.example.invalid $x^2$",
}


def test_a_hostile_links_values_render_as_text_in_the_warning():
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        try:
            page.goto(f"{url}/playground?{urllib.parse.urlencode(HOSTILE)}")
            alert = page.get_by_text("This link had settings that could not be used").first
            alert.wait_for(timeout=60_000)
            text = alert.inner_text().replace(WORD_JOINER, "")  # invisible: what breaks bare URLs
            made = alert.evaluate("e => e.querySelectorAll('a, img, h1, h2, strong, em, .katex, [style*=color]')"
                                  ".length")
        finally:
            browser.close()
    assert made == 0
    assert "seed='[Session expired: log in again](http:/… (expected int)" in text
    assert "preset='![](http://example.invalid/pixel.png)' (no such lesson preset)" in text
    assert "classroom: '<img src=http://example.invalid/x.png>' is not a setting" in text
    assert "classroom: 'boss@example.invalid' is not a setting" in text
    assert "variant='x\\n# ACCOUNT SUSPENDED\\n**call** www.e…" in text
    assert not [u for u in fetched if urllib.parse.urlsplit(u).hostname.endswith("example.invalid")]  # no pixel
