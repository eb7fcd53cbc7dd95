"""Changing the game mid-run: a run's schedule of changes, and what counts as a change mid-run or a new run.

A run is its RunConfig, and `RunConfig.schedule` is part of it: a tuple of Change(step, field, value), each
applied when the game reaches that step (the first `step` generator steps train with the settings before it,
the rest with it). So the live loop's key, a shared link and "copy as Python" carry the whole schedule, and
training stays deterministic: a run forked at step s and a run trained from step 0 with the same schedule are
bit-identical. Only MID_RUN_FIELDS may change mid-run (the networks' shapes, the data and the seed stay: those
make a new run); a loss may change only to one the same trainer plays (not to or from a closed-form critic or a
look-ahead). In text (a link) a schedule is `step:field=value` changes joined by commas.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

if TYPE_CHECKING:
    from .config import RunConfig

# What may change while a run plays (beside game.PER_RUN_FIELDS, what runs of one stack may choose alone).
MID_RUN_FIELDS = frozenset({"lr_g", "lr_d", "variant", "optimizer", "beta1", "beta2", "d_steps", "gp_weight",
                            "r1_weight", "clip"})
MAX_CHANGES = 64  # a schedule's length at most: a hand-edited link may carry thousands
# Why a change of other fields starts a new run, as the page says it
KINDS = (("the architecture", frozenset({"z_dim", "latent", "g_depth", "g_width", "d_depth", "d_width",
                                         "activation", "spectral_norm", "pack", "conditional"})),
         ("the data", frozenset({"dataset", "n", "noise", "data_seed", "data_id"})),
         ("the seed", frozenset({"seed"})))


class Change(NamedTuple):
    """From generator step `step` on, `field` is `value`."""

    step: int
    field: str
    value: Any


def _config():
    from . import config  # config imports this module for its schedule field: its helpers are read at call time
    return config


def to_text(schedule: Sequence[Change]) -> str:
    """"1240:lr_d=0.0001,1240:optimizer=rmsprop": the URL form of a schedule."""
    return ",".join(f"{c.step}:{c.field}={_config().to_text(c.value)}" for c in schedule)


def from_text(text: str) -> tuple[Change, ...]:
    """The schedule of a link's text; ValueError (starting "schedule:") on anything malformed."""
    config = _config()
    parts = text.split(",") if text else []
    if len(parts) > MAX_CHANGES:
        raise ValueError(f"schedule: more than {MAX_CHANGES} changes")
    changes = []
    for part in parts:
        step, colon, rest = part.partition(":")
        name, equals, value = rest.partition("=")
        if not (colon and equals and step.isascii() and step.isdigit()):
            raise ValueError(f"schedule: {config.echo(part)} is not step:field=value")
        if name not in MID_RUN_FIELDS:
            raise ValueError(f"schedule: {config.echo(name)} cannot change mid-run")
        try:
            changes.append(Change(int(step), name, config.read_value(name, value)))
        except ValueError as problem:
            raise ValueError(f"schedule: {problem}") from None
    return tuple(changes)


def as_source(schedule: Sequence[Change]) -> str:
    """The schedule as Python source: plain (step, field, value) tuples, which RunConfig takes."""
    return repr(tuple(tuple(c) for c in schedule))


def checked(cfg: "RunConfig") -> tuple[Change, ...]:
    """cfg's schedule as (step, field)-ordered Changes, every one valid: a mid-run field, a step within the run, a
    value the field allows, a config valid after it that the same trainer plays, and changing something."""
    config = _config()
    try:
        changes = tuple(sorted((Change(*c) for c in cfg.schedule), key=lambda c: (c.step, c.field)))
    except (TypeError, ValueError):  # noqa: PERF203
        raise ValueError(f"schedule: expected (step, field, value) changes, got {config.echo(cfg.schedule)}") from None
    if len(changes) > MAX_CHANGES:
        raise ValueError(f"schedule: more than {MAX_CHANGES} changes")
    for c in changes:
        if c.field not in MID_RUN_FIELDS:
            raise ValueError(f"schedule: {config.echo(c.field)} cannot change mid-run; these can: "
                             + ", ".join(sorted(MID_RUN_FIELDS)))
        if not isinstance(c.step, int) or isinstance(c.step, bool) or not 1 <= c.step < cfg.steps:
            raise ValueError(f"schedule: step {config.echo(c.step)} is outside 1..{cfg.steps - 1} (the run's steps)")
        if c.value is None:
            raise ValueError(f"schedule: {c.field} at step {c.step} needs a value")
    if len({(c.step, c.field) for c in changes}) < len(changes):
        raise ValueError("schedule: a field changes twice at one step")
    current = dataclasses.replace(cfg, schedule=())
    for step, group in itertools.groupby(changes, key=lambda c: c.step):
        group = list(group)
        for c in group:
            if getattr(current, c.field) == c.value:
                raise ValueError(f"schedule: {c.field} is already {config.echo(c.value)} at step {step}")
        try:
            after = current.replace(**{c.field: c.value for c in group})
        except ValueError as problem:
            raise ValueError(f"schedule: at step {step}, {problem}") from None
        try:
            same_trainer(current, after)
        except ValueError as problem:
            raise ValueError(f"schedule: at step {step}, {problem}") from None
        current = after
    return changes


