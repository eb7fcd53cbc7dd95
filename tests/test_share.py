"""Share, teach, take away, through AppTest: links, classroom links, presets, your own data, the snippet."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ganplay import RunConfig, export, userdata
from ganplay.ui.text import WORD_JOINER
from test_userdata import iris_csv

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_playground(**params) -> AppTest:
    """A visitor who opens a link to the Playground with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    return at


def shown(element) -> str:
    """The text a visitor sees of a Markdown element whose visitor-made parts are escaped (ui.as_text)."""
    return re.sub(r"\\(.)", r"\1", element.value).replace(WORD_JOINER, "")


def _sidebar_labels(at) -> list[str]:
    return [w.label for w in at.sidebar if hasattr(w, "label") and w.type != "expander"]


def test_a_link_reproduces_its_run():
    cfg = RunConfig(variant="wgan-gp", dataset="moons", lr_d=3e-4, z_dim=4, seed=7, spectral_norm=True)
    at = open_playground(**cfg.to_query())
    assert at.session_state.run_config == cfg and not at.warning
    assert at.session_state.run.config == cfg


def test_a_link_with_garbage_uses_defaults_and_names_what_it_ignored():
    at = open_playground(variant="wgan", steps="1e99", lr_g="fast", z_dim="99", spectral_norm="maybe",
                         pack="2", page="whatever")
    assert at.session_state.run_config == RunConfig(variant="wgan", pack=2)
    (warning,) = at.warning
    assert shown(warning) == ("This link had settings that could not be used, so their defaults are shown: "
                             "steps='1e99' (expected int); lr_g='fast' (expected float); "
                             "z_dim='99' (z_dim: 99 is outside the allowed range 1..16); "
                             "spectral_norm='maybe' (expected true or false)")


def test_a_link_to_your_own_data_says_it_cannot_carry_it_and_shows_the_default_dataset():
    at = open_playground(dataset="csv", data_id="abc123", variant="lsgan")
    assert at.session_state.run_config == RunConfig(variant="lsgan")
    assert "dataset=csv (a link cannot carry your own data: upload it again)" in shown(at.warning[0])


def test_the_url_follows_the_settings_and_keeps_other_keys():
    at = open_playground(page="mine")
    at.sidebar.selectbox(key="cfg_variant").set_value("hinge").run()
    at.sidebar.select_slider(key="cfg_batch_size").set_value(128).run()
    assert at.query_params == {"page": "mine", "dataset": "ring8", "variant": "hinge", "batch_size": "128", "seed": "0"}
    assert "?page=mine&dataset=ring8&variant=hinge&seed=0&batch_size=128" in at.sidebar.code[0].value


def test_a_classroom_link_shows_only_the_chosen_controls_and_the_main_buttons():
    at = open_playground(classroom="lr_g,lr_d", variant="lsgan")
    assert _sidebar_labels(at) == ["Learning rate of G", "Learning rate of D"]
    assert "Classroom mode" in at.sidebar.info[0].value
    assert [b.label for b in at.button[:3]] == ["Play", "Step", "Reset"]
    at.sidebar.select_slider(key="cfg_lr_g").set_value(1e-4).run()
    assert at.session_state.run_config == RunConfig(variant="lsgan", lr_g=1e-4)
    assert at.query_params["classroom"] == "lr_g,lr_d"


def test_a_lesson_preset_applies_its_settings_and_says_what_to_look_for():
    at = open_playground()
    at.sidebar.selectbox(key="preset").set_value("wgan-clip").run()
    assert at.session_state.run_config == RunConfig(variant="wgan", steps=3000)
    assert at.sidebar.select_slider(key="cfg_steps").value == 3000
    assert "What to look for" in at.sidebar.info[0].value
    assert at.query_params["preset"] == "wgan-clip"
    at.sidebar.select_slider(key="cfg_steps").set_value(1000).run()
    assert "preset" not in at.query_params  # the link no longer shows the preset's run


def test_a_preset_link_opens_the_preset_with_its_notes():
    at = open_playground(preset="cgan-blobs", seed="5")
    assert at.session_state.run_config == RunConfig(dataset="blobs", conditional=True, seed=5)
    assert at.sidebar.selectbox(key="preset").value == "cgan-blobs" and at.sidebar.info


def _upload(at, name: str, raw: bytes) -> AppTest:
    at.session_state["own_data_open"] = True
    at.run()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    assert not at.exception
    return at


def test_an_uploaded_csv_becomes_the_dataset_drawn_through_pca():
    at = _upload(open_playground(), "iris.csv", iris_csv())
    cfg = at.session_state.run_config
    assert (cfg.dataset, len(cfg.data_id), at.session_state.run.data.dim) == ("csv", 12, 4)
    assert at.selectbox(key="upload_label").value == "species"
    assert at.selectbox(key="projection").value == 0  # PCA first
    assert len(at.get("vega_lite_chart")) == 3 + 1  # scatter, losses, densities; the painting canvas
    assert shown(at.success[0]).startswith("Training on iris.csv: 150 rows × 4 columns, 3 labels.")
    at.sidebar.toggle(key="cfg_conditional").set_value(True).run()
    at.button[1].click().run()  # Step
    assert at.session_state.run.step_count == 100 and not at.error


