"""The live loop's machinery (live.py has the threading model and what sessions call): the registry of shared
runs and their viewers, and the one thread that trains the wanted runs, chunk by chunk, and publishes their frames.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Hashable

from . import Dataset, Trainer, midrun
from .live_batch import Entry, batch_of, lock_batch, stack_of
from .recording import LiveFrame
from .runs import FINISHED

if TYPE_CHECKING:
    from .live import Viewer


class LiveLimit(RuntimeError):
    """The server refuses work beyond a bound (too many watched runs, a training too long to finish)."""



def _snapshot(run):
    return run.snapshot()


class SharedRuns:
    """The machinery of LiveLoop: the registry of shared runs and viewers, and the loop thread."""

    def __init__(self, frame_of: Callable[[Any], Any] = _snapshot, *, make_run: Callable = Trainer,
                 chunk_seconds: float = 0.05, frame_seconds: float = 0.2, lease_seconds: float = 3.0,
                 idle_seconds: float = 2.0, viewer_seconds: float = 600.0, playback_rate: float = 500.0,
                 max_step_seconds: float | None = 2.0, max_live: int = 48, cache_entries: int = 12,
                 cache_bytes: int = 256 * 2 ** 20, max_frames: int = 300, max_recording_bytes: int = 32 * 2 ** 20,
                 clock: Callable[[], float] = time.monotonic, max_stack: int = 32, join_seconds: float = 0.1,
                 frame_share: float = 0.25):
        self.frame_of, self.make_run, self.clock = frame_of, make_run, clock
        self.chunk_seconds, self.frame_seconds, self.lease_seconds = chunk_seconds, frame_seconds, lease_seconds
        self.idle_seconds, self.viewer_seconds, self.playback_rate = idle_seconds, viewer_seconds, playback_rate
        self.max_live, self.cache_entries, self.cache_bytes = max_live, cache_entries, cache_bytes
        self.recording_limits, self.max_step_seconds = (max_frames, max_recording_bytes), max_step_seconds
        self._cond = threading.Condition()
        self._entries: dict[tuple, Entry] = {}
        self._views: dict[tuple[Hashable, str], Viewer] = {}
        self._making: set[tuple] = set()  # keys whose run is being made (outside the lock)
        self._thread: threading.Thread | None = None
        self._turn_clock = 0.0  # turn_seconds of the last run served
        self.max_stack, self.join_seconds, self.frame_share = max_stack, join_seconds, frame_share
        self._frame_cost, self._playing = 0.0, 0  # seconds one frame_of takes (moving mean), runs wanted
        self.batch_sizes: Counter[int] = Counter()  # batch size -> how many were stepped (tests, benchmarks)

    # --- the registry -----------------------------------------------------------------------

    def _open(self, key: tuple, data: Dataset | None, pin: Callable[[Entry], None], parent: tuple | None = None,
              make: Callable[[], Any] | None = None) -> Entry:
        """The entry of key, made if need be (outside the lock: a Trainer takes a while; callers asking for a
        key being made wait for it, so that one link starts one training), pinned under the lock. parent: the key
        of the run that key changes mid-run, whose run the new one continues (midrun.py); make: a private run's
        maker (a saved file's)."""
        with self._cond:
            while (entry := self._entries.get(key)) is None and key in self._making:
                self._cond.wait()
            if entry is not None:
                pin(entry)
                entry.used_at = self.clock()
                return entry
            if sum(e.pinned for e in self._entries.values()) >= self.max_live:
                raise LiveLimit(f"this server already trains {self.max_live} runs: try again in a minute")
            self._making.add(key)
            source = self._entries.get(parent) if parent is not None else None
        try:
            if make is not None:
                run = make()
            elif source is not None:
                run = midrun.continued_run(source.run, source.lock, key[0], data, self.make_run)
            else:
                run = self.make_run(key[0], data)
            first = LiveFrame(run.step_count, run.status, self.frame_of(run))  # nobody else can reach run yet
        except BaseException:
            with self._cond:
                self._made(key)
            raise
        with self._cond:  # one lock for both: a waiter woken between them would make the run again
            self._made(key)
            entry = self._entries.setdefault(key, Entry(key, run, first, self.recording_limits))
            pin(entry)
            entry.used_at = self.clock()
            return entry

    def _made(self, key: tuple) -> None:
        """Under the lock: key is no longer being made; wake those who wait for it."""
        self._making.discard(key)
        self._cond.notify_all()

    def _add_finisher(self, entry: Entry) -> None:
        entry.finishers += 1
        self._wake()

    def _attach(self, viewer: Viewer) -> Entry:
        """viewer's entry, re-opened (and the viewer re-registered) if the loop let either go."""
        with self._cond:
            viewer.seen_at = self.clock()
            entry = self._entries.get(viewer.key)
            if entry is not None and viewer in entry.viewers:
                return entry
            replaced = self._views.setdefault((viewer.owner, viewer.slot), viewer) is not viewer
        # a viewer its slot replaced (an old rerun's) may still read, but no longer keeps the run
        keep = (lambda e: None) if replaced else (lambda e: e.viewers.add(viewer))
        return self._open(viewer.key, viewer.data, pin=keep, make=viewer.make)

    def _show(self, viewer: Viewer, frame: LiveFrame) -> LiveFrame:
        """A viewer never goes back (its frame may be newer than what a re-made run has reached)."""
        if frame.step > viewer.frame.step:
            viewer.frame = frame
        return viewer.frame

    def _drop(self, viewer: Viewer) -> None:
        if self._views.get((viewer.owner, viewer.slot)) is viewer:
            del self._views[viewer.owner, viewer.slot]
        entry = self._entries.get(viewer.key)
        if entry is not None:
            entry.viewers.discard(viewer)
            entry.leases.pop(viewer, None)

    def _trim(self) -> None:
        """Forget viewers idle for viewer_seconds; keep at most cache_entries unpinned runs within cache_bytes."""
        stale = self.clock() - self.viewer_seconds
        for viewer in [v for e in self._entries.values() for v in e.viewers if v.seen_at < stale]:
            self._drop(viewer)
        idle = sorted((e for e in self._entries.values() if not e.pinned), key=lambda e: e.used_at)
        size = sum(e.recording.bytes for e in idle)
        while idle and (len(idle) > self.cache_entries or size > self.cache_bytes):
            oldest = idle.pop(0)
            size -= oldest.recording.bytes
            del self._entries[oldest.key]

    def _too_slow(self, status: str, taken: int, seconds: float) -> bool:
        """A chunk is at least one step: a step this slow would hold every other run up (and Pause) that long."""
        limit = self.max_step_seconds
        return limit is not None and taken > 0 and seconds / taken > limit and status == "training"

    def _failure(self, entry: Entry) -> Exception:
        """What a reader of a stopped run is told (a new exception each time: many threads raise it)."""
        if isinstance(entry.error, LiveLimit):
            return LiveLimit(str(entry.error))
        return RuntimeError(f"training failed: {entry.error}")

    # --- the loop thread --------------------------------------------------------------------

    def _wake(self) -> None:
        """Start the thread if it is not running (under the lock), else tell it there is work."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="ganplay-live-loop", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _next(self) -> tuple[list[Entry], float]:
        """The wanted run that has trained least (fair in time between fast and slow runs) with the runs that
        can share its stack; or none, and how long to wait for a fresh run's companions. A run that was paused
        rejoins just behind the others rather than taking all the time it missed."""
        now, began = self.clock(), time.perf_counter()
        wanted = []
        for entry in self._entries.values():
            if not entry.wanted(now):
                entry.wanted_since = None
                continue
            wanted.append(entry)
            entry.wanted_since = began if entry.wanted_since is None else entry.wanted_since
            entry.turn_seconds = max(entry.turn_seconds, self._turn_clock - self.chunk_seconds)
        self._playing = len(wanted)
        ready = [e for e in wanted if not e.waiting_for_company(self.join_seconds)]
        chosen = min(ready, key=lambda e: e.turn_seconds, default=None)
        if chosen is None:  # nothing to do, or fresh runs waiting for company: until the first stops waiting
            return [], max(min(e.wanted_since + self.join_seconds - began for e in wanted), 1e-3) if wanted else 0.0
        self._turn_clock = max(self._turn_clock, chosen.turn_seconds)
        return batch_of(chosen, wanted, self.max_stack), 0.0

    def _work(self) -> None:
        while True:
            with self._cond:
                batch, wait = self._next()
                if not batch:
                    self._cond.wait(wait or self.idle_seconds)
                    self._trim()
                    batch, wait = self._next()
                if not batch and not wait:
                    self._thread = None
                    return
                steps = min((entry.chunk(self.chunk_seconds) for entry in batch), default=0)
                targets = {entry: set(entry.targets) for entry in batch}
            if batch:
                self._train(batch, steps, targets)

    def _train(self, batch: list[Entry], steps: int, targets: dict[Entry, set[int]]) -> None:
        chosen, batch = batch[0], lock_batch(batch, self.chunk_seconds)
        if not batch:
            with self._cond:  # someone reads the run (holding): a turn spent waiting, the others' come first
                chosen.turn_seconds += self.chunk_seconds
                self._cond.wait_for(lambda: not chosen.readers, self.chunk_seconds)  # rather than spin for its lock
            return
        frames, errors, taken, began, began_cpu = {}, {}, {}, time.perf_counter(), time.thread_time()
        cpu = 0.0
        try:
            before = {entry: entry.run.step_count for entry in batch}
            stack_of(batch)
            batch[0].run.step(steps)  # in one stack: every run of the batch takes the steps
            seconds, cpu = time.perf_counter() - began, time.thread_time() - began_cpu
            for entry in batch:
                taken[entry] = entry.run.step_count - before[entry]
                try:
                    frames[entry] = self._frame(entry, targets[entry])
                except Exception as problem:  # noqa: BLE001 - one broken run must not stop everyone's training
                    errors[entry] = problem
        except Exception as problem:  # noqa: BLE001
            errors, seconds = dict.fromkeys(batch, problem), time.perf_counter() - began
        finally:
            for entry in batch:
                entry.lock.release()
        self.batch_sizes[len(batch)] += 1
        share = seconds / len(batch)  # each run's part of the stack's time: what the scheduler charges it
        # a step's cost is judged in this thread's CPU time: a server busy with other work is slow, not these settings
        cpu_share = cpu / len(batch)
        with self._cond:
            for entry in batch:
                status = entry.run.status
                if entry not in errors and self._too_slow(status, taken.get(entry, 0), cpu_share):
                    errors[entry] = LiveLimit(
                        f"one step of these settings takes {cpu_share / taken[entry]:.1f} s here, more than the "
                        f"{self.max_step_seconds:g} s a shared live run may take: try smaller networks, a "
                        "smaller batch or fewer critic steps")
                entry.turn_seconds += share
                entry.account(taken.get(entry, 0), seconds)
                entry.error = errors.get(entry) or entry.error
                if frames.get(entry) is not None:
                    entry.recording.add(frames[entry], keep=frames[entry].step in targets[entry])
            self._cond.notify_all()

    def _frame(self, entry: Entry, targets: set[int]) -> LiveFrame | None:
        """The run's frame when one is due: at its end, at a step someone asked for, else every frame_seconds,
        or less often when many runs play: frames then take at most frame_share of the loop's time (each run
        still gets one a second)."""
        done, status, now = entry.run.step_count, entry.run.status, time.perf_counter()
        period = min(max(self.frame_seconds, self._frame_cost * self._playing / self.frame_share), 1.0)
        if not (status in FINISHED or done in targets or now - entry.published_at >= period):
            return None
        frame = LiveFrame(done, status, self.frame_of(entry.run))
        entry.published_at = time.perf_counter()
        self._frame_cost += 0.2 * (entry.published_at - now - self._frame_cost)
        return frame
