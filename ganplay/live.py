"""The live loop: one background thread trains every run someone watches; sessions only read frames.

Threading model. One daemon thread (started on demand, gone after `idle_seconds` without work) is the
only code that steps a shared run: it serves the wanted runs fairly in time (the one that has trained
least goes next), in chunks bounded in time (`chunk_seconds`, at least one step: a run whose single
step takes more than `max_step_seconds` is stopped and refused), and after a chunk publishes the run's
frame, `frame_of(run)`, into the run's Recording (at most every `frame_seconds`, a page's five frames a
second, and less often when frames for every playing run would take more than `frame_share` of the loop's
time; always at the end and at a step someone asked for). A run is wanted while a watcher's lease is fresh
(renewed by each playing read), while a Step request or a `train_to_end` caller waits on it. Sessions
never step: they read published frames, each Viewer at its own cursor. `self._cond` guards the
registry, the viewers and the recordings (short critical sections only); each run's `lock` guards its
Trainer, held by the loop while stepping and by `holding()` for a caller that reads the run itself.
A run is keyed by its full config and a hash of its data, so one config trains once for everyone.

Batching (live_batch.py). The run chosen is stepped in one stack with up to `max_stack` − 1 other wanted
runs that train in a stack exactly as alone (equal exact_stack_key and data: other seeds, variants,
penalty weights, clip) and are at its step; each is charged its share of the stack's time. A fresh run
waits up to `join_seconds` after Play for such companions, so that visitors pressing Play together
start, and stay, in one stack; a run that leaves (paused, finished, held) goes on alone when it plays again.

The registry and the thread are in live_runs.py (SharedRuns); this module has what sessions call.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator

from . import Dataset, RunConfig, midrun
from .live_runs import LiveLimit, SharedRuns
from .recording import LiveFrame, run_key


# The GIL switch interval a server running the loop should use (sys.setswitchinterval): the loop thread gives up
# the GIL at each of its many small torch ops and waits up to an interval to get it back while sessions draw; at
# Python's 5 ms, four drawing threads cut its training about 6x against 1 ms (benchmarks/bench_gil.py).
SWITCH_SECONDS = 0.001


class Viewer:
    """One session's view of a shared run: its own cursor (the step it has reached) and the frame it shows.

    Get one from LiveLoop.watch; it stays usable after its loop dropped it (idle, released), re-attaching.
    """

    def __init__(self, loop: "LiveLoop", owner: Hashable, slot: str, key: tuple, data: Dataset | None,
                 make: Callable[[], Any] | None = None):
        self.loop, self.owner, self.slot, self.key, self.data, self.make = loop, owner, slot, key, data, make
        self.config: RunConfig = key[0]
        self.frame: LiveFrame | None = None  # set by watch: the run's first frame
        self.cursor, self.read_at, self.seen_at = 0.0, None, loop.clock()  # seen_at: last use of any kind
        self.following = False  # at the run's latest frame at its last read: playing, it stays there

    def read(self, playing: bool = True) -> LiveFrame:
        return self.loop.read(self, playing)

    def pause(self) -> LiveFrame:
        return self.loop.read(self, playing=False)

    def step(self, n: int = 100, timeout: float = 30.0) -> LiveFrame:
        return self.loop.step(self, n, timeout)

    def reset(self) -> LiveFrame:
        return self.loop.reset(self)

    def holding(self):
        return self.loop.holding(self)

    def run_data(self) -> Dataset:
        return self.loop.run_data(self)



class LiveLoop(SharedRuns):
    """The server's training loop, shared by every session: see the module's docstring."""

    # --- what sessions call -----------------------------------------------------------------

    def watch(self, owner: Hashable, cfg: RunConfig, data: Dataset | None = None, slot: str = "run",
              private: tuple[str, Callable[[], Any]] | None = None) -> Viewer:
        """owner's viewer of cfg in `slot` (one per page that shows a live run): the same one while the config
        and data stay, else a new viewer at step 0 (the previous one of that slot is let go). private: (tag,
        make) of a run made elsewhere (a saved file), kept under (cfg, tag) and never the shared run of cfg."""
        key = run_key(cfg, data) if private is None else (cfg, private[0])
        with self._cond:
            known = self._views.get((owner, slot))
        if known is not None and known.key == key:
            self._attach(known)
            return known
        viewer = Viewer(self, owner, slot, key, data, None if private is None else private[1])
        # a change mid-run of the run this slot showed continues that run at the change's step
        parent = midrun.parent(key, known.key) if known is not None else None
        entry = self._open(key, data, pin=lambda e: e.viewers.add(viewer), parent=parent, make=viewer.make)
        with self._cond:
            viewer.frame = entry.recording.frames[0]
            if known is not None:
                self._drop(known)
            self._views[owner, slot] = viewer
            self._trim()
        return viewer

    def read(self, viewer: Viewer, playing: bool = True) -> LiveFrame:
        """The frame viewer shows now. Playing renews its lease (the run trains) and moves its cursor: to the
        latest frame when it follows the run, else through the recording at the playback rate."""
        entry = self._attach(viewer)
        now = self.clock()
        with self._cond:
            if entry.error is not None:
                raise self._failure(entry) from entry.error
            head = entry.recording.head
            if playing:
                entry.leases[viewer] = now + self.lease_seconds
                self._wake()
                elapsed = min(now - (viewer.read_at if viewer.read_at is not None else now), 1.0)
                # behind a run still training, twice its speed: a viewer who paused catches up with it
                speed = self.playback_rate if head.finished else max(self.playback_rate, 2 * entry.rate)
                viewer.cursor = head.step if viewer.following else min(
                    max(viewer.cursor, viewer.frame.step) + speed * elapsed, head.step)
            else:
                entry.leases.pop(viewer, None)
            viewer.following = viewer.cursor >= head.step
            # playback measures from the previous playing read only: Play after a pause starts from where it was
            viewer.read_at, entry.used_at = now if playing else None, now
            return self._show(viewer, entry.recording.at(viewer.cursor))

    def step(self, viewer: Viewer, n: int = 100, timeout: float = 30.0) -> LiveFrame:
        """Pause viewer and move it n steps on, the loop training the run that far if it is not there yet;
        waits at most `timeout` seconds and shows how far it got."""
        entry = self._attach(viewer)
        with self._cond:
            entry.leases.pop(viewer, None)
            target = min(viewer.frame.step + n, viewer.config.steps)
            if entry.recording.head.step < target and not entry.finished:
                entry.targets[target] += 1
                self._wake()
                try:
                    self._cond.wait_for(lambda: entry.finished or entry.recording.head.step >= target, timeout)
                finally:
                    entry.targets[target] -= 1
                    entry.targets += Counter()  # drops the zero counts
            viewer.cursor, viewer.read_at, viewer.following = target, self.clock(), False
            return self._show(viewer, entry.recording.at(target))

    def reset(self, viewer: Viewer) -> LiveFrame:
        """Back to step 0: playing, the viewer replays the recording from the start."""
        entry = self._attach(viewer)
        with self._cond:
            entry.leases.pop(viewer, None)
            viewer.cursor, viewer.frame, viewer.following = 0.0, entry.recording.frames[0], False
            return viewer.frame

    @contextmanager
    def holding(self, viewer: Viewer) -> Iterator[Any]:
        """The viewer's run itself (to sample or export it), with nobody stepping it meanwhile; it may be
        ahead of the viewer's frame when others train it on. Read it only: in a stack, stepping it would step
        the runs it shares the stack with."""
        entry = self._attach(viewer)
        with self._cond:
            entry.readers += 1
        try:
            entry.lock.acquire()
        finally:
            with self._cond:
                entry.readers -= 1
                self._cond.notify_all()
        try:
            yield entry.run
        finally:
            entry.lock.release()

    def run_data(self, viewer: Viewer) -> Dataset:
        """The viewer's run's data: fixed for the run's life (a restack keeps it), so read without holding the run."""
        return self._attach(viewer).run.data

    def release(self, owner: Hashable) -> None:
        """A session ended: its viewers go, and runs nobody else wants stop and become evictable."""
        with self._cond:
            for viewer in [v for (o, _), v in self._views.items() if o == owner]:
                self._drop(viewer)
            self._trim()

    def train_to_end(self, cfg: RunConfig, data: Dataset | None = None,
                     progress: Callable[[int, int], None] | None = None, poll_seconds: float = 0.25,
                     max_seconds: float | None = None):
        """cfg trained to its last step (or divergence), shared: one training however many callers wait, and
        it stops when none waits any more. progress(step, steps) is called every poll; an exception from it
        (a page being stopped) cancels this caller's wait. Raises LiveLimit when the measured speed says the
        rest would take more than max_seconds."""
        entry = self._open(run_key(cfg, data), data, pin=self._add_finisher)
        try:
            while True:
                with self._cond:
                    if entry.error is not None:
                        raise self._failure(entry) from entry.error
                    if entry.finished:
                        return entry.run
                    left = (cfg.steps - entry.done) * (entry.seconds_per_step or 0.0)
                    if max_seconds is not None and left > max_seconds:
                        raise LiveLimit(f"training these settings to the end would take about {left:.0f} s, "
                                        f"more than the {max_seconds:.0f} s this server allows")
                    self._cond.wait_for(lambda: entry.finished, poll_seconds)
                    done = entry.recording.head.step
                if progress is not None:
                    progress(done, cfg.steps)
        finally:
            with self._cond:
                entry.finishers -= 1
                self._trim()

    # --- what tests and benchmarks read -----------------------------------------------------

    @property
    def running(self) -> bool:
        with self._cond:
            return self._thread is not None

    def steps_taken(self, cfg: RunConfig, data: Dataset | None = None) -> int:
        with self._cond:
            entry = self._entries.get(run_key(cfg, data))
            return 0 if entry is None else entry.steps_taken

    def recording(self, cfg: RunConfig, data: Dataset | None = None, key: tuple | None = None) -> tuple[LiveFrame, ...]:
        """The frames a run published (kept ones, then the latest), by config and data or by a viewer's key."""
        with self._cond:
            entry = self._entries.get(run_key(cfg, data) if key is None else key)
            return () if entry is None else (*entry.recording.frames, entry.recording.head)