@pytest.mark.parametrize("raw,message", [
    (b"\xff\xfe\x00a", "upload.csv is not UTF-8 text"),
    (b"a,b\n1,2\n", "upload.csv has 1 row of data: need at least 2"),
])
def test_a_refused_upload_names_the_problem_and_keeps_the_previous_data(raw, message):
    at = _upload(open_playground(), "good.csv", b"a,b\n1,2\n3,4\n5,7\n")
    kept = at.session_state.run_config
    at.file_uploader(key="upload").set_value(("upload.csv", raw, "text/csv")).run()
    assert not at.exception and at.session_state.run_config == kept
    assert shown(at.error[0]).startswith(message) and shown(at.error[0]).endswith("Your previous data is kept.")


def test_dropped_rows_are_reported_after_an_upload():
    at = _upload(open_playground(), "f.csv", b"a,b\n1,2\n3,x\n5,inf\n7,8\n9,9\n")
    assert shown(at.success[0]).endswith("Dropped 1 row with text in numeric columns (first: line 3, 'b' = 'x').\n\n"
                                        "Dropped 1 row with missing, NaN or infinite values (first: line 4).")


def test_the_copied_snippet_gives_the_apps_samples_in_a_fresh_interpreter(tmp_path):
    at = open_playground(steps="200", batch_size="64", seed="11")
    at.button[1].click().run()  # Step: 100 generator steps
    at.session_state["take_away_open"] = True
    at.run()
    assert [b.label for b in at.get("download_button")][:2] == ["Samples (2,500 points, CSV)", "Generator (PyTorch)"]
    code = at.main.code[-1].value
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    script = f"{code}\nimport numpy\nnumpy.save('samples.npy', samples)"
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=60)
    np.testing.assert_array_equal(np.load(tmp_path / "samples.npy"), at.session_state.run.sample(export.SAMPLES))


def test_clearing_the_painting_returns_to_a_built_in_dataset():
    at = open_playground()
    x, y = userdata.paint_blob(np.zeros((0, 2)), np.zeros(0, dtype=int), (0.0, 1.0, 0.0, 1.0))
    at.session_state["painted"], at.session_state["own_data"] = (x, y), userdata.painted_data(x, y)
    at.session_state["own_data_open"] = True
    at.run()
    at.sidebar.selectbox(key="cfg_dataset").set_value("csv").run()
    assert at.session_state.run.data.x.shape == (200, 2)
    assert shown(at.sidebar.caption[0]).startswith("painted: 200 rows")
    next(b for b in at.button if b.label == "Clear the painting").click().run()
    assert at.session_state.run_config.dataset == "ring8" and "own_data" not in at.session_state


PUNCTUATION = r"[!-/:-@\[-`{-~]"  # ASCII punctuation: what Markdown may give a meaning


@pytest.mark.parametrize("params, visible", [
    ({"seed": "[Session expired: log in again](http://example.invalid/phish)"},
     "seed='[Session expired: log in again](http:/… (expected int)"),
    ({"preset": "![](http://example.invalid/pixel.png)"},
     "preset='![](http://example.invalid/pixel.png)' (no such lesson preset)"),
    ({"classroom": "lr_g,<img src=http://example.invalid/x.png>,:red[ALERT]"},
     "classroom: ':red[ALERT]' is not a setting; classroom: '<img src=http://example.invalid/x.png>' is not a setting"),
    ({"variant": "x\n# ACCOUNT SUSPENDED\n*call* `now` $x$"}, "variant='x\\n# ACCOUNT SUSPENDED\\n*call* `now` $… ("),
])
def test_a_links_values_are_shown_as_text_never_as_markdown(params, visible):
    at = open_playground(**params)
    prefix = "This link had settings that could not be used, so their defaults are shown: "
    (warning,) = at.warning
    assert warning.value.startswith(prefix) and visible in shown(warning)
    for item in re.split(r"(?<!\\); ", warning.value[len(prefix):]):  # "; " between the items is ganplay's own
        assert re.fullmatch(rf"(?:[^!-/:-@\[-`{{-~]|\\{PUNCTUATION})*", item, re.DOTALL), item  # all escaped


def test_a_huge_link_value_is_echoed_in_a_few_dozen_characters():
    at = open_playground(seed="9" * 100_000, variant="lsgan")
    (warning,) = at.warning
    assert shown(warning).endswith("seed='" + "9" * 38 + "… (expected int)") and len(warning.value) < 200
    assert at.session_state.run_config == RunConfig(variant="lsgan")
