"""AppTest of the Mode collapse page: defaults draw the variants side by side; Step, Play, seeds, settings; the
default run shows the plain GAN losing modes that the remedy keeps, and its caption says how robust that is."""
import json
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ganplay import SideBySide, collapse
from stall import rerun, wait_while_moving

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/mode_collapse.py"
CHART = "vega_lite_chart"


@pytest.fixture
def page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _counter(at) -> str:
    return next(p.proto.text for p in at.get("progress") if p.proto.text.startswith("Step"))


def test_defaults_draw_four_variants_side_by_side_with_their_charts(page):
    assert not page.error
    assert _counter(page) == "Step 0 of 3,000"
    charts = page.get(CHART)
    assert len(charts) == 4  # scatters, modes captured, high-quality share, per-mode counts
    assert json.loads(charts[0].proto.spec)["facet"]["sort"] == {"field": "order", "op": "min"}
    panels = next(dataset.data.data for dataset in charts[0].proto.datasets if dataset.name == "panels")
    panels = pa.ipc.open_stream(panels).read_all().to_pandas().sort_values("order", kind="stable")
    assert panels.panel.unique().tolist() == [f"{title}: 0 of 8 modes" for title in
                                              ("Non-saturating GAN", "MMD (moment matching)")]
    assert [len(stack.configs) for stack in page.session_state.collapse_live.comparison.side.stacks] == [2]


def test_default_caption_states_the_measured_figures_over_seeds(page):
    caption = next(c.value for c in page.caption if c.value.startswith("**How robust is this over seeds?**"))
    assert "3,000 steps" in caption and "seeds 0–4" in caption and "≥ 20 of 2,500" in caption
    assert "Non-saturating GAN 5.6 ± 1.1 of 8 (4, 7, 6, 6, 5; all 8 on 0 of 5 seeds)" in caption
    assert "MMD (moment matching) 8.0 ± 0.0 of 8 (8, 8, 8, 8, 8; all 8 on 5 of 5 seeds)" in caption


def test_default_remedy_covers_more_modes_than_the_plain_gan_on_the_default_seed():
    """The default run itself (seed 0, 3,000 steps, both variants in one stack, as the page stacks them) gives the
    figures the caption states for seed 0: the non-saturating GAN 4 of 8 modes, MMD all 8."""
    lesson = collapse.LESSON
    side = SideBySide(collapse.variant_configs(lesson.base(), lesson.variants, shared_recipe=False))
    side.step(lesson.steps)
    finals = {m.variant: m.modes_captured for m in collapse.record(side)}
    assert finals == {"nsgan": 4, "mmd": 8}
    assert finals == {f.variant: f.modes[0] for f in lesson.figures if f.variant in lesson.variants}


def test_step_trains_every_variant_and_extends_the_track(page):
    page.button(key="collapse_step").click().run()
    assert _counter(page) == "Step 100 of 3,000" and not page.exception
    track = page.session_state.collapse_live.frame.value.track
    assert sorted({m.step for m in track}) == [0, 30, 60, 90] and len(track) == 8
    page.button(key="collapse_reset").click().run()
    assert _counter(page) == "Step 0 of 3,000" and len(page.session_state.collapse_live.frame.value.track) == 2


def test_play_trains_live_and_pause_keeps_the_step(page):
    page.button(key="collapse_play").click().run()  # the loop trains the runs while the page reads frames
    wait_while_moving(lambda: _counter(page), lambda shown: shown != "Step 0 of 3,000", "the step counter",
                      rerun(page))
    assert page.session_state.collapse_playing
    page.button(key="collapse_pause").click().run()
    reached = _counter(page)
    page.run()
    assert not page.session_state.collapse_playing and _counter(page) == reached


def test_repeat_over_seeds_reports_mean_and_std_per_variant(page):
    page.select_slider(key="collapse_steps").set_value(100).run()
    assert page.info[0].value.startswith("Press **Train over 5 seeds**")
    page.button(key="collapse_repeat").click().run()
    assert not page.exception and not page.error
    table = page.dataframe[0].value
    assert table.index.tolist() == ["Non-saturating GAN", "MMD (moment matching)"]
    assert table["seeds"].tolist() == [5, 5]
    assert all(" ± " in cell for cell in table["modes captured"])


def test_one_recipe_for_all_trains_in_one_stack(page):
    page.multiselect(key="collapse_variants").set_value(["nsgan", "wgan-gp", "lsgan"]).run()
    assert [len(stack.configs) for stack in page.session_state.collapse_live.comparison.side.stacks] == [2, 1]
    page.radio(key="collapse_recipe").set_value("shared").run()
    assert [len(stack.configs) for stack in page.session_state.collapse_live.comparison.side.stacks] == [3]


def test_settings_and_the_run_survive_a_page_switch(page):
    page.multiselect(key="collapse_variants").set_value(["nsgan", "wgan-gp"]).run()
    page.button(key="collapse_step").click().run()
    page.switch_page("pages/playground.py").run()
    page.switch_page(PAGE).run()
    assert page.multiselect(key="collapse_variants").value == ["nsgan", "wgan-gp"]
    assert _counter(page) == "Step 100 of 3,000"


def test_no_variant_asks_for_one_instead_of_failing(page):
    page.multiselect(key="collapse_variants").set_value([]).run()
    assert not page.exception
    assert page.info[0].value == "Pick at least one GAN variant in the sidebar."
