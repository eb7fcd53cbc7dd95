"""What every lesson's small torch training shares: a seeded block, progress reports, a variant's losses
on D's logits, and Adam with a linear decay. (The Playground's runs train on ganplay/game.py instead.)"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import torch
from torch import nn

from .engines.autograd import mlp_module
from .variants import VARIANTS, Variant

Progress = Callable[[float], None]


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


def d_loss(variant: Variant, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """D minimises E_real φ_real(D(x)) + E_fake φ_fake(D(G(z)))."""
    return variant.d_real.value(real_logits).mean() + variant.d_fake.value(fake_logits).mean()


def g_loss(variant: Variant, fake_logits: torch.Tensor) -> torch.Tensor:
    """G minimises E_fake ψ(D(G(z)))."""
    return variant.g_fake.value(fake_logits).mean()


class Optimiser:
    """Adam (β1 = 0.5, the DCGAN habit) with the learning rate decayed linearly to 0 over the run."""

    def __init__(self, module: nn.Module, steps: int, lr: float = 3e-3):
        if steps < 1:
            raise ValueError(f"steps must be ≥ 1, got {steps}")
        self.module = module
        self.adam = torch.optim.Adam(module.parameters(), lr=lr, betas=(0.5, 0.999))
        self.schedule = torch.optim.lr_scheduler.LambdaLR(self.adam, lambda step: 1 - step / steps)

    def step(self, loss: torch.Tensor) -> None:
        self.adam.zero_grad()
        loss.backward()
        # One unlucky batch can blow a flow's inverse up (exp of the scales); clipping keeps runs smooth.
        nn.utils.clip_grad_norm_(self.module.parameters(), 1.0)
        self.adam.step()
        self.schedule.step()
