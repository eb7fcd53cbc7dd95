"""ganplay.ui.handoff: a new script run waits until the previous runner's last messages are out.

It patches a private part of Streamlit (AppSession); the first test fails loudly when that part changes."""
import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.app_session import AppSession, AppSessionState
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest

from ganplay.ui import handoff


def test_the_private_parts_of_streamlit_that_handoff_relies_on_are_still_there():
    assert list(inspect.signature(handoff._ORIGINAL).parameters) == ["self", "initial_rerun_data"]
    rerun = inspect.getsource(AppSession.request_rerun)
    assert "self._scriptrunner.request_rerun(rerun_data)" in rerun and "self._create_scriptrunner(rerun_data)" in rerun
    # the defect handoff works around: events of a runner that is no longer current are dropped
    assert "sender is not self._scriptrunner" in inspect.getsource(AppSession._handle_scriptrunner_event_on_event_loop)
    init = inspect.getsource(AppSession.__init__)
    assert "self._scriptrunner" in init and "self._event_loop" in init and "self._state" in init
    assert hasattr(AppSession, "has_fragment") and AppSessionState.SHUTDOWN_REQUESTED
    assert "fragment_id" in RerunData.__dataclass_fields__


class FakeLoop:
    def __init__(self):
        self.later = []

    def call_later(self, delay, callback, *args):
        self.later.append((callback, args))

    def run_pending(self):
        pending, self.later = self.later, []
        for callback, args in pending:
            callback(*args)


class FakeRunner:
    def __init__(self, takes_requests: bool):
        self.takes_requests, self.given = takes_requests, []

    def request_rerun(self, rerun_data) -> bool:
        if self.takes_requests:
            self.given.append(rerun_data)
        return self.takes_requests


@pytest.fixture
def started(monkeypatch):
    """The runs the original _create_scriptrunner started, by session."""
    runs = []

    def create(session, rerun_data):
        runs.append(rerun_data)
        session._scriptrunner = FakeRunner(takes_requests=True)
    monkeypatch.setattr(handoff, "_ORIGINAL", create)
    return runs


def session(runner=None, fragments=(), state=AppSessionState.APP_IS_RUNNING):
    return SimpleNamespace(_scriptrunner=runner, _event_loop=FakeLoop(), _state=state,
                           has_fragment=lambda fragment_id: fragment_id in fragments)


def test_a_run_asked_for_while_the_last_runner_shuts_down_starts_only_after_it_is_gone(started):
    shutting = session(FakeRunner(takes_requests=False), fragments=("timer",))
    request = RerunData(fragment_id="timer", is_auto_rerun=True)
    handoff.start_when_free(shutting, request)
    shutting._event_loop.run_pending()  # its events (and SHUTDOWN) not handled yet: still waiting
    assert started == [] and len(shutting._event_loop.later) == 1
    shutting._scriptrunner = None  # AppSession handled the old runner's SHUTDOWN, after its last messages
    shutting._event_loop.run_pending()
    assert started == [request] and shutting._event_loop.later == []


def test_without_a_runner_a_run_starts_at_once_and_a_running_runner_takes_the_request(started):
    idle = session()
    handoff.start_when_free(idle, RerunData())
    assert len(started) == 1
    busy = session(FakeRunner(takes_requests=True))
    handoff.start_when_free(busy, RerunData(query_string="a=1"))
    assert len(started) == 1 and busy._scriptrunner.given == [RerunData(query_string="a=1")]


def test_a_waiting_run_is_dropped_when_the_session_ends_or_its_fragment_is_gone(started):
    ending = session(FakeRunner(takes_requests=False))
    handoff.start_when_free(ending, RerunData())
    ending._state, ending._scriptrunner = AppSessionState.SHUTDOWN_REQUESTED, None
    ending._event_loop.run_pending()
    redrawn = session(FakeRunner(takes_requests=False), fragments=())
    handoff.start_when_free(redrawn, RerunData(fragment_id="old timer"))
    assert started == [] and ending._event_loop.later == [] and redrawn._event_loop.later == []


def test_the_app_installs_the_handoff():
    AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    assert AppSession._create_scriptrunner is handoff.start_when_free
