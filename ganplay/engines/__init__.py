"""How a game computes: one protocol, and a registry name -> engine.

An engine holds R stacked runs' generator ("g") and discriminator ("d") with their optimisers. The game
(ganplay/game.py) asks it for forward passes, gradients and updates, and never sees parameters. All
activations are feature-major, (R, features, batch). Two engines:

- "mlp": hand-written stacked MLPs (nets.py, optim.py); the fast path, chosen where it applies;
- "autograd": torch.func and torch.optim; any architecture or loss, and the reference for "mlp".
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple, Sequence

from ..config import RunConfig
from ..variants import Term
from .autograd import AutogradEngine
from .mlp import MLPEngine
from .protocol import Engine, Extras, Layers, Networks, Pass


class EngineEntry(NamedTuple):
    make: type
    supports: Callable[[RunConfig], bool]


def _elementwise(config: RunConfig) -> bool:
    """The hand-written engine back-propagates elementwise loss terms of D's output, each with its slope."""
    spec = config.variant_spec
    return all(isinstance(term, Term) for term in (spec.d_real, spec.d_fake, spec.g_fake))


# In order of preference: "auto" takes the first that supports every config.
ENGINES: Mapping[str, EngineEntry] = MappingProxyType({
    "mlp": EngineEntry(MLPEngine, _elementwise),
    "autograd": EngineEntry(AutogradEngine, lambda config: True),
})


def engine_class(name: str, configs: Sequence[RunConfig]) -> type:
    """The engine called `name` ("auto": the fast path where every config allows it), checked against configs."""
    if name == "auto":
        name = next(n for n, entry in ENGINES.items() if all(map(entry.supports, configs)))
    if name not in ENGINES:
        raise ValueError(f"engine: unknown {name!r}; choose one of auto, {', '.join(ENGINES)}")
    if not all(map(ENGINES[name].supports, configs)):
        raise ValueError(f"engine: {name!r} cannot run these configs")
    return ENGINES[name].make


__all__ = ["ENGINES", "Engine", "Extras", "Layers", "Networks", "Pass", "engine_class"]
