"""The UI package's live helpers outside a page: the one stepping helper, the shared finished runs, and the
private Streamlit flag the entry point relies on."""
import inspect
import threading

import pytest

import ganplay
from ganplay import ui


class Counter:
    """Anything with .step(n) and .finished: what ui.advance steps."""

    def __init__(self, total: int):
        self.total, self.chunks = total, []

    @property
    def finished(self) -> bool:
        return sum(self.chunks) >= self.total

    def step(self, n: int) -> None:
        self.chunks.append(min(n, self.total - sum(self.chunks)))


def test_advance_measures_with_one_step_and_stops_at_its_budget():
    live = Counter(1000)
    assert ui.advance(live, budget=0.0) is False
    assert live.chunks == [1]  # a spent budget still trains one step: every frame shows progress


def test_advance_trains_to_the_end_and_says_so():
    live = Counter(1000)
    assert ui.advance(live, budget=3600.0) is True
    assert sum(live.chunks) == 1000 and live.chunks[0] == 1
    assert ui.advance(live) is True and sum(live.chunks) == 1000  # a finished run is not stepped again


def test_finished_reads_a_trainers_status_and_a_side_by_sides_flag():
    cfg = ganplay.RunConfig(steps=3, n=50, batch_size=8, g_width=4, d_width=4)
    run, side = ganplay.Trainer(cfg), ganplay.SideBySide([cfg, cfg.replace(seed=1)])
    assert not ui.finished(run) and not ui.finished(side)
    assert ui.advance(run, 3600.0) and ui.advance(side, 3600.0)
    assert run.step_count == 3 and run.status == "done" and side.finished


def test_two_visitors_asking_for_one_config_share_one_training():
    cfg = ganplay.RunConfig(steps=120, n=100, batch_size=16, g_width=8, d_width=8, seed=11)
    shared = ui.shared_run(cfg, None)
    chunks, step = [], shared.run.step
    shared.run.step = lambda n: (chunks.append(n), step(n))[1]
    runs = []
    visitors = [threading.Thread(target=lambda: runs.append(ui.train_with_progress(cfg))) for _ in range(2)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=120)
    assert len(runs) == 2 and runs[0] is runs[1] is shared.run
    assert sum(chunks) == 120 and shared.run.status == "done"  # trained once, not once per visitor


def test_a_training_cut_short_is_carried_on_by_the_next_visitor():
    cfg = ganplay.RunConfig(steps=100, n=100, batch_size=16, g_width=8, d_width=8, seed=12)
    shared = ui.shared_run(cfg, None)
    step = shared.run.step

    def leave_after_two(n):  # the first visitor's session ends while it trains
        if shared.run.step_count >= 2 * n:
            raise KeyboardInterrupt("visitor left")
        return step(n)
    shared.run.step = leave_after_two
    with pytest.raises(KeyboardInterrupt):
        ui.train_with_progress(cfg)
    assert shared.run.step_count == 4 and not shared.lock.locked()
    shared.run.step = step
    run = ui.train_with_progress(cfg)
    assert run is shared.run and run.step_count == 100
    assert ganplay.train(cfg).sample(50) == pytest.approx(run.sample(50), abs=0)  # the same run as in one go


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
