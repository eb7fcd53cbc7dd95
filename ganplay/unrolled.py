"""Unrolled GAN (Metz, Poole, Pfau & Sohl-Dickstein 2017, "Unrolled Generative Adversarial Networks").

G's loss is taken against D_K, the critic after K more of its own updates from where it stands: θ_D^{k+1} =
θ_D^k − η·step(∇θ L_D(θ_D^k, G(z))), differentiably, so G's gradient includes how D would answer its move
(K = 0 is the plain game). As in the authors' code the look-ahead steps are D's own optimiser, continuing its
state (Adam's moments, RMSprop's mean of squares), on the batch of the last critic step, and D itself then
goes on with its ordinary updates: only G sees the unrolled critic. The look-ahead loss is the variant's
adversarial one; penalties (WGAN-GP, R1) stay out of it.

The optimiser arithmetic is torch.optim's (tests/test_unrolled.py checks one step against it), written as
functions of tensors so that autograd follows them.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import torch

if TYPE_CHECKING:
    from .game import Game

EPS = 1e-8  # both engines' optimisers' ε
PerTensor = Sequence[torch.Tensor | float]  # per parameter tensor: a number, or one that broadcasts against it


@dataclass(frozen=True)
class Lookahead:
    """What a look-ahead needs of D: its parameters and optimiser state as tensors (the engine's own layout),
    D as a function of them, and the optimiser's settings broadcast per tensor."""

    params: Sequence[torch.Tensor]
    first: Sequence[torch.Tensor]  # Adam's m (zeros for the others)
    second: Sequence[torch.Tensor]  # Adam's v, RMSprop's running mean of squares (zeros for SGD)
    step: PerTensor  # updates D has taken
    lr: PerTensor
    bound: PerTensor  # weight clipping's c (inf: none)
    optimizer: str
    betas: tuple[float, float]
    apply: Callable[[Sequence[torch.Tensor], torch.Tensor], torch.Tensor]  # (params, D's inputs) -> D's outputs


def _root(v: torch.Tensor) -> torch.Tensor:
    """√v whose derivative at 0 is 0, not inf: a weight that has never had a gradient (a dead unit) would
    otherwise turn G's gradient into NaN (inf · 0)."""
    positive = v > 0
    return torch.where(positive, torch.where(positive, v, 1).sqrt(), 0)


def _adam(p, g, m, v, step, lr, betas):
    b1, b2 = betas
    m, v = m + (1 - b1) * (g - m), b2 * v + (1 - b2) * g * g
    correction1, root_correction2 = 1 - b1 ** step, (1 - b2 ** step) ** 0.5
    return p - lr / correction1 * m / (_root(v) / root_correction2 + EPS), m, v


def _rmsprop(p, g, m, v, step, lr, betas):
    v = betas[1] * v + (1 - betas[1]) * g * g  # torch's α, which both engines read from β2
    return p - lr * g / (_root(v) + EPS), m, v


def _sgd(p, g, m, v, step, lr, betas):
    return p - lr * g, m, v


UPDATES = {"adam": _adam, "rmsprop": _rmsprop, "sgd": _sgd}


def optimiser_step(state: Lookahead, grads: Sequence[torch.Tensor]) -> Lookahead:
    """One update of D as its optimiser makes it (then clipped), as a function autograd can follow."""
    update, updated = UPDATES[state.optimizer], []
    for p, g, m, v, step, lr, bound in zip(state.params, grads, state.first, state.second, state.step, state.lr,
                                           state.bound):
        step = step + 1
        p, m, v = update(p, g, m, v, step, lr, state.betas)
        if not (isinstance(bound, float) and math.isinf(bound)):
            p = torch.clamp(p, -bound, bound)
        updated.append((p, m, v, step))
    params, first, second, steps = zip(*updated)
    return dataclasses.replace(state, params=params, first=first, second=second, step=steps)


def unrolled_critic(state: Lookahead, d_loss: Callable[[Sequence[torch.Tensor]], torch.Tensor],
                    steps: int) -> Sequence[torch.Tensor]:
    """D's parameters after `steps` look-ahead updates on d_loss(params) -> (R,), differentiable in
    whatever d_loss depends on (the fakes)."""
    state = dataclasses.replace(state, params=[p.detach().requires_grad_() for p in state.params])
    for _ in range(steps):
        grads = torch.autograd.grad(d_loss(state.params).sum(), state.params, create_graph=True)
        state = optimiser_step(state, grads)
    return state.params


def generator_grads(game: "Game", real: torch.Tensor, fake: torch.Tensor, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """G's loss against the unrolled critic per run (R,), and its gradient with respect to the fakes
    (R, dim, B), through the look-ahead steps."""
    state = game.engine.lookahead()
    with torch.enable_grad():
        fake = fake.detach().requires_grad_()
        judged = game.with_labels(fake, labels)
        half = real.shape[2] // game.configs[0].pack

        def d_loss(params):
            logits = state.apply(params, game.pack(torch.cat([real, judged], dim=2)))
            return game._terms("d_real", logits[:, :, :half])[0] + game._terms("d_fake", logits[:, :, half:])[0]

        critic = unrolled_critic(state, d_loss, game.lookahead)
        values = game._terms("g_fake", state.apply(critic, game.pack(judged)))[0]
        (grad,) = torch.autograd.grad(values.sum(), fake)
    return values.detach(), grad
