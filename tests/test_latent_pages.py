"""The Latent walk and Conditional GAN pages through Streamlit's AppTest: defaults, every view, the controls."""
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose
from streamlit.testing.v1 import AppTest

import ganplay
from ganplay import latent, ui, userdata
from stall import rerun, wait_while_moving

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LATENT, CONDITIONAL = "pages/latent_walk.py", "pages/conditional.py"
CHART = "vega_lite_chart"
QUICK = dict(steps=200)  # settings the tests train fully: a short run keeps the suite fast


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def open_page(at: AppTest, page: str, cfg: ganplay.RunConfig | None = None) -> AppTest:
    """Open a page from Home, optionally with the visitor's settings already chosen (the sidebar restores them)."""
    if cfg is not None:
        at.session_state["run_config"] = cfg
    at.switch_page(page).run()
    assert not at.exception and not at.error
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def held_fixed(at: AppTest) -> str:
    caption = next(c.value for c in at.main.caption if c.value.startswith("Held fixed"))
    return caption.split(": ", 1)[1]


def layer_data(chart, layer: int):
    """The rows of one layer of a layered chart, as Streamlit sent them to the browser."""
    spec = json.loads(chart.proto.spec)
    name = spec["layer"][layer]["data"]["name"]
    data = next(d for d in chart.proto.datasets if d.name == name)
    return pa.ipc.open_stream(data.data.data).read_pandas()


# ------------------------------------------------------------------------------------------ latent walk


def test_latent_walk_loads_with_defaults_and_shows_g_of_z_over_the_data(app):
    open_page(app, LATENT)
    assert [s.label for s in app.main.slider] == ["z₁", "z₂"]
    (chart,) = app.get(CHART)
    assert set(layer_data(chart, 0)["source"]) == {"real", "generated"}
    run = ui.live_loop().train_to_end(ganplay.RunConfig())  # the page trained the defaults on the shared loop
    assert run.status == "done"
    assert_allclose(layer_data(chart, 1)[["x", "y"]], run.sample(z=np.zeros((1, 2))), rtol=0, atol=2e-6)


@pytest.mark.parametrize("view, charts", [("Path", 2), ("Sweep", 1), ("Manifold", 1)])
def test_every_view_draws_its_chart(app, view, charts):
    open_page(app, LATENT, ganplay.RunConfig(**QUICK))
    app.radio(key="latent_mode").set_value(view).run()
    assert not app.exception and not app.error
    assert len(app.get(CHART)) == charts


def test_a_slider_moves_the_point_and_trains_nothing(app):
    open_page(app, LATENT, ganplay.RunConfig(**QUICK))
    app.slider(key="latent_z0").set_value(1.5).run()
    run = ganplay.train(ganplay.RunConfig(**QUICK))
    assert_allclose(layer_data(app.get(CHART)[0], 1)[["x", "y"]], run.sample(z=[[1.5, 0.0]]), rtol=0, atol=2e-6)
    assert "Step 200 of 200" in [p.proto.text for p in app.get("progress")]


def test_path_ends_move_to_the_sliders_and_the_path_is_drawn_by_t(app):
    open_page(app, LATENT, ganplay.RunConfig(**QUICK))
    app.radio(key="latent_mode").set_value("Path").run()
    app.slider(key="latent_z1").set_value(-2.0).run()
    button(app, "z₀ ← sliders").click().run()
    assert app.session_state["latent_start"] == (0.0, -2.0)
    app.radio(key="latent_method").set_value("spherical").run()
    path = layer_data(app.get(CHART)[0], 2)
    assert_allclose(path["t"], np.linspace(0, 1, 20))
    run = ganplay.train(ganplay.RunConfig(**QUICK))
    assert_allclose(path[["x", "y"]].to_numpy()[0], run.sample(z=[[0.0, -2.0]])[0], rtol=0, atol=2e-6)


def test_uses_the_visitors_trained_playground_run_and_trains_to_the_end_on_request(app):
    own = ganplay.Trainer(ganplay.RunConfig(**QUICK)).step(50)
    app.session_state["run"] = own
    open_page(app, LATENT, own.config)
    assert "your Playground run, as it stands at step 50" in app.info[0].value
    button(app, "Train to the end").click().run()
    assert not app.info and "Step 200 of 200" in [p.proto.text for p in app.get("progress")]
    assert own.step_count == 50  # the Playground's run is left as it was


def test_the_run_trained_on_the_playground_is_walked_after_switching_pages(app):
    app.switch_page("pages/playground.py").run()
    app.sidebar.number_input(key="cfg_seed").set_value(21).run()  # a run no other test has trained
    app.button[1].click().run()  # Step: 100 generator steps
    open_page(app, LATENT)
    assert app.session_state["run_config"] == ganplay.RunConfig(seed=21)  # the settings came along
    assert "your Playground run, as it stands at step 100" in app.info[0].value


def test_more_than_eight_latent_axes_show_eight_sliders_and_randomise_draws_all(app):
    open_page(app, LATENT, ganplay.RunConfig(z_dim=10, **QUICK))
    assert [s.label for s in app.main.slider] == [latent.axis_name(k) for k in range(8)]
    assert held_fixed(app) == "z₉ = 0.00, z₁₀ = 0.00"
    button(app, "Randomise z").click().run()
    drawn = np.round(latent.random_z(10, "normal", 1), 2)
    assert [s.value for s in app.main.slider] == pytest.approx(list(drawn[:8]))
    assert held_fixed(app) == f"z₉ = {drawn[8]:.2f}, z₁₀ = {drawn[9]:.2f}"


