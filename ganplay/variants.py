"""GAN variants as data.

Every loss of the lecture has the form

    D minimises  E_real φ_real(D(x)) + E_fake φ_fake(D(G(z)))
    G minimises  E_fake ψ(D(G(z)))

with D returning a logit (or a critic value). A variant is the three elementwise terms φ_real,
φ_fake, ψ plus its options (penalty, weight clipping, default optimiser). Each term carries its
value and its slope, so the trainer can back-propagate by hand without asking autograd.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import torch
import torch.nn.functional as F

from .mmd import KernelCritic

Elementwise = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Term:
    """An elementwise loss term t(x) of a logit x, with its derivative t'(x)."""

    latex: str  # "@" stands for the term's argument
    value: Elementwise
    slope: Elementwise


# -log D = -log sigmoid(x) = softplus(-x): stable for large |x| (the logits form).
MINUS_LOG_D = Term(r"-\log D(@)", lambda x: F.softplus(-x), lambda x: torch.sigmoid(x) - 1)
# -log(1 - D) = softplus(x)
MINUS_LOG_ONE_MINUS_D = Term(r"-\log(1-D(@))", F.softplus, torch.sigmoid)
# log(1 - D) = -softplus(x): the minimax generator term, which saturates when D wins.
LOG_ONE_MINUS_D = Term(r"\log(1-D(@))", lambda x: -F.softplus(x), lambda x: -torch.sigmoid(x))
CRITIC = Term("f(@)", lambda x: x, torch.ones_like)
MINUS_CRITIC = Term("-f(@)", lambda x: -x, lambda x: -torch.ones_like(x))
HINGE_REAL = Term(r"\max(0, 1-f(@))", lambda x: F.relu(1 - x), lambda x: -(x < 1).to(x.dtype))
HINGE_FAKE = Term(r"\max(0, 1+f(@))", lambda x: F.relu(1 + x), lambda x: (x > -1).to(x.dtype))
NO_TERM = Term("0", torch.zeros_like, torch.zeros_like)  # a variant without a trained D: it never moves


def half_square_to(target: float) -> Term:
    """½(x − target)²: the least-squares term of LSGAN."""
    return Term(
        rf"\tfrac12(D(@) - ({target:g}))^2",
        lambda x: 0.5 * (x - target) ** 2,
        lambda x: x - target,
    )


@dataclass(frozen=True)
class Variant:
    name: str
    title: str
    description: str
    d_real: Term
    d_fake: Term
    g_fake: Term
    is_wasserstein: bool = False
    gradient_penalty: bool = False
    clip_weights: bool = False
    # Settings the paper uses; RunConfig takes them when the user leaves a field unset.
    defaults: Mapping[str, object] = field(default_factory=dict)
    # Its line and bars in side-by-side charts: neither green nor purple, which mean real and generated.
    colour: str = "#495057"
    # A critic in closed form instead of a trained D (MMD's witness): G's loss is its value on the batch, and
    # the heatmap draws it where D's verdict is drawn for the others. The terms are then all NO_TERM.
    closed_critic: KernelCritic | None = None
    unrolled: bool = False  # G's loss through RunConfig.unroll look-ahead steps of D (ganplay/unrolled.py)
    remedy: str = ""  # for a remedy against mode collapse: in one line, why it helps

    @property
    def trains_critic(self) -> bool:
        return self.closed_critic is None

    @property
    def raw_critic(self) -> bool:
        """Its critic's values are shown as they are (a Wasserstein critic, a witness), not as σ(logit)."""
        return self.is_wasserstein or not self.trains_critic

    @property
    def d_loss_latex(self) -> str:
        if self.closed_critic is not None:
            return self.closed_critic.critic_latex
        real, fake = self.d_real.latex.replace("@", "x"), self.d_fake.latex.replace("@", "G(z)")
        return rf"\begin{{aligned}}L_D = &\,\mathbb{{E}}_x[{real}] \\ &+ \mathbb{{E}}_z[{fake}]\end{{aligned}}"

    @property
    def g_loss_latex(self) -> str:
        if self.closed_critic is not None:
            return self.closed_critic.loss_latex
        term = self.g_fake.latex.replace("@", "G(z)")
        if self.unrolled:  # against D_K, D after K look-ahead steps
            term = term.replace("D(", "D_K(").replace("f(", "f_K(")
        return rf"L_G = \mathbb{{E}}_z[{term}]"


