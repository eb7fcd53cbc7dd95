"""Recordings of live runs: the frames a run published, bounded in count and bytes, thinned evenly as it grows.

A recording is shared by every viewer of its run, keyed by run_key; each reads it at its own cursor (see live.py).
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from .config import RunConfig
from .datasets import Dataset
from .runs import FINISHED


@dataclass(frozen=True)
class LiveFrame:
    """One published frame: the run's step and status when it was taken, and frame_of(run)."""

    step: int
    status: str
    value: Any

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def nbytes(value) -> int:
    """Approximate memory of a frame value: arrays, tensors, tables, and containers or dataclasses of them."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, torch.Tensor):
        return value.element_size() * value.nelement()
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return int(np.sum(value.memory_usage(index=True)))
    if isinstance(value, dict):
        return sum(map(nbytes, value.values()))
    if isinstance(value, (list, tuple)):
        return sum(map(nbytes, value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 64  # a scalar or a small object


class Recording:
    """A run's frames, bounded by count and bytes and thinned evenly as it grows (every other frame goes,
    and later frames are kept twice as far apart); the first, the latest and the final frame always stay."""

    def __init__(self, first: LiveFrame, max_frames: int, max_bytes: int):
        self.max_frames, self.max_bytes, self.gap = max_frames, max_bytes, 1
        self.frames, self.sizes = [first], [nbytes(first.value)]
        self.head, self.head_size = first, self.sizes[0]

    @property
    def bytes(self) -> int:
        return sum(self.sizes) + (0 if self.head is self.frames[-1] else self.head_size)

    def add(self, frame: LiveFrame, keep: bool = False) -> None:
        """Publish frame as the latest; `keep` records it whatever the spacing (a step someone asked for)."""
        self.head, self.head_size = frame, nbytes(frame.value)
        if keep or frame.finished or frame.step - self.frames[-1].step >= self.gap:
            self.frames.append(frame)
            self.sizes.append(self.head_size)
            while len(self.frames) > 2 and (len(self.frames) > self.max_frames or self.bytes > self.max_bytes):
                kept = [*range(0, len(self.frames) - 1, 2), len(self.frames) - 1]
                self.frames, self.sizes = [self.frames[i] for i in kept], [self.sizes[i] for i in kept]
                self.gap *= 2

    def at(self, step: float) -> LiveFrame:
        """The latest frame taken at or before `step` (the first frame if none)."""
        if self.head.step <= step:
            return self.head
        index = bisect.bisect_right([f.step for f in self.frames], step)
        return self.frames[max(index - 1, 0)]


_DIGESTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Dataset (compared by identity) -> hash


def run_key(cfg: RunConfig, data: Dataset | None = None) -> tuple:
    """What makes two runs the same run: the full config and, for data given by the caller, its content."""
    if data is None:
        return cfg, None
    if data not in _DIGESTS:
        digest = hashlib.sha256(np.ascontiguousarray(data.x).tobytes())
        digest.update(b"" if data.y is None else np.ascontiguousarray(data.y).tobytes())
        _DIGESTS[data] = digest.hexdigest()
    return cfg, _DIGESTS[data]
