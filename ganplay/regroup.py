"""Moving runs between stacks: one new game of runs taken from others, each with its whole state (weights,
optimiser, random streams and their draw-ahead buffers, history), training on exactly as it would have where it
was. runs.restack moves runs; runs.fork and midrun.fork copy one.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from . import schedule
from .config import RunConfig
from .engines import ENGINES
from .game import EXACT_BATCH_MULTIPLE, EXACT_PER_RUN_FIELDS, Game, exact_stack_key


def regroup(members: Sequence[tuple[Game, int]], configs: Sequence[RunConfig] | None = None) -> Game:
    """One new game of the runs (game, index), each carrying its whole state: it trains on exactly as it
    would have where it was. The live runs must be at one step, with equal exact_stack_key and data.
    configs: the runs' configs in the new game (default: theirs); another schedule from the step they are at
    on continues them under it (ganplay/schedule.py)."""
    first = members[0][0]
    configs = [game.configs[r] for game, r in members] if configs is None else list(configs)
    key = exact_stack_key(configs[0])
    if len(configs) > 1 and (key is None or any(exact_stack_key(c) != key for c in configs)):
        raise ValueError(f"configs in one exact stack may differ only in {', '.join(sorted(EXACT_PER_RUN_FIELDS))}, "
                         f"with a batch size a multiple of {EXACT_BATCH_MULTIPLE}")
    if any(game.data is not first.data and not np.array_equal(game.data.x, first.data.x) for game, _ in members):
        raise ValueError("runs on different data cannot share a stack")
    if len({type(game.engine) for game, _ in members}) > 1:
        raise ValueError("runs on different engines cannot share a stack")
    live = [(game, r) for game, r in members if game.diverged_at[r] is None]
    steps = {game.done for game, _ in live}
    if len(steps) > 1:
        raise ValueError(f"runs at different steps ({sorted(steps)}) cannot share a stack")
    engine = next(name for name, entry in ENGINES.items() if entry.make is type(first.engine))
    game = Game(configs, first.data, engine)
    game.done = steps.pop() if steps else max(g.done for g, _ in members)
    game.diverged_at = [g.diverged_at[r] for g, r in members]
    game.history = torch.stack([g.history[:, r] for g, r in members], dim=1)
    if game.change_steps:  # the settings the runs trained with so far (those changed at this step come next)
        game.retune(tuple(schedule.at(c, game.done - 1) for c in configs))
    game.engine.adopt([(g.engine, r) for g, r in members])
    for stream in game.streams:
        _adopt_stream(game, stream, [(g, r) for g, r in live if g._draws(stream, r)], members)
    return game


def _adopt_stream(game: Game, stream: str, users, members) -> None:
    """Each seed's generator and draw-ahead buffer from a live run of that seed that reads the stream; a
    seed nobody reads keeps any (what it draws is never used)."""
    buffered = [(g, r) for g, r in users if stream in g.drawn]
    if len({g.drawn[stream][1] for g, _ in buffered}) > 1 or 0 < len(buffered) < len(users):
        raise ValueError(f"runs at different draws of {stream!r} cannot share a stack")
    readers_of: dict[int, list] = {}
    for g, r in users:
        readers_of.setdefault(g.configs[r].seed, []).append((g, r))
    anyone_of = {g.configs[r].seed: (g, r) for g, r in reversed(members)}
    rows = []
    for i, seed in enumerate(game.seeds):
        readers = readers_of.get(seed, [])
        g, r = readers[0] if readers else anyone_of[seed]
        own = g.streams[stream][g.seeds.index(seed)]
        state = own.get_state()
        if any(not torch.equal(reader.streams[stream][reader.seeds.index(seed)].get_state(), state)
               for reader, _ in readers[1:]):
            raise ValueError(f"runs of seed {seed} at different draws of {stream!r} cannot share a stack")
        game.streams[stream][i] = torch.Generator().set_state(state)
        if buffered:
            rows.append(g.drawn[stream][0][r] if readers else torch.zeros_like(buffered[0][0].drawn[stream][0][0]))
    if buffered:
        game.drawn[stream] = (torch.stack(rows)[game.seed_of_run], buffered[0][0].drawn[stream][1])
