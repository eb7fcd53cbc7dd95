"""A small thread-safe LRU of finished runs, shared by every visitor of one server process.

Deterministic training makes sharing safe: the same config always gives the same run. Only
finished runs go in, and nothing steps them again, so readers never see a run change.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, Generic, TypeVar

T = TypeVar("T")


class BoundedCache(Generic[T]):
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached value, or make() it outside the lock (training is slow) and keep it."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