_ADAM = {"optimizer": "adam", "lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.5, "beta2": 0.999, "d_steps": 1}

VARIANTS: Mapping[str, Variant] = MappingProxyType({v.name: v for v in (
    Variant(
        "gan", "Minimax GAN",
        "Goodfellow et al. (2014): G minimises E log(1 − D(G(z))). Its gradient vanishes when D "
        "confidently rejects the fakes, which is why it stalls early in training.",
        MINUS_LOG_D, MINUS_LOG_ONE_MINUS_D, LOG_ONE_MINUS_D, defaults=_ADAM, colour="#1c7ed6"),
    Variant(
        "nsgan", "Non-saturating GAN",
        "The same game, but G maximises log D(G(z)) instead: strong gradients exactly when G is bad.",
        MINUS_LOG_D, MINUS_LOG_ONE_MINUS_D, MINUS_LOG_D, defaults=_ADAM, colour="#e8590c"),
    Variant(
        "wgan", "WGAN (weight clipping)",
        "Arjovsky et al. (2017): a critic f estimates the Wasserstein-1 distance; clipping its "
        "weights to [−c, c] keeps it (roughly) Lipschitz. Stable, but slow.",
        MINUS_CRITIC, CRITIC, MINUS_CRITIC, is_wasserstein=True, clip_weights=True,
        defaults={"optimizer": "rmsprop", "lr_g": 5e-4, "lr_d": 5e-4, "beta1": 0.5, "beta2": 0.99, "d_steps": 5},
        colour="#f59f00"),
    Variant(
        "wgan-gp", "WGAN-GP",
        "Gulrajani et al. (2017): instead of clipping, penalise λ·(‖∇f(x̂)‖ − 1)² on random "
        "interpolates between real and fake points.",
        MINUS_CRITIC, CRITIC, MINUS_CRITIC, is_wasserstein=True, gradient_penalty=True,
        defaults={"optimizer": "adam", "lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.0, "beta2": 0.9, "d_steps": 5},
        colour="#c92a2a"),
    Variant(
        "lsgan", "LSGAN",
        "Mao et al. (2017): least squares with targets a=0 (fake), b=1 (real), c=1 (generator); "
        "the loss keeps pulling fakes that are already on the right side of the boundary.",
        half_square_to(1), half_square_to(0), half_square_to(1), defaults=_ADAM, colour="#0b7285"),
    Variant(
        "lsgan-chi2", "LSGAN (Pearson χ²)",
        "LSGAN with a=−1, b=1, c=0: the choice for which G minimises the Pearson χ² divergence.",
        half_square_to(1), half_square_to(-1), half_square_to(0),
        # at 1e-3 it drifts off the data after fitting it
        defaults={**_ADAM, "lr_g": 5e-4, "lr_d": 5e-4}, colour="#868e96"),
    Variant(
        "hinge", "Hinge GAN",
        "The hinge loss of SAGAN/BigGAN: D maximises a margin, G raises the critic value.",
        HINGE_REAL, HINGE_FAKE, MINUS_CRITIC, defaults=_ADAM, colour="#212529"),
    Variant(
        "mmd", "MMD (moment matching)",
        "Li et al. (2015), Dziugaite et al. (2015): no D is trained. G minimises the squared maximum mean "
        "discrepancy between its batch and the data's under a mixture of Gaussian kernels: the sup of "
        "E f(x) − E f(G(z)) over the unit ball of the kernel's RKHS, in closed form. The heatmap shows that "
        "optimal critic, the witness function.",
        NO_TERM, NO_TERM, NO_TERM, closed_critic=KernelCritic(), defaults=_ADAM, colour="#d6336c"),
    Variant(
        "unrolled", "Unrolled GAN",
        "Metz et al. (2017): the non-saturating GAN, but G's loss is taken against D_K, D after K more of its "
        "updates (the look-ahead, differentiated through), so G answers the critic D is about to become. "
        "K = 0 is the plain GAN; the paper's ring of 8 used K = 10.",
        MINUS_LOG_D, MINUS_LOG_ONE_MINUS_D, MINUS_LOG_D, unrolled=True, defaults=_ADAM, colour="#8f5b2e",
        remedy="G is scored against the critic D will be after K more steps, so collapsing onto the mode D "
               "guards least no longer pays: D's answer is already in G's gradient."),
)})
