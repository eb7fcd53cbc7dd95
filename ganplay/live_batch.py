"""What the live loop (live.py) trains: one shared run's entry, and batches of entries stepped as one stack.

A batch is the chosen run and the wanted runs that would train exactly as it does in one stack (equal
exact_stack_key, data and kind of run) at its step. Its runs move into one game (runs.restack) only when
the batch differs from the game they share; the game is stepped only while the loop holds the lock of every
run in it. A run that leaves a batch (paused, finished, held by a reader) stays where it was, the others
moving on in a new game: it leaves its stack when it trains again.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Sequence

from .game import exact_stack_key
from .recording import LiveFrame, Recording
from .runs import Run, restack


class Entry:
    """One shared run: its Trainer, its recording, and who wants it trained."""

    def __init__(self, key: tuple, run, first: LiveFrame, recording_limits: tuple[int, int]):
        self.key, self.run = key, run
        self.lock = threading.Lock()  # held by whoever steps or reads the Trainer
        self.readers = 0  # holding() callers waiting for the lock: the loop leaves it to them (a Lock is not fair)
        self.recording = Recording(first, *recording_limits)
        self.viewers: set = set()
        self.leases: dict = {}  # viewer -> when its lease ends (loop clock)
        self.targets: Counter[int] = Counter()  # steps that Step requests wait for
        self.finishers = 0  # train_to_end callers waiting
        self.done = first.step  # the run's step count after its last chunk (frames may lag behind it)
        self.steps_taken, self.training_seconds, self.seconds_per_step = 0, 0.0, None
        self.used_at, self.published_at = 0.0, float("-inf")
        self.turn_seconds = 0.0  # training time as the scheduler counts it: who has had least goes next
        self.wanted_since: float | None = None  # when it last became wanted (perf_counter)
        self.error: Exception | None = None
        # runs of one kind with equal keys can share a stack, each training exactly as alone
        exact = exact_stack_key(run.config) if isinstance(run, Run) else None
        self.batch_key = None if exact is None else (type(run), exact, key[1])

    @property
    def finished(self) -> bool:
        return self.recording.head.finished or self.error is not None

    @property
    def pinned(self) -> bool:
        return bool(self.viewers or self.targets or self.finishers)

    def wanted(self, now: float) -> bool:
        leased = any(until > now for until in self.leases.values())
        asked = any(target > self.done for target in self.targets)  # reached ones wait for their waiters to go
        return not self.finished and (leased or asked or self.finishers > 0)

    def chunk(self, seconds: float) -> int:
        """Steps for one turn: about `seconds` at the measured speed, never past a step someone waits for."""
        steps = 1 if self.seconds_per_step is None else max(1, int(seconds / max(self.seconds_per_step, 1e-9)))
        ahead = [t - self.done for t in self.targets if t > self.done]
        return min([steps, *ahead])

    def account(self, taken: int, seconds: float) -> None:
        self.done += taken
        self.steps_taken += taken
        self.training_seconds += seconds
        if taken:
            self.seconds_per_step = seconds / taken

    @property
    def rate(self) -> float:
        """Training speed so far, steps per second (0 before the first chunk)."""
        return self.steps_taken / self.training_seconds if self.training_seconds else 0.0

    def waiting_for_company(self, join_seconds: float) -> bool:
        """A fresh run that became wanted a moment ago waits for others pressing Play with it (at most
        join_seconds), so that they start in one stack."""
        return (self.batch_key is not None and self.done == 0 and self.wanted_since is not None
                and time.perf_counter() - self.wanted_since < join_seconds)


def batch_of(chosen: Entry, wanted: Sequence[Entry], most: int) -> list[Entry]:
    """chosen and up to most − 1 of the wanted entries that can share its stack at its step, those already
    in its game first (fewer moves)."""
    if chosen.batch_key is None or most <= 1:
        return [chosen]
    game = chosen.run.game
    mates = [e for e in wanted if e is not chosen and e.batch_key == chosen.batch_key and e.done == chosen.done]
    mates.sort(key=lambda e: (e.run.game is not game, e.turn_seconds))
    return [chosen, *mates[:most - 1]]


def lock_batch(batch: Sequence[Entry], timeout: float) -> list[Entry]:
    """The batch's entries whose locks this thread took: the chosen one waiting up to timeout (none if it
    could not), the others only if free. A reader holding one, or waiting for it, keeps it out of this turn:
    the loop re-takes a lock so soon after releasing it that a waiting reader would hardly ever get it."""
    if batch[0].readers or not batch[0].lock.acquire(timeout=timeout):
        return []
    return [batch[0], *(e for e in batch[1:] if not e.readers and e.lock.acquire(blocking=False))]


def stack_of(batch: Sequence[Entry]) -> None:
    """Make the batch's runs exactly the runs of one game (moving them if need be), so that stepping one
    steps them all and nobody else."""
    if batch[0].batch_key is None:
        return
    game = batch[0].run.game
    if game.runs != len(batch) or any(e.run.game is not game for e in batch):
        restack([e.run for e in batch])
