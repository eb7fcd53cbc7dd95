"""Flow-GAN (Grover et al. 2018): a normalizing-flow generator, so that p_g(x) is exact.

The generator is a RealNVP stack of affine coupling layers over a standard-normal base; its
log-likelihood follows from the change of variables,

    log p_g(x) = log p_z(f⁻¹(x)) + log |det ∂f⁻¹(x)/∂x|,

and it is trained on the hybrid objective  V_G − λ E_data log p_g(x):  λ = 0 is a pure GAN,
large λ is maximum likelihood. It plays the Playground's game (game.py) on the autograd engine, the flow
as G and the likelihood as an extra generator term, so any registered variant can drive a flow.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.distributions import Independent, Normal

from .datasets import load_dataset
from .game import generator
from .lesson_training import Progress, lesson_game, mlp, play, variant_named
from .metrics import mode_report_from

LOG_SCALE_BOUND = 2.0  # each coupling scales by at most e²: large enough to fit, small enough never to overflow


class AffineCoupling(nn.Module):
    """RealNVP's coupling: the masked half passes through and sets scale and shift of the other half."""

    def __init__(self, mask: torch.Tensor, hidden: int):
        super().__init__()
        self.register_buffer("mask", mask)
        dim = mask.numel()
        self.net = mlp(dim, hidden, hidden, 2 * dim)
        # Start at the identity (as Glow does): the untrained flow is the base N(0, I).
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def _scale_shift(self, kept: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self.net(kept).chunk(2, dim=1)
        free = 1 - self.mask
        return LOG_SCALE_BOUND * torch.tanh(log_scale) * free, shift * free

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x = f(z) and log |det ∂f/∂z| per row."""
        log_scale, shift = self._scale_shift(z * self.mask)
        return z * torch.exp(log_scale) + shift, log_scale.sum(dim=1)

    def inverse(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z = f⁻¹(x) and log |det ∂f⁻¹/∂x| per row."""
        log_scale, shift = self._scale_shift(x * self.mask)
        return (x - shift) * torch.exp(-log_scale), -log_scale.sum(dim=1)


class Flow(nn.Module):
    """G(z) = f_L ∘ … ∘ f_1(z), z ~ N(0, I), with masks alternating between the coordinates."""

    def __init__(self, dim: int = 2, layers: int = 6, hidden: int = 64):
        super().__init__()
        masks = [(torch.arange(dim) % 2 == k % 2).float() for k in range(layers)]
        self.couplings = nn.ModuleList(AffineCoupling(m, hidden) for m in masks)
        self.register_buffer("zeros", torch.zeros(dim))

    @property
    def base(self) -> Independent:
        return Independent(Normal(self.zeros, torch.ones_like(self.zeros)), 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        for coupling in self.couplings:
            z, _ = coupling(z)
        return z

    def inverse(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z = f⁻¹(x) and log |det ∂f⁻¹/∂x| per row."""
        log_det = x.new_zeros(x.shape[0])
        for coupling in reversed(self.couplings):
            x, step_log_det = coupling.inverse(x)
            log_det = log_det + step_log_det
        return x, log_det

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log p_g(x) by the change of variables."""
        z, log_det = self.inverse(x)
        return self.base.log_prob(z) + log_det

    def sample(self, n: int) -> torch.Tensor:
        return self(self.base.sample((n,)))


@dataclass(frozen=True)
class HybridLoss:
    """Flow-GAN's generator objective: the variant's V_G minus λ times the data log-likelihood."""

    variant: str = "nsgan"
    mle_weight: float = 0.0  # λ

    def __post_init__(self):
        variant_named(self.variant)
        if not self.mle_weight >= 0:
            raise ValueError(f"λ must be ≥ 0, got {self.mle_weight}")

    def likelihood_term(self, flow: Flow, real: torch.Tensor) -> torch.Tensor:
        """−λ E_data log p_g(x): the game adds it to the variant's V_G."""
        return -self.mle_weight * flow.log_prob(real).mean()


@dataclass(frozen=True)
class FlowGanResult:
    """Held-out data, the flow's samples, its mean held-out log-likelihood (nats per point) and the
    share of its samples within 3σ of a mode (the VEEGAN "high quality" samples)."""

    loss: HybridLoss
    test: np.ndarray
    samples: np.ndarray
    test_log_likelihood: float
    high_quality_share: float


def train_flow_gan(loss: HybridLoss = HybridLoss(), dataset: str = "ring8", noise: float = 0.1,
                   steps: int = 500, batch: int = 256, n: int = 4000, seed: int = 0,
                   progress: Progress | None = None) -> FlowGanResult:
    """Train a flow generator on the hybrid loss, one D step per G step; evaluate on a held-out half.

    dataset must be a mixture with known modes (ring8, grid25, blobs) for the sample-quality score. The
    game trains on standardised data; samples and likelihoods are read back in data units.
    """
    data = load_dataset(dataset, n, seed, noise)
    half = n // 2
    train = dataclasses.replace(data, x=data.x[:half], y=None if data.y is None else data.y[:half])
    # the flow works in the game's units; a pure GAN never needs the likelihood: no term, no inverse pass
    game = lesson_game(loss.variant, train, lambda: Flow(data.dim), data.dim, steps, batch, seed,
                       g_term=loss.likelihood_term if loss.mle_weight else None)
    flow, units, test = play(game, progress), game.standardiser, data.x[half:]
    with torch.no_grad():
        z = torch.randn((len(test), data.dim), generator=generator(seed, "sample"))
        samples = units.to_data(flow(z))
        # the density of x = mean + scale · x': log p(x) = log p'(x') − Σ log scale
        test_ll = flow.log_prob(units.to_model(test)).mean().item() - float(np.log(units.scale).sum())
    quality = mode_report_from(samples, data).high_quality_share
    return FlowGanResult(loss, test, samples, test_ll, quality)
