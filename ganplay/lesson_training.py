"""What every lesson's training shares: a seeded block, progress reports, and the Playground's game
(game.py) set up the lessons' way: Adam with a linear decay and clipped gradients, a 64-64 leaky-ReLU
critic, one D step per G step, G any module, on the autograd engine."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn

from .config import RunConfig
from .datasets import Dataset
from .engines import Extras
from .engines.autograd import mlp_module
from .game import Game, Standardiser
from .variants import VARIANTS, Variant

Progress = Callable[[float], None]
LEARNING_RATE, BETAS = 3e-3, (0.5, 0.999)  # Adam as DCGAN sets it, both players
MAX_GRAD_NORM = 1.0  # one unlucky batch can blow a flow's inverse up (exp of the scales): clipping keeps runs smooth


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block on torch's global generator at `seed`, restoring the caller's state afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def report(progress: Progress | None, step: int, steps: int) -> None:
    """Tell the caller the fraction done, about a hundred times per run."""
    if progress is not None and (step + 1) % max(1, steps // 100) == 0:
        progress((step + 1) / steps)


def mlp(*sizes: int) -> nn.Sequential:
    """Linear layers with LeakyReLU between them; the last layer is linear."""
    return mlp_module(sizes, "leaky_relu")


def variant_named(name: str) -> Variant:
    if name not in VARIANTS:
        raise ValueError(f"variant: unknown {name!r}; choose one of {', '.join(VARIANTS)}")
    return VARIANTS[name]


class InModelUnits(nn.Module):
    """A generator of data-unit samples, read in the game's standardised units (the game trains on those)."""

    def __init__(self, inner: nn.Module, units: Standardiser):
        super().__init__()
        self.inner = inner
        self.register_buffer("mean", torch.as_tensor(units.mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(units.scale, dtype=torch.float32))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (self.inner(z) - self.mean) / self.scale


def lesson_game(variant: str, data: Dataset, g_module: Callable[[], nn.Module], z_dim: int, steps: int,
                batch: int, seed: int, g_term=None, lr_g: float = LEARNING_RATE, standardise: bool = True) -> Game:
    """The game on data with G = g_module() (rows (B, z_dim) -> (B, dim) in the game's units), z ~ N(0, I);
    standardise=False: the game's units are the data's."""
    if steps < 1:
        raise ValueError(f"steps must be ≥ 1, got {steps}")
    cfg = RunConfig(dataset=data.name, variant=variant_named(variant).name, z_dim=z_dim, d_depth=2, d_width=64,
                    activation="leaky_relu", optimizer="adam", lr_g=lr_g, lr_d=LEARNING_RATE, beta1=BETAS[0],
                    beta2=BETAS[1], batch_size=batch, d_steps=1, steps=steps, seed=seed)
    extras = Extras(g_module=g_module, g_term=g_term, decay_steps=steps, max_grad_norm=MAX_GRAD_NORM,
                    standardise=standardise)
    return Game([cfg], data, engine="autograd", extras=extras)


def play(game: Game, progress: Progress | None) -> nn.Module:
    """Train the game to its end, reporting progress; returns G's module."""
    steps = game.configs[0].steps
    for step in range(steps):
        game.step(1)
        report(progress, step, steps)
    return game.engine.module("g", 0)


def data_of(x: np.ndarray) -> Dataset:
    """A lesson's samples as the game's own data (dataset 'csv')."""
    return Dataset("csv", x.astype(np.float32), columns=tuple(f"x{k + 1}" for k in range(x.shape[1])))
