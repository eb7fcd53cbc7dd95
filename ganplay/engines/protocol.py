"""The engine protocol: what the game asks of the networks, and what it builds them from."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

import torch
from torch import nn

if TYPE_CHECKING:
    from ..unrolled import Lookahead

Layers = list[tuple[torch.Tensor, torch.Tensor]]  # per layer: W (out, in), b (out,)


@dataclass(frozen=True)
class Extras:
    """What a game beyond the Playground's (a lesson's) changes; only the autograd engine runs them."""

    # G as any module on rows (B, z_dim) -> (B, dim), built per run under a seed drawn from the run's init stream
    g_module: Callable[[], nn.Module] | None = None
    # a generator loss term beside the adversarial one: term(G's module, the real batch's data rows (B, dim))
    g_term: Callable[[nn.Module, torch.Tensor], torch.Tensor] | None = None
    decay_steps: int | None = None  # each player's learning rates fall linearly to 0 over this many updates
    max_grad_norm: float = math.inf  # each run's gradient norm, per player, clipped to this before an update
    standardise: bool = True  # train on standardised data (a lesson's 0/1 bits keep their own units)

    @property
    def plain(self) -> bool:
        return self == Extras()


@dataclass(frozen=True)
class Networks:
    """What an engine builds: the two players' layer sizes, and per run its rates and clip bound."""

    g_sizes: tuple[int, ...]
    d_sizes: tuple[int, ...]
    activation: str
    optimizer: str
    betas: tuple[float, float]
    lr_g: tuple[float, ...]
    lr_d: tuple[float, ...]
    clip: tuple[float, ...]  # inf: no clipping for that run
    spectral_norm: bool
    # D's input rows that hold data rather than a label ((1, rows, 1) of 0/1), or None when every row does:
    # a gradient penalty's norm is over these.
    data_rows: torch.Tensor | None
    extras: Extras = field(default_factory=Extras)

    @property
    def runs(self) -> int:
        return len(self.lr_g)


class Pass(Protocol):
    """A forward pass an engine can back-propagate through; out is the network's output (R, out, B)."""

    out: torch.Tensor


class Engine(Protocol):
    def __init__(self, networks: Networks, init: Sequence[torch.Generator]): ...

    def forward(self, net: str, inputs: torch.Tensor, run: int | None = None, iterate: bool = True) -> Pass:
        """net ("g" or "d") on inputs (R, in, B), or on (1, in, B) for one run; iterate: D's spectral
        norm takes a power iteration (a training pass) or reuses the last one (reading)."""

    def param_grads(self, step: Pass, delta: torch.Tensor) -> None:
        """Set the pass's network's parameter gradient to that of Σ ⟨delta, out⟩."""

    def input_grads(self, step: Pass, delta: torch.Tensor) -> torch.Tensor:
        """∇ of Σ ⟨delta, out⟩ with respect to the pass's inputs."""

    def penalty_grads(self, inputs: torch.Tensor, runs: torch.Tensor, weight: torch.Tensor,
                      target: float) -> torch.Tensor:
        """weight · mean (‖∇x D(x)‖ − target)² over D's inputs (len(runs), in, B) of the given runs, the
        norm over data rows; adds its gradient to D's and returns the values (len(runs),)."""

    def g_term_grads(self, real: torch.Tensor) -> torch.Tensor:
        """Networks.extras.g_term of every run at its real data rows (R, dim, B): adds its gradient to G's
        and returns the values (R,). Only engines that run Extras have it."""

    def lookahead(self) -> "Lookahead":
        """D's parameters and optimiser state as tensors, with D as a function of them: what G's unrolled
        loss steps through (ganplay/unrolled.py)."""

    def update(self, net: str) -> None:
        """One optimiser step of net with its gradient (D's weights then clipped where a run clips)."""

    def retune(self, networks: "Networks") -> None:
        """Take networks' rates, optimiser, betas and clip bounds (its shapes are this engine's): a change mid-run.
        Another optimiser starts from fresh state; new rates and betas keep it."""

    def checkpoint(self, slot: int) -> None:
        """Keep every run's parameters in slot 0 or 1."""

    def freeze(self, run: int, slot: int) -> None:
        """Set run's parameters back to those kept in slot, and stop updating them."""

    def adopt(self, sources: Sequence[tuple["Engine", int]]) -> None:
        """Make run j a copy of run r of engine e, for (e, r) = sources[j] (engines of this kind and shape):
        weights, optimiser state and step, checkpoints, freezing, spectral-norm vectors."""

    def state(self, run: int) -> dict[str, torch.Tensor]:
        """Copies of everything run r continues from: weights, optimiser state and step, checkpoints, freezing,
        spectral-norm vectors (ganplay/checkpoint.py saves them; names are the engine's own)."""

    def load_state(self, run: int, state: dict[str, torch.Tensor]) -> None:
        """Make run r of a one-run engine of this kind and shape the run state() described: it trains on
        exactly as that run would. A ValueError names the first entry missing or of the wrong shape."""

    def layers(self, net: str, run: int, gradient: bool = False) -> Layers:
        """One run's weights (live tensors: writing them sets the network), or its last gradient."""
