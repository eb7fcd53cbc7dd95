"""The app and the Playground through Streamlit's AppTest: default settings, Play, Step, Reset."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stall import rerun, wait_while_moving

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _step_counter(at) -> int:
    text = next(p for p in at.get("progress") if p.proto.text.startswith("Step")).proto.text
    return int(text.split()[1].replace(",", ""))


def test_home_explains_the_game_and_links_every_page(app):
    assert "generator" in app.markdown[0].value and "discriminator" in app.markdown[0].value
    assert len(app.latex) == 1


def test_playground_loads_with_defaults_and_draws_charts(app):
    app.switch_page("pages/playground.py").run()
    assert not app.exception and not app.error
    assert _step_counter(app) == 0
    assert len(app.get("vega_lite_chart")) == 3  # scatter over D, losses, densities


def test_step_advances_the_counter_and_reset_returns_to_zero(app):
    app.switch_page("pages/playground.py").run()
    app.button[1].click().run()  # Step
    assert _step_counter(app) == 100 and not app.exception
    app.button[2].click().run()  # Reset
    assert _step_counter(app) == 0


def test_play_trains_and_pause_keeps_the_run(app):
    app.switch_page("pages/playground.py").run()
    app.button[0].click().run()  # Play: the loop trains it while the page reads its frames
    assert app.session_state.playing
    assert _play_until_it_moves(app) > 0
    app.button[0].click().run()  # Pause
    reached = _step_counter(app)
    assert not app.session_state.playing
    app.run()
    assert _step_counter(app) == reached


def test_changing_a_setting_resets_the_run(app):
    app.switch_page("pages/playground.py").run()
    app.button[1].click().run()
    app.sidebar.select_slider(key="cfg_batch_size").set_value(128).run()
    assert _step_counter(app) == 0 and app.session_state.run_config.batch_size == 128


def test_settings_survive_a_page_switch(app):
    app.switch_page("pages/playground.py").run()
    app.sidebar.selectbox(key="cfg_variant").set_value("wgan-gp").run()
    app.switch_page("pages/lessons.py").run()
    assert not app.exception
    app.switch_page("pages/playground.py").run()
    assert app.sidebar.selectbox(key="cfg_variant").value == "wgan-gp"
    assert app.session_state.run_config.d_steps == 5  # the variant's own default came along


def test_diverged_training_shows_a_message_not_a_traceback(app):
    app.switch_page("pages/playground.py").run()
    app.sidebar.selectbox(key="cfg_variant").set_value("lsgan").run()
    app.sidebar.radio(key="cfg_optimizer").set_value("sgd").run()
    app.sidebar.select_slider(key="cfg_lr_d").set_value(1.0).run()
    app.sidebar.select_slider(key="cfg_lr_g").set_value(1.0).run()
    app.button[1].click().run()
    assert not app.exception
    assert any("diverged at step" in e.value for e in app.error)


def _play_until_it_moves(at) -> int:
    """Rerun a playing page (as its timer would) until its counter moves; fail on a stall, not on a slow machine."""
    start = _step_counter(at)
    return wait_while_moving(lambda: _step_counter(at), lambda step: step != start, "the step counter", rerun(at))


def test_pausing_one_visitor_leaves_another_visitors_run_training(app):
    other = AppTest.from_file(APP, default_timeout=TIMEOUT)
    other.run()
    for at, seed in ((app, 1), (other, 2)):
        at.switch_page("pages/playground.py").run()
        at.sidebar.number_input(key="cfg_seed").set_value(seed).run()
        at.button[0].click().run()  # Play
        _play_until_it_moves(at)
    app.button[0].click().run()  # Pause the first visitor
    paused = _step_counter(app)
    loop, cfg = app.session_state.run.viewer.loop, app.session_state.run.config
    _play_until_it_moves(other)  # a chunk the loop had begun before the Pause is over by now
    taken = loop.steps_taken(cfg)
    _play_until_it_moves(other)
    _play_until_it_moves(other)  # the other visitor's run goes on...
    app.run()
    assert _step_counter(app) == paused and not app.session_state.playing  # ...the paused one stays where it was
    assert loop.steps_taken(cfg) == taken  # and nothing trains it
