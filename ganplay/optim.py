"""Optimisers on flat parameter vectors, with a learning rate per element (so per run).

Written out because the stacked runs need a different rate for each run, which torch.optim's
one-rate-per-group cannot express over a single tensor. Each is the textbook update in-place.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import torch

EPS = 1e-8


@dataclass
class FlatState:
    step: int
    first: torch.Tensor   # Adam's m
    second: torch.Tensor  # Adam's v, RMSprop's running mean of squares


def new_state(params: torch.Tensor) -> FlatState:
    return FlatState(0, torch.zeros_like(params), torch.zeros_like(params))


def adam(params, grad, state: FlatState, lr: torch.Tensor, betas: tuple[float, float]) -> None:
    b1, b2 = betas
    state.step += 1
    state.first.lerp_(grad, 1 - b1)
    state.second.mul_(b2).addcmul_(grad, grad, value=1 - b2)
    # torch.optim.Adam's arithmetic, with √(bias correction of v) moved out of the denominator
    root_correction = (1 - b2 ** state.step) ** 0.5
    denom = state.second.sqrt().add_(EPS * root_correction)
    params.addcdiv_(lr * state.first, denom, value=-root_correction / (1 - b1 ** state.step))


def rmsprop(params, grad, state: FlatState, lr: torch.Tensor, betas: tuple[float, float]) -> None:
    alpha = betas[1]  # torch's RMSprop default α=0.99; ours reads β2 so one knob serves both
    state.second.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    params.addcdiv_(lr * grad, state.second.sqrt().add_(EPS), value=-1)


def sgd(params, grad, state: FlatState, lr: torch.Tensor, betas: tuple[float, float]) -> None:
    params.addcmul_(lr, grad, value=-1)


Update = Callable[[torch.Tensor, torch.Tensor, FlatState, torch.Tensor, tuple[float, float]], None]
OPTIMIZERS: Mapping[str, Update] = MappingProxyType({"adam": adam, "rmsprop": rmsprop, "sgd": sgd})
