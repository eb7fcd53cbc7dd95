"""Every registry entry (every dataset, every variant) on every page that offers it, under AppTest.

A new dataset or variant is one registry entry: this test is what says it works everywhere. Each page is opened
once with small settings, then every entry is chosen in turn and trained a little (a Step, or the short run a
page trains to the end); an exception or an error element on the page names the entry.
"""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ganplay import DATASETS, VARIANTS, RunConfig, userdata

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SMALL = RunConfig(steps=100, n=300, g_width=16, d_width=16, batch_size=64)  # the latent walk trains it to the end
OWN = "csv"  # the visitor's own data: a registry entry that only a session with data offers


def _with_own_data(at: AppTest) -> AppTest:
    """Two painted blobs, so "Your own data" (labelled) is offered like any other dataset."""
    none = (np.zeros((0, 2)), np.zeros(0, dtype=int))
    x, y = userdata.paint_blob(*userdata.paint_blob(*none, (-2.0, -1.0, -2.0, -1.0)), (1.0, 2.0, 1.0, 2.0))
    at.session_state["own_data"] = userdata.painted_data(x, y)
    return at


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["run_config"] = SMALL
    _with_own_data(at).switch_page(page).run()
    assert not at.exception and not at.error
    return at


def _problems(at: AppTest, entry: str) -> list[str]:
    return [f"{entry}: {item.value}" for item in (*at.exception, *at.error)]


def _try_every(at: AppTest, choose, entries, trained, step_key: str | None) -> list[str]:
    """Choose each entry, train a little, and list what went wrong; trained(at) is the config the page trained."""
    problems = []
    for entry in entries:
        choose(at, entry)
        at.run()
        if step_key is not None and not _problems(at, entry) and not at.button(key=step_key).disabled:
            at.button(key=step_key).click().run()  # (disabled: this config already trained to its end)
        cfg = trained(at)
        if entry not in (cfg.dataset, cfg.variant) or cfg.steps != 100:
            problems.append(f"{entry}: the page trained {cfg}")
        problems += _problems(at, entry)
        if entry in DATASETS and DATASETS[entry].image_shape and not at.get("image"):
            problems.append(f"{entry}: image data, but the page drew no picture")
    return problems


def _sidebar(key: str):
    return lambda at, value: at.sidebar.selectbox(key=key).set_value(value)


def _sidebar_run(at: AppTest) -> RunConfig:
    return at.session_state.run_config


@pytest.mark.parametrize("page, datasets, step_key", [
    ("pages/playground.py", [*DATASETS], "playground_step"),
    ("pages/latent_walk.py", [*DATASETS], None),  # trains SMALL to the end on every change
    ("pages/conditional.py", [n for n, spec in DATASETS.items() if spec.labelled] + [OWN], "conditional_step"),
])
def test_every_dataset_and_every_variant_works_on_every_settings_page(page, datasets, step_key):
    at = _open(page)
    offered = {"Your own data (painted)" if n == OWN else DATASETS[n].title for n in datasets}
    assert set(at.sidebar.selectbox(key="cfg_dataset").options) == offered  # every entry is tried below
    problems = _try_every(at, _sidebar("cfg_dataset"), datasets, _sidebar_run, step_key)
    problems += _try_every(at, _sidebar("cfg_variant"), [*VARIANTS], _sidebar_run, step_key)
    assert problems == []


def test_every_mode_dataset_and_every_variant_works_on_the_mode_collapse_page():
    at = _open("pages/mode_collapse.py")
    at.sidebar.select_slider(key="collapse_steps").set_value(100).run()

    def trained(at: AppTest) -> RunConfig:
        return at.session_state.collapse_live.config.configs[0]
    # one variant at a time: a Step of four (WGAN-GP with five critic steps) on every dataset is slow
    problems = _try_every(at, lambda at, v: at.sidebar.multiselect(key="collapse_variants").set_value([v]),
                          [*VARIANTS], trained, "collapse_step")
    problems += _try_every(at, _sidebar("collapse_dataset"), [n for n, spec in DATASETS.items() if spec.has_modes],
                           trained, "collapse_step")
    assert problems == []