def same_trainer(before: "RunConfig", after: "RunConfig") -> None:
    """ValueError (naming the reason) when after's loss needs another trainer than before's: another engine, a
    closed-form critic in place of a trained D (or back), another look-ahead."""
    from .engines import engine_class  # engines import config, which imports this module
    old, new = before.variant_spec, after.variant_spec
    if (old.trains_critic != new.trains_critic or before.lookahead != after.lookahead
            or engine_class("auto", [before]) is not engine_class("auto", [after])):
        raise ValueError(f"{new.title} cannot take over from {old.title} mid-run: it trains another way")


@functools.lru_cache(maxsize=256)
def at(cfg: "RunConfig", step: int) -> "RunConfig":
    """The settings in force at generator step index `step` (changes at steps ≤ step applied), without a schedule."""
    return cfg.replace(schedule=(), **{c.field: c.value for c in cfg.schedule if c.step <= step})


def latest(cfg: "RunConfig") -> "RunConfig":
    """The settings after every change: what the sidebar shows for cfg."""
    return at(cfg, cfg.steps)


def continued(previous: "RunConfig", step: int, shown: "RunConfig") -> "RunConfig":
    """previous with the settings `shown` from `step` on: its changes before step kept, those from step on
    replaced by what shown changes there. Mid-run fields only differ between shown and latest(previous)."""
    before = at(previous, step - 1)
    new = [Change(step, name, getattr(shown, name)) for name in sorted(MID_RUN_FIELDS)
           if getattr(shown, name) != getattr(before, name)]
    return previous.replace(schedule=(*(c for c in previous.schedule if c.step < step), *new))


def continues(new: "RunConfig", old: "RunConfig") -> bool:
    """Whether new is old changed mid-run at new's last change step s: a run of old at step s forks into it."""
    if not new.schedule:
        return False
    s = new.schedule[-1].step
    return (new.replace(schedule=()) == old.replace(schedule=())
            and [c for c in new.schedule if c.step < s] == [c for c in old.schedule if c.step < s])


def _value(name: str, value: Any) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def describe(changes: Sequence[Change], before: "RunConfig") -> str:
    """"lr_d 0.001 → 0.0001, optimizer adam → rmsprop": changes read against the settings before them."""
    return ", ".join(f"{c.field} {_value(c.field, getattr(before, c.field))} → {_value(c.field, c.value)}"
                     for c in changes)


def marks(cfg: "RunConfig") -> list[tuple[int, str]]:
    """(step, what changed there) for each step of cfg's schedule: the loss chart's rules and the list below it."""
    return [(step, describe(list(group), at(cfg, step - 1)))
            for step, group in itertools.groupby(cfg.schedule, key=lambda c: c.step)]


class Outcome(NamedTuple):
    """What a change of the sidebar's settings makes: the run's new config, and what the page says (None: the
    page's usual "starts over")."""

    config: "RunConfig"
    note: str | None


def follow(previous: "RunConfig", shown: "RunConfig", step: int | None) -> Outcome:
    """The run after the visitor set `shown` (settings without a schedule) on a run of `previous` seen at `step`
    (None: no run in progress). Mid-run fields alone continue the run with a change at that step; anything
    else starts a new run of shown, and the note says which kind of change it was."""
    before = latest(previous)
    changed = [f.name for f in dataclasses.fields(shown)
               if f.name != "schedule" and getattr(shown, f.name) != getattr(before, f.name)]
    if not changed:
        return Outcome(previous, None)
    others = [name for name in changed if name not in MID_RUN_FIELDS]
    if others:
        kind = next((title for title, names in KINDS if names & set(others)), ", ".join(others))
        return Outcome(shown, f"A new run: {kind} changed.")
    if step is None or not 0 < step < previous.steps:
        return Outcome(shown, None)
    try:
        same_trainer(at(previous, step - 1), shown)
    except ValueError as problem:
        return Outcome(shown, f"A new run: {problem}.")
    cfg = continued(previous, step, shown)
    now = [c for c in cfg.schedule if c.step == step]
    what = describe(now, at(cfg, step - 1)) if now else "back to the settings in force there"
    return Outcome(cfg, f"Changed mid-run at step {step:,}: {what}.")