def test_new_settings_keep_the_sliders_within_the_new_prior(app):
    open_page(app, LATENT, ganplay.RunConfig(**QUICK))
    app.slider(key="latent_z0").set_value(2.5).run()
    app.sidebar.radio(key="cfg_latent").set_value("uniform").run()
    assert not app.exception and not app.error
    assert [(s.min, s.max, s.value) for s in app.main.slider] == [(-1.0, 1.0, 1.0), (-1.0, 1.0, 0.0)]


def test_a_conditional_run_walks_with_its_label_held_fixed(app):
    open_page(app, LATENT, ganplay.RunConfig(dataset="blobs", conditional=True, **QUICK))
    label = app.selectbox(key="latent_label_blobs")
    assert label.options == ["blob 0", "blob 1", "blob 2"]
    label.set_value(2).run()
    run = ganplay.train(ganplay.RunConfig(dataset="blobs", conditional=True, **QUICK))
    generated = layer_data(app.get(CHART)[0], 0).query("source == 'generated'")
    assert_allclose(generated[["x", "y"]], run.sample(500, labels=2))


# ------------------------------------------------------------------------------------- conditional GAN


def test_conditional_page_loads_with_defaults_and_draws_every_view(app):
    open_page(app, CONDITIONAL)
    run = app.session_state["conditional_run"]
    assert run.config == ganplay.RunConfig(conditional=True) and run.step_count == 0
    assert len(app.get(CHART)) == 3  # chosen labels, per-class densities, one z under every label
    assert list(app.dataframe[0].value["label y"]) == [str(k) for k in range(8)]
    assert len(app.latex) >= 1 and "run" not in app.session_state


def test_step_trains_the_pages_own_run_and_leaves_the_playground_alone(app):
    app.switch_page("pages/playground.py").run()
    own = app.session_state["run"]
    open_page(app, CONDITIONAL)
    app.button[1].click().run()  # Step
    assert app.session_state["conditional_run"].step_count == 100 and own.step_count == 0
    app.button[2].click().run()  # Reset
    assert app.session_state["conditional_run"].step_count == 0


def test_play_trains_and_pause_keeps_the_run(app):
    open_page(app, CONDITIONAL)
    app.button[0].click().run()  # Play: the loop trains the run while the page reads its frames
    wait_while_moving(lambda: app.session_state["conditional_run"].step_count, lambda step: step > 0, "the run",
                      rerun(app))
    assert app.session_state["conditional_playing"]
    app.button[0].click().run()  # Pause
    reached = app.session_state["conditional_run"].step_count
    app.run()
    assert not app.session_state["conditional_playing"]
    assert app.session_state["conditional_run"].step_count == reached


def test_chosen_labels_give_samples_of_exactly_those_labels(app):
    open_page(app, CONDITIONAL, ganplay.RunConfig(dataset="blobs"))
    app.multiselect(key="conditional_labels_blobs").set_value([1]).run()
    app.slider(key="conditional_n").set_value(40).run()
    fakes = layer_data(app.get(CHART)[0], 1)
    assert list(fakes["label"]) == ["blob 1"] * 40
    assert set(layer_data(app.get(CHART)[0], 0)["label"]) == {"blob 0", "blob 1", "blob 2"}


def test_no_label_chosen_says_so(app):
    open_page(app, CONDITIONAL, ganplay.RunConfig(dataset="blobs"))
    app.multiselect(key="conditional_labels_blobs").set_value([]).run()
    assert app.info[0].value == "Choose at least one label." and len(app.get(CHART)) == 2


def test_the_latent_slider_shows_one_z_under_every_label(app):
    open_page(app, CONDITIONAL, ganplay.RunConfig(dataset="blobs"))
    app.slider(key="conditional_z1").set_value(1.0).run()
    app.radio(key="conditional_label_blobs").set_value(2).run()
    points = layer_data(app.get(CHART)[-1], 1)
    run = app.session_state["conditional_run"]
    assert list(points["chosen"]) == [False, False, True]
    assert_allclose(points[["x", "y"]], run.sample(z=np.tile([0.0, 1.0], (3, 1)), labels=[0, 1, 2]), rtol=0,
                    atol=2e-6)


def test_an_unlabelled_dataset_is_replaced_by_blobs(app):
    open_page(app, CONDITIONAL, ganplay.RunConfig(dataset="swissroll"))
    assert app.session_state["conditional_run"].config.dataset == "blobs"


def own_data(at: AppTest, labelled: bool) -> ganplay.RunConfig:
    """Two painted blobs as the visitor's own data (with their labels, or without)."""
    x = np.concatenate([np.zeros((50, 2)), np.full((50, 2), 3.0)]) + np.random.default_rng(0).normal(0, 0.2, (100, 2))
    own = userdata.painted_data(x, np.repeat([0, 1], 50))
    if not labelled:
        own = userdata.OwnData(ganplay.from_array(own.dataset.x), "painted")
    at.session_state["own_data"] = own
    return ganplay.RunConfig(dataset="csv", data_id=own.data_id)


def test_your_own_labelled_data_trains_conditionally(app):
    open_page(app, CONDITIONAL, own_data(app, labelled=True))
    app.button[1].click().run()  # Step
    run = app.session_state["conditional_run"]
    assert run.config.dataset == "csv" and run.config.conditional and run.step_count == 100
    assert list(app.dataframe[0].value["label y"]) == ["blob 1", "blob 2"]


def test_your_own_data_without_labels_is_refused_with_a_reason(app):
    open_page(app, CONDITIONAL, own_data(app, labelled=False))
    assert "no labels" in app.warning[0].value and "conditional_run" not in app.session_state
