"""The UI's live helpers outside a page: sessions on the shared loop, finished runs shared and bounded, and the
private Streamlit flag the entry point relies on."""
import inspect
import sys
import threading

import pytest
import torch

import ganplay
from ganplay import ui
from ganplay.live import SWITCH_SECONDS, LiveLimit, LiveLoop
from ganplay.ui import caches

TINY = dict(n=100, batch_size=16, g_width=8, d_width=8)


def test_a_session_whose_browser_disconnects_frees_its_runs(monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    loop = LiveLoop(frame_of=caches.publish, make_run=caches.make_run, max_live=1)
    monkeypatch.setattr(caches, "live_loop", lambda: loop)

    def page():
        import ganplay
        from ganplay.ui import caches
        from ganplay.ui.live import session_owner
        caches.live_loop().watch(session_owner(), ganplay.RunConfig(steps=50, seed=1, n=100, batch_size=16,
                                                                     g_width=8, d_width=8))

    app = AppTest.from_function(page).run()
    owner = app.session_state["live_session"]
    assert app.run().session_state["live_session"] == owner  # one name for the session's whole life
    with pytest.raises(LiveLimit):  # the server is full while that session holds its run
        loop.watch("another visitor", ganplay.RunConfig(steps=50, seed=2, **TINY))
    st.cache_resource.clear()  # what Streamlit does to a session's resources when its browser disconnects
    viewer = loop.watch("another visitor", ganplay.RunConfig(steps=50, seed=2, **TINY))
    assert viewer.frame.step == 0


def test_two_visitors_asking_for_one_finished_run_share_one_training():
    cfg = ganplay.RunConfig(steps=120, seed=11, **TINY)
    loop, runs = LiveLoop(frame_of=caches.publish, make_run=caches.make_run), []
    visitors = [threading.Thread(target=lambda: runs.append(loop.train_to_end(cfg))) for _ in range(2)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=120)
    assert len(runs) == 2 and runs[0] is runs[1] and runs[0].status == "done"
    assert loop.steps_taken(cfg) == 120  # trained once, not once per visitor
    assert ganplay.train(cfg).sample(50) == pytest.approx(runs[0].sample(50), abs=0)  # the same run as in one go


def test_a_finished_run_nobody_waits_for_any_more_stops_training():
    cfg = ganplay.RunConfig(steps=50_000, seed=12, **TINY)
    loop = LiveLoop(frame_of=caches.publish, make_run=caches.make_run)

    def leave(step, steps):  # the visitor's page is stopped (a rerun, a closed tab) while it waits
        if step > 0:
            raise KeyboardInterrupt("visitor left")
    with pytest.raises(KeyboardInterrupt):
        loop.train_to_end(cfg, progress=leave, poll_seconds=0.01)
    other = loop.watch("someone", ganplay.RunConfig(steps=60, seed=13, **TINY))
    other.step(30)  # by now the chunk the loop was training when the visitor left is over
    left = loop.steps_taken(cfg)
    other.step(30)  # the loop serves others...
    assert loop.steps_taken(cfg) == left and 0 < left < 50_000  # ...and no longer this one


def test_a_finished_run_too_long_for_the_server_is_refused_naming_the_limit():
    cfg = ganplay.RunConfig(steps=50_000, seed=14, **TINY)
    loop = LiveLoop(frame_of=caches.publish, make_run=caches.make_run)
    with pytest.raises(LiveLimit, match="more than the 0 s this server allows"):
        loop.train_to_end(cfg, max_seconds=1e-3)


def test_a_comparison_steps_on_the_loop_as_collapse_comparison_does():
    configs = tuple(ganplay.collapse.variant_configs(ganplay.RunConfig(dataset="ring8", steps=40, **TINY),
                                                     ["gan", "lsgan"], shared_recipe=True))
    loop = LiveLoop(frame_of=caches.publish, make_run=caches.make_run)
    shown = loop.watch("visitor", ui.Comparing(configs)).step(40)
    alone = ganplay.collapse.Comparison(configs).step(40)
    assert shown.step == 40 and shown.finished
    assert shown.value.track == alone.track  # the same scores at the same steps
    for live, lone in zip(shown.value.panels, ganplay.collapse.panels(alone.side)):
        torch.testing.assert_close(live.fake, lone.fake, rtol=0, atol=0)


def test_the_private_pages_flag_the_entry_point_sets_still_steers_streamlit():
    """ui.ensure_entrypoint switches Streamlit out of its legacy pages/ mode through a private flag."""
    name = "streamlit.runtime.pages_manager.PagesManager.uses_pages_directory"
    from streamlit.commands import navigation
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner
    assert "uses_pages_directory" in vars(PagesManager), f"{name} is gone: ui.ensure_entrypoint must change"
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner), (
        f"Streamlit's script runner no longer reads {name}: check ui.ensure_entrypoint")
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation), (
        f"st.navigation no longer clears {name}: check ui.ensure_entrypoint")


def test_the_server_lets_the_loop_thread_have_the_gil_back_soon():
    """At Python's 5 ms switch interval, sessions drawing cut the loop's training about 6× (benchmarks/bench_gil.py)."""
    caches.live_loop()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_SECONDS)
