"""A corpus of hostile input, as a visitor would bring it: CSV uploads and hand-edited links. Each case names its
outcome (refused, with a message naming the problem, or accepted) and the words the page must show; every page
is checked for a traceback, for visitor Markdown rendered as Markdown, and for echoes of unbounded length.
(The app loads no uploaded model files: the generator download is for notebooks.)"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from test_share import open_playground, shown

FORMULA = "=cmd|' /C calc'!A0"
PHISH = "[Session expired: log in again](http://example.invalid/phish)"
PIXEL = "![](http://example.invalid/pixel.png)"
BIG = "x" * 4 * 2**20  # a 4 MB cell
RENDERED = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)<(img|a |script)|://")  # Markdown or HTML left live


@dataclass(frozen=True)
class Upload:
    name: str
    raw: bytes
    accepted: bool
    says: str  # what the data message must contain (as the visitor reads it)
    file: str = "upload.csv"

    def __repr__(self) -> str:
        return self.name


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rows(count: int, **columns) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({name: make(rng, count) if callable(make) else make for name, make in columns.items()})


def _normal(scale: float = 1.0, offset: float = 0.0):
    return lambda rng, n: offset + scale * rng.standard_normal(n)


UPLOADS = [
    # broken files: refused, the previous data kept
    Upload("empty", b"", False, "upload.csv is empty"),
    Upload("header only", b"a,b\n", False, "upload.csv has 0 rows of data"),
    Upload("binary", bytes(range(256)) * 4, False, "upload.csv is not UTF-8 text"),
    Upload("utf-16", "a,b\n1,2\n3,4\n".encode("utf-16"), False, "upload.csv is not UTF-8 text (byte 0"),
    Upload("latin-1", "a,é\n1,2\n3,4\n".encode("latin-1"), False, "is not UTF-8 text (byte 2"),
    Upload("semicolons", b"a;b\n1;2\n3;4\n", False, "is it separated by ';'? use commas"),
    Upload("tabs", b"a\tb\n1\t2\n3\t4\n", False, "is it separated by '\\t'? use commas"),
    Upload("ragged rows", b'a,b\n1,2\n"3,4\n', False, "upload.csv is not a readable CSV"),
    Upload("one numeric column", b"a,name\n1,x\n2,y\n", False, "only 1 numeric column ('a'): need 2 to 16"),
    Upload("17 columns", _csv(pd.DataFrame(np.ones((3, 17)))), False, "17 numeric columns: at most 16"),
    Upload("1,000 columns", _csv(pd.DataFrame(np.ones((3, 1000)))), False, "1000 numeric columns: at most 16"),
    Upload("60,000 rows", b"a,b\n" + b"1,2\n" * 60_000, False, "more than 50,000 rows: refused"),
    Upload("25 label values", _csv(_rows(50, a=_normal(), b=_normal(), kind=[f"k{i % 25}" for i in range(50)])),
           False, "label column 'kind' has 25 distinct values: at most 20"),
    Upload("all NaN", b"a,b\nnan,1\n2,nan\ninf,3\n", False, "0 rows left, need at least 2"),
    Upload("6 MB", b"a,b\n" + b"1,2\n" * (6 * 2**20 // 4), False, "upload.csv is 6.0 MB: at most 5 MB are accepted"),
    # magnitudes 32-bit floats cannot train on or draw
    Upload("1e300", _csv(_rows(50, a=_normal(1e300), b=_normal())), False, "column 'a' reaches"),
    Upload("1e300 among small values", b"a,b\n1,2\n3,1e300\n0.001,0.002\n4,5\n", False, "column 'b' reaches 1e+300"),
    Upload("1e19: float32's std overflows", _csv(_rows(50, a=_normal(1e19), b=_normal())), False,
           "values up to 1e+15 in size are supported, since ganplay computes in 32-bit floats"),
    Upload("1e39: beyond float32", b"a,b\n1e39,1\n2,3\n4,5\n", False, "column 'a' reaches 1e+39"),
    Upload("-1e308", b"a,b\n-1e308,1\n2,3\n4,5\n", False, "column 'a' reaches 1e+308"),
    Upload("tiny spread", _csv(_rows(50, a=_normal(1e-20), b=_normal())), False, "varies by only"),
    Upload("digits lost in float32", _csv(_rows(50, a=_normal(1.0, 1e10), b=_normal())), False,
           "32-bit floats keep about 7 significant digits"),
    Upload("4 MB header", f"a,{BIG}\n1,2\n3,4\n".encode(), False, "a column name has 4,194,304 characters"),
    Upload("4 MB label value", f"a,b,c\n1,2,{BIG}\n3,4,y\n5,6,y\n".encode(), False,
           "label column 'c': a value has 4,194,304 characters"),
    # accepted, with what was dropped or assumed said
    Upload("values near 3e14, within 1e15", _csv(_rows(50, a=_normal(1e14), b=_normal())), True, "50 rows × 2 columns"),
    Upload("1e400 is infinite: its row dropped", b"a,b\n1e400,1\n2,3\n4,5\n6,8\n", True,
           "Dropped 1 row with missing, NaN or infinite values (first: line 2)"),
    Upload("4 MB cell", f"a,b\n1,2\n3,{BIG}\n4,5\n".encode(), True,
           f"Dropped 1 row with text in numeric columns (first: line 3, 'b' = '{'x' * 38}…)"),
    Upload("True/False label", _csv(_rows(40, a=_normal(), b=_normal(), ok=["True", "False"] * 20)), True,
           "Label column 'ok' holds True/False values: used as 2 classes"),
    Upload("quoted numbers as label", _csv(_rows(40, a=_normal(), b=_normal(), k=['"1,000"', '"2,000"'] * 20)),
           True, "Label column 'k' holds numbers written as text"),
    Upload("Markdown and HTML column names", _csv(_rows(30, **{PHISH: _normal(), PIXEL: _normal(),
                                                               "<img src=x onerror=alert(1)>": _normal()})),
           True, "30 rows × 3 columns"),
    Upload("Markdown file name", b"a,b\n1,2\n3,4\n5,7\n", True, "Training on ![](http://example.invalid/pixel.png).c…: 3 rows", file=PIXEL + ".csv"),
    Upload("Markdown labels", _csv(_rows(40, a=_normal(), b=_normal(), y=[PHISH, PIXEL, "# HEADING", "**b**"] * 10)),
           True, "40 rows × 2 columns, 4 labels"),
    Upload("formula cells and headers", _csv(_rows(30, **{"=HYPERLINK(\"http://example.invalid\")": _normal(),
                                                          "@SUM(A1)": _normal(), "+SUM": [FORMULA, "-1+2"] * 15})),
           True, "30 rows × 2 columns, 2 labels"),
    Upload("formula text in a numeric column", b"a,b\n1,2\n3,=1+1\n4,5\n6,7\n", True,
           "Dropped 1 row with text in numeric columns (first: line 3, 'b' = '=1+1')"),
    Upload("constant columns", b"a,b\n5,5\n5,5\n5,5\n", True, "3 rows × 2 columns"),
    Upload("duplicate column names", b"a,a\n1,2\n3,4\n5,7\n", True, "3 rows × 2 columns"),
    Upload("BOM and CRLF", b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n5,7\r\n", True, "3 rows × 2 columns"),
    Upload("newline in a quoted header", b'"a\nb",c\n1,2\n3,4\n5,7\n', True, "3 rows × 2 columns"),
    Upload("empty and text columns", b"a,name,b,\n1,x,2,\n3,y,4,\n5,z,6,\n", True,
           "Dropped empty column 'Unnamed: 3'"),
    Upload("16 columns, 50,000 rows", _csv(pd.DataFrame(np.arange(16 * 50_000).reshape(-1, 16) % 97)), True,
           "50,000 rows × 16 columns"),
]


@pytest.fixture(scope="module")
def visitor():
    """One visitor uploading file after file: each outcome replaces the last."""
    at = open_playground()
    at.session_state["own_data_open"] = True
    at.run()
    return at


def _no_live_markup(at) -> None:
    """Nothing a visitor wrote reaches the page as Markdown or HTML, and no message echoes it at length."""
    for element in [*at.error, *at.success, *at.warning, *at.caption, *at.info]:
        assert not RENDERED.search(element.value), element.value
        assert len(element.value) < 2_000, element.value[:200]


@pytest.mark.parametrize("case", UPLOADS, ids=repr)
def test_every_hostile_upload_is_refused_with_its_reason_or_accepted_and_trains(case, visitor):
    at = visitor
    before = at.session_state.run_config if "run_config" in at.session_state else None
    at.file_uploader(key="upload").set_value((case.file, case.raw, "text/csv")).run()
    assert not at.exception
    if case.accepted:
        (message,) = at.success
        assert not at.error, [e.value for e in at.error]
        assert at.session_state.run_config.dataset == "csv"
        assert at.session_state.run_config.data_id == at.session_state.own_data.data_id
    else:
        message = at.error[0]
        assert shown(message).endswith("Your previous data is kept.")
        assert at.session_state.run_config == before
    assert case.says in shown(message)
    _no_live_markup(at)


def test_a_refused_upload_stays_said_once_the_expander_is_closed(visitor):
    at = visitor
    at.file_uploader(key="upload").set_value(("big.csv", UPLOADS[14].raw, "text/csv")).run()
    at.session_state["own_data_open"] = False
    at.run()
    assert not at.get("file_uploader")
    assert "big.csv is 6.0 MB: at most 5 MB are accepted" in shown(at.error[0])


def test_markdown_labels_are_text_in_the_conditional_pages_choices_and_caption():
    at = open_playground()
    at.session_state["own_data_open"] = True
    at.run()
    labels = next(case for case in UPLOADS if case.name == "Markdown labels")
    at.file_uploader(key="upload").set_value(("labels.csv", labels.raw, "text/csv")).run()
    at.switch_page("pages/conditional.py").run()
    assert not at.exception and not at.error
    radio = at.radio(key="conditional_label_csv")
    assert [shown_text(o) for o in radio.options] == sorted(["# HEADING", "**b**", PIXEL, PHISH])
    assert not any(RENDERED.search(o) for o in radio.options)
    assert any(f"The large diamond is G(z | {PIXEL})" in shown(c) for c in at.caption)
    _no_live_markup(at)


def shown_text(markdown: str) -> str:
    return shown(type("Element", (), {"value": markdown}))


@dataclass(frozen=True)
class Link:
    name: str
    params: dict
    says: tuple[str, ...]  # what the link warning must name; () for a link accepted as it is

    def __repr__(self) -> str:
        return self.name


LINKS = [
    Link("phishing link in a value", {"seed": PHISH}, ("seed='[Session expired: log in again](http:/… (expected int)",)),
    Link("pixel in a preset", {"preset": PIXEL}, (f"preset='{PIXEL}' (no such lesson preset)",)),
    Link("HTML in classroom", {"classroom": "lr_g,<img src=http://example.invalid/x.png>"},
         ("classroom: '<img src=http://example.invalid/x.png>' is not a setting",)),
    Link("heading by newline", {"variant": "x\n# ACCOUNT SUSPENDED"}, ("variant='x\\n# ACCOUNT SUSPENDED' (variant:",)),
    Link("100 KB value", {"seed": "7" * 100_000}, ("seed='" + "7" * 38 + "… (expected int)",)),
    Link("full-width digits", {"seed": "７"}, ("seed='７' (expected int in ASCII digits, got full-width characters)",)),
    Link("repeated key", {"seed": ["1", "7"]}, ("seed is given 2 times: only the last, '7', is read",)),
    Link("number too large", {"steps": "1e99"}, ("steps='1e99' (expected int)",)),
    Link("NaN rate", {"lr_g": "nan"}, ("lr_g='nan' (lr_g: nan is outside the allowed range 0..10)",)),
    Link("infinite rate", {"lr_d": "inf"}, ("lr_d='inf' (lr_d: inf is outside the allowed range 0..10)",)),
    Link("negative seed", {"seed": "-1"}, ("seed='-1' (seed: -1 is outside the allowed range 0..2147483647)",)),
    Link("seed past 2**31", {"seed": "2147483648"}, ("outside the allowed range 0..2147483647",)),
    Link("hex width", {"g_width": "0x10"}, ("g_width='0x10' (expected int)",)),
    Link("not a boolean", {"spectral_norm": "maybe"}, ("spectral_norm='maybe' (expected true or false)",)),
    Link("path traversal", {"dataset": "../../etc/passwd"}, ("dataset='../../etc/passwd' (dataset:",)),
    Link("your own data", {"dataset": "csv", "data_id": "abc"}, ("dataset=csv (a link cannot carry your own data",)),
    Link("pack against batch", {"pack": "8", "batch_size": "100", "seed": "7"}, ("pack='8' (pack: batch_size 100",)),
    Link("conditional on unlabelled data", {"conditional": "true", "dataset": "swissroll", "seed": "3"},
         ("conditional='true' (conditional:",)),
    Link("a valid link", {"variant": "wgan-gp", "seed": "7", "steps": "500"}, ()),
    Link("another page's keys", {"page": "x", "foo": "[a](http://example.invalid)"}, ()),
    Link("a classroom link", {"classroom": "lr_g,lr_d"}, ()),
]


@pytest.mark.parametrize("case", LINKS, ids=repr)
def test_every_hostile_link_falls_back_and_names_what_it_ignored(case):
    at = open_playground(**case.params)
    warnings = [shown(w) for w in at.warning if "This link had settings" in w.value]
    if not case.says:
        assert warnings == []
    else:
        (text,) = warnings
        for part in case.says:
            assert part in text
    _no_live_markup(at)


def test_the_corpus_covers_what_the_readme_counts():
    assert (len(UPLOADS), len(LINKS)) == (40, 21)


# --- a handful in the real browser ---------------------------------------------------------------------------------

BROWSER_UPLOADS = [UPLOADS[15], UPLOADS[14], next(c for c in UPLOADS if c.name == "Markdown labels")]  # 1e300, 6 MB


def _probe(message) -> bool:
    """Streamlit's own probe of /<page>/_stcore/… when a page's URL is opened directly: a logged 404, not ours."""
    return "/_stcore/" in message.location.get("url", "") and "404" in message.text


def _app_made_links_and_images(page) -> list[str]:
    """<a> and <img> pointing at the hostile host: none may exist, whatever the app drew."""
    return page.evaluate("() => [...document.querySelectorAll('a, img')].map(e => e.href || e.src)"
                         ".filter(u => u.includes('example.invalid'))")


@pytest.mark.browser
@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/chromium"), reason="needs /usr/bin/chromium")
def test_hostile_uploads_and_links_in_a_real_browser():
    """Uploads through the real file input, a hostile link in a fresh tab: the messages show, no console errors,
    no request to the hostile host, no link or image made from a visitor's Markdown, in alerts or anywhere."""
    from playwright.sync_api import sync_playwright

    from ganplay.ui.text import WORD_JOINER
    from serve import launch, streamlit_server

    with streamlit_server() as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems, fetched = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: fetched.append(r.url))
        try:
            page.goto(url)  # a page's own URL makes Streamlit probe /playground/_stcore/… first: two 404s logged
            page.get_by_role("link", name="Playground").first.click()
            page.get_by_text("Your own data: upload a CSV or paint points").click()
            for case, file in zip(BROWSER_UPLOADS, ["huge.csv", "big.csv", PIXEL + ".csv"]):
                page.locator("input[type=file]").set_input_files(
                    {"name": file, "mimeType": "text/csv", "buffer": case.raw})
                says = case.says.replace("upload.csv", file)[:40]
                page.get_by_text(says).first.wait_for(timeout=60_000)
                alert = page.locator("[data-testid=stAlert]").filter(has_text=says[:20]).first
                assert alert.evaluate("e => e.querySelectorAll('a, img, h1, h2, strong, em').length") == 0
            page.get_by_role("link", name="Conditional GAN").first.click()
            page.get_by_text("One z, every label").wait_for(timeout=60_000)
            radio = page.locator("[data-testid=stRadio]").filter(has_text="HEADING").first
            radio.wait_for(timeout=60_000)
            options = radio.inner_text().replace(WORD_JOINER, "")
            assert PHISH in options and PIXEL in options and "**b**" in options
            assert radio.evaluate("e => e.querySelectorAll('a, img, h1, strong').length") == 0
            assert _app_made_links_and_images(page) == []

            tab = browser.new_page()
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" and not _probe(m) else None)
            tab.goto(f"{url}/playground?seed=1&seed=%EF%BC%97&lr_g=nan")
            warning = tab.get_by_text("This link had settings that could not be used").first
            warning.wait_for(timeout=60_000)
            text = warning.inner_text()
            assert "seed is given 2 times: only the last, '７', is read" in text
            assert "got full-width characters" in text and "lr_g='nan'" in text
        finally:
            browser.close()
    assert problems == []
    assert not [u for u in fetched if "example.invalid" in u]
