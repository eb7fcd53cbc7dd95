"""Flow-GAN (Grover et al. 2018): a normalizing-flow generator, so that p_g(x) is exact.

The generator is a RealNVP stack of affine coupling layers over a standard-normal base; its
log-likelihood follows from the change of variables,

    log p_g(x) = log p_z(f⁻¹(x)) + log |det ∂f⁻¹(x)/∂x|,

and it is trained on the hybrid objective  V_G − λ E_data log p_g(x):  λ = 0 is a pure GAN,
large λ is maximum likelihood. The adversarial part reads the variant's loss terms, so any
registered variant can drive a flow.

Also here: the small torch pieces every lesson's GAN shares (seeding, an MLP, the variant's losses).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn
from torch.distributions import Independent, Normal

from .datasets import load_dataset
from .metrics import mode_report_from
from .variants import VARIANTS, Variant

Progress = Callable[[float], None]
LOG_SCALE_BOUND = 2.0  # each coupling scales by at most e²: large enough to fit, small enough never to overflow


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
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.LeakyReLU(0.2)]
    return nn.Sequential(*layers[:-1])


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

    def g_loss(self, critic: nn.Module, flow: Flow, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        adversarial = g_loss(VARIANTS[self.variant], critic(fake))
        if self.mle_weight == 0:  # a pure GAN never needs the likelihood: skip the inverse pass
            return adversarial
        return adversarial - self.mle_weight * flow.log_prob(real).mean()


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

    dataset must be a mixture with known modes (ring8, grid25, blobs) for the sample-quality score.
    """
    variant, data = VARIANTS[loss.variant], load_dataset(dataset, n, seed, noise)
    x = torch.from_numpy(data.x)
    train, test = x[: n // 2], x[n // 2:]
    with seeded(seed):
        flow, critic = Flow(data.dim), mlp(data.dim, 64, 64, 1)
        g_opt, d_opt = Optimiser(flow, steps), Optimiser(critic, steps)
        for step in range(steps):
            real = train[torch.randint(len(train), (batch,))]
            fake = flow.sample(batch)
            d_opt.step(d_loss(variant, critic(real), critic(fake.detach())))
            g_opt.step(loss.g_loss(critic, flow, fake, real))
            report(progress, step, steps)
        with torch.no_grad():
            samples, test_ll = flow.sample(len(test)), flow.log_prob(test).mean()
    quality = mode_report_from(samples.numpy(), data).high_quality_share
    return FlowGanResult(loss, test.numpy(), samples.numpy(), float(test_ll), quality)
