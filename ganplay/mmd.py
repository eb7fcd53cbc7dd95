"""Generative moment matching: a critic in closed form instead of a trained D.

The lecture: the supremum of E_P f − E_Q f over the unit ball of a reproducing kernel Hilbert space has an
explicit solution. It is the maximum mean discrepancy MMD(P, Q) = ‖μ_P − μ_Q‖_H (μ: the kernel mean embedding),
reached by the witness f* = (μ_P − μ_Q) / ‖μ_P − μ_Q‖_H, where μ_P(x) = E_P k(x, ·) (Gretton et al., "A kernel
two-sample test", JMLR 2012). G minimises the unbiased MMD² between its batch and the data's under a mixture of
Gaussian kernels (Li, Swersky & Zemel 2015, "Generative Moment Matching Networks"; Dziugaite, Roy & Ghahramani
2015), and no network is trained as the critic.

Samples are rows (R, n, d): R runs at once, as the game stacks them. Training happens on standardised data,
so the bandwidths are in units of the data's spread (times √(d/2) in KernelCritic: distances grow as √d).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

# Narrow kernels resolve the modes (ring8's have spread 0.035 standardised); wide ones pull fakes from afar.
BANDWIDTHS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


def _terms(a: torch.Tensor, b: torch.Tensor, bandwidths) -> tuple[torch.Tensor, torch.Tensor]:
    """exp(−γ_s ‖a_i − b_j‖²) per bandwidth, (S, R, n, m), and the γ_s = 1 / (2 s²), (S, 1, 1, 1)."""
    gamma = torch.tensor([1 / (2 * s * s) for s in bandwidths], dtype=a.dtype).view(-1, 1, 1, 1)
    # the expanded square keeps memory at n·m, not n·m·d (64-pixel rows); clamped against rounding below 0
    squared = ((a * a).sum(-1, keepdim=True) + (b * b).sum(-1).unsqueeze(-2) - 2 * a @ b.mT).clamp_min(0)
    # exponents below −30 (terms under 1e−13) are cut there: subnormal floats in exp and its backward cost 20×
    return torch.exp((squared * -gamma).clamp_min(-30)), gamma


def kernel(a: torch.Tensor, b: torch.Tensor, bandwidths=BANDWIDTHS) -> torch.Tensor:
    """Σ_s exp(−‖a_i − b_j‖² / (2 s²)) for rows a (R, n, d), b (R, m, d): (R, n, m)."""
    return _terms(a, b, bandwidths)[0].sum(0)


def _mean_off_diagonal(k: torch.Tensor) -> torch.Tensor:
    n = k.shape[-1]
    return (k.sum(dim=(-2, -1)) - torch.diagonal(k, dim1=-2, dim2=-1).sum(-1)) / (n * (n - 1))


def _unbiased(kaa: torch.Tensor, kbb: torch.Tensor, kab: torch.Tensor) -> torch.Tensor:
    if kaa.shape[-1] < 2 or kbb.shape[-1] < 2:
        raise ValueError("mmd: need at least 2 points in each sample for the unbiased estimate")
    return _mean_off_diagonal(kaa) + _mean_off_diagonal(kbb) - 2 * kab.mean(dim=(-2, -1))


def mmd2(a: torch.Tensor, b: torch.Tensor, bandwidths=BANDWIDTHS) -> torch.Tensor:
    """The unbiased MMD²_u between the rows of a (R, n, d) and of b (R, m, d), per run (R,): the U-statistic,
    0 in expectation for equal distributions (so it can be slightly negative); ganplay.metrics.mmd with one
    bandwidth is the same estimator."""
    return _unbiased(kernel(a, a, bandwidths), kernel(b, b, bandwidths), kernel(a, b, bandwidths))


def mmd2_and_grad(fake: torch.Tensor, real: torch.Tensor, bandwidths=BANDWIDTHS) -> tuple[torch.Tensor, torch.Tensor]:
    """mmd2(fake, real) and its gradient with respect to fake (R, m, d), written out: 1.6× autograd's speed.

    ∂k_s(y, u)/∂y = −2γ_s k_s(y, u)(y − u), so with W = Σ_s −2γ_s K_s the sum Σ_u W_ju (y_j − u) is
    rowsum(W)_j y_j − (W u)_j; the fakes' own term counts every pair twice."""
    (yy, gamma), (yx, _) = _terms(fake, fake, bandwidths), _terms(fake, real, bandwidths)
    value = _unbiased(kernel(real, real, bandwidths), yy.sum(0), yx.sum(0))
    pull = lambda w, u: w.sum(-1, keepdim=True) * fake - w @ u  # noqa: E731
    m, n = fake.shape[-2], real.shape[-2]
    grad = (2 / (m * (m - 1)) * pull((yy * (-2 * gamma)).sum(0), fake)
            - 2 / (m * n) * pull((yx * (-2 * gamma)).sum(0), real))
    return value, grad


def witness(points: torch.Tensor, real: torch.Tensor, fake: torch.Tensor, bandwidths=BANDWIDTHS) -> torch.Tensor:
    """The optimal critic of the RKHS unit ball at points (R, k, d): (μ_P − μ_Q)(x) / ‖μ_P − μ_Q‖_H with the
    embeddings of the samples real and fake (rows), (R, k). Positive where the data is denser than the fakes."""
    gap = kernel(points, real, bandwidths).mean(-1) - kernel(points, fake, bandwidths).mean(-1)
    norm2 = (kernel(real, real, bandwidths).mean(dim=(-2, -1)) + kernel(fake, fake, bandwidths).mean(dim=(-2, -1))
             - 2 * kernel(real, fake, bandwidths).mean(dim=(-2, -1)))  # the biased MMD²: ‖μ_P − μ_Q‖² exactly
    return gap / norm2.clamp_min(1e-12).sqrt().unsqueeze(-1)


@dataclass(frozen=True)
class KernelCritic:
    """The MMD's closed-form critic as a variant carries it: G's loss and the witness the heatmap draws.

    Both take the game's feature-major samples (R, features, B): D's inputs before packing (data rows, and
    the one-hot label for conditional runs, so the kernel compares labelled points)."""

    bandwidths: tuple[float, ...] = BANDWIDTHS
    critic_latex: str = (r"f^* = \frac{\mu_P - \mu_{G}}{\|\mu_P - \mu_{G}\|_{\mathcal H}},\ "
                         r"\mu_P(y) = \mathbb{E}_x\,k(x, y)")
    loss_latex: str = r"L_G = \widehat{\mathrm{MMD}}^2_u\big(\{x_i\}, \{G(z_j)\}\big)"

    def scaled(self, features: int) -> tuple[float, ...]:
        """The bandwidths for points of this many features: pairwise distances of standardised data grow as
        √features, and 64-pixel digits would otherwise sit where every kernel is 0."""
        return tuple(s * (features / 2) ** 0.5 for s in self.bandwidths) if features > 2 else self.bandwidths

    def loss_grads(self, fake: torch.Tensor, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """MMD²_u of the fakes against the real batch per run (R,), and its gradient with respect to fake."""
        values, grad = mmd2_and_grad(fake.mT, real.mT, self.scaled(fake.shape[1]))
        return values, grad.mT

    def witness(self, points: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """f* at points (R, features, k) from the samples real and fake: (R, 1, k), D's output layout."""
        return witness(points.mT, real.mT, fake.mT, self.scaled(points.shape[1])).unsqueeze(1)
