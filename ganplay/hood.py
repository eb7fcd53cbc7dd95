"""Under the hood: the players' gradient norms and D's largest singular values, step by step.

Reading them costs about a fifth of a step (the singular values are SVDs), so the game never records them: a
Trace replays the run's config privately, when a visitor asks, and reads them after every generator step
(training is deterministic, so the replay is the run). The singular values are read every `sigma_every`-th
step only, the axis says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .config import RunConfig
from .datasets import Dataset
from .runs import Run, Trainer

MAX_SIGMA_READINGS = 250  # per trace: an SVD per layer each, the dear part of a reading


def grad_norm(run: Run, net: str) -> float:
    """‖∇θ‖ over every weight and bias of net ("g" or "d") in its last update: G's loss for G; D's loss with
    its penalties for D (its last critic step's). 0 for an MMD run's D, which never trains."""
    grads = run.game.engine.layers(net, run._r, gradient=True)
    return float(torch.linalg.vector_norm(torch.cat([g.flatten() for pair in grads for g in pair])))


def layer_sigmas(run: Run) -> np.ndarray:
    """σ_max of each of D's weight matrices as D applies them: W's own, or, under spectral normalisation, that of
    W / σ̂ with σ̂ the power iteration's estimate (≈ 1 once it has converged). NaN before the first step there."""
    engine = run.game.engine
    sigmas = np.array([float(torch.linalg.matrix_norm(w.detach(), ord=2)) for w, _ in engine.layers("d", run._r)])
    spectral = getattr(engine, "spectral", None)  # both engines' nets.SpectralNorm (tests/test_hood.py)
    if spectral is None:
        return sigmas
    if not spectral.factors:
        return np.full_like(sigmas, np.nan)
    return sigmas / np.array([float(sigma[run._r]) for _, _, sigma in spectral.factors])


@dataclass(frozen=True, eq=False)
class Readings:
    """A trace's tables: gradient norms per step (step, g_grad, d_grad), σ per layer (step, layer, sigma)."""

    norms: pd.DataFrame
    sigmas: pd.DataFrame
    sigma_every: int
    spectral_norm: bool
    trains_critic: bool


class Trace:
    """The gauges of cfg's run at each generator step, read on a private replay of it."""

    def __init__(self, config: RunConfig, data: Dataset | None = None):
        self.config, self.run = config, Trainer(config, data)
        self.sigma_every = max(1, math.ceil(config.steps / MAX_SIGMA_READINGS))
        self._norms: list[tuple[int, float, float]] = []
        self._sigmas: list[tuple[int, int, float]] = []

    @property
    def step(self) -> int:
        return self.run.step_count

    def follow(self, step: int, budget: int) -> bool:
        """Replay towards `step`, at most `budget` generator steps now; whether the trace has reached it."""
        for _ in range(min(budget, max(step - self.step, 0))):
            if self.run.finished:
                break
            self.run.step(1)
            if self.run.diverged_at is not None:  # frozen at an earlier step: its last gradients are not its own
                break
            self._read()
        return self.step >= step or self.run.finished

    def _read(self) -> None:
        step = self.step
        self._norms.append((step, grad_norm(self.run, "g"), grad_norm(self.run, "d")))
        if step % self.sigma_every == 0 or step == 1:
            self._sigmas += [(step, k + 1, s) for k, s in enumerate(layer_sigmas(self.run))]

    def readings(self, upto: int | None = None) -> Readings:
        """The tables to step `upto` (default: all recorded)."""
        norms = pd.DataFrame(self._norms, columns=["step", "g_grad", "d_grad"])
        sigmas = pd.DataFrame(self._sigmas, columns=["step", "layer", "sigma"])
        if upto is not None:
            norms, sigmas = norms[norms.step <= upto], sigmas[sigmas.step <= upto]
        spec = self.config.variant_spec
        return Readings(norms, sigmas, self.sigma_every, self.config.spectral_norm, spec.trains_critic)
