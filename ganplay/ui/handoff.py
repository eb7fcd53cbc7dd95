"""One script run hands over to the next only once its last messages are out (a fix of Streamlit's AppSession).

A live view's timer asks for a fragment run every FRAME_SECONDS. When that request reaches the server's event loop
just as the previous run ends, AppSession sees its ScriptRunner stopped and starts a new one at once, while the old
runner's last messages (the rest of its page, its "script finished") still wait in the event loop's queue; they
arrive from a runner that is no longer current and are dropped. A Pause whose run was dropped so leaves the page
showing Pause with its timer ticking: under load, a click unheard for minutes (seen in the load test, in the server's
log of runs and the browser's log of messages). Here the new runner waits, a few milliseconds at a time, until the
old one has shut down (AppSession then forgets it), so its messages go out first.

Private API (streamlit.runtime.app_session): tests/test_handoff.py fails when the parts used here change.
"""
from __future__ import annotations

from streamlit.runtime.app_session import AppSession, AppSessionState

RETRY_SECONDS = 0.005
_ORIGINAL = AppSession._create_scriptrunner


def start_when_free(session, rerun_data) -> None:
    """Start rerun_data on a new runner once session has none; hand it to a runner that takes requests; else wait.
    With runner.fastReruns off, AppSession only starts a runner beside a known one when that one has stopped."""
    if session._state == AppSessionState.SHUTDOWN_REQUESTED:
        return
    if rerun_data.fragment_id and not session.has_fragment(rerun_data.fragment_id):
        return  # the full run just handed over drew the page anew, without that fragment (as AppSession checks)
    runner = session._scriptrunner
    if runner is None:
        _ORIGINAL(session, rerun_data)
    elif not runner.request_rerun(rerun_data):
        session._event_loop.call_later(RETRY_SECONDS, start_when_free, session, rerun_data)


def install() -> None:
    """Idempotent: the entry point calls it on every run."""
    AppSession._create_scriptrunner = start_when_free
