"""Optimisers on flat parameter vectors, with one learning rate or one per element (so per run).

Written out because the stacked runs may need a different rate for each run, which torch.optim's
one-rate-per-group cannot express over a single tensor. Each is the textbook update in-place; a
rate given as a float (every run alike) takes torch's fused kernels where there is one.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import torch

EPS = 1e-8


Rate = float | torch.Tensor  # one rate for all, or one per element


@dataclass
class FlatState:
    step: int
    first: torch.Tensor   # Adam's m
    second: torch.Tensor  # Adam's v, RMSprop's running mean of squares
    step_tensor: torch.Tensor  # the step again, as the fused kernel reads it


def new_state(params: torch.Tensor) -> FlatState:
    return FlatState(0, torch.zeros_like(params), torch.zeros_like(params), torch.zeros(()))


def adam(params, grad, state: FlatState, lr: Rate, betas: tuple[float, float]) -> None:
    b1, b2 = betas
    state.step += 1
    if isinstance(lr, float):  # torch.optim.Adam(fused=True)'s kernel: one pass instead of seven
        state.step_tensor.fill_(state.step)
        torch._fused_adam_([params], [grad], [state.first], [state.second], [], [state.step_tensor], lr=lr,
                           beta1=b1, beta2=b2, weight_decay=0.0, eps=EPS, amsgrad=False, maximize=False)
        return
    state.first.lerp_(grad, 1 - b1)
    state.second.mul_(b2).addcmul_(grad, grad, value=1 - b2)
    # torch.optim.Adam's arithmetic, with √(bias correction of v) moved out of the denominator
    root_correction = (1 - b2 ** state.step) ** 0.5
    denom = state.second.sqrt().add_(EPS * root_correction)
    params.addcdiv_(lr * state.first, denom, value=-root_correction / (1 - b1 ** state.step))


def rmsprop(params, grad, state: FlatState, lr: Rate, betas: tuple[float, float]) -> None:
    alpha = betas[1]  # torch's RMSprop default α=0.99; ours reads β2 so one knob serves both
    state.second.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    params.addcdiv_(lr * grad, state.second.sqrt().add_(EPS), value=-1)


def sgd(params, grad, state: FlatState, lr: Rate, betas: tuple[float, float]) -> None:
    params.sub_(lr * grad)


Update = Callable[[torch.Tensor, torch.Tensor, FlatState, Rate, tuple[float, float]], None]
OPTIMIZERS: Mapping[str, Update] = MappingProxyType({"adam": adam, "rmsprop": rmsprop, "sgd": sgd})
