"""Waiting on the app in tests: fail on a stall (nothing moved for a minute), never on a deadline a busy machine misses."""
import time
from typing import Any, Callable

STALL_SECONDS = 60.0


def wait_while_moving(read: Callable[[], Any], done: Callable[[Any], bool], what: str,
                      between: Callable[[], None] = lambda: time.sleep(0.05)) -> Any:
    """read() until done(its value), calling between() after each look; fails only when the value has not changed
    for STALL_SECONDS. Returns the last value read."""
    seen, moved_at = read(), time.monotonic()
    while not done(seen):
        assert time.monotonic() - moved_at < STALL_SECONDS, f"stalled: {what} (at {seen!r} for a minute)"
        between()
        value = read()
        if value != seen:
            seen, moved_at = value, time.monotonic()
    return seen


def rerun(app) -> Callable[[], None]:
    """What a playing page's timer does between looks under AppTest: a short pause, then a rerun."""
    def again() -> None:
        time.sleep(0.05)
        app.run()
    return again
