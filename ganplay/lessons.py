"""The lecture's side lessons, made runnable: gradient estimators, Gumbel-softmax, the optimal D.

Every function is pure and seeded (torch's global generator is forked, never disturbed) and returns
numpy inside frozen dataclasses, so a page can cache and chart it. The GANs among them play the
Playground's game (lesson_training.lesson_game), each with its own generator module. The fourth lesson,
Flow-GAN, lives in flow.py beside the flow generator it needs.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.distributions import Bernoulli, Distribution, Normal, RelaxedBernoulli, RelaxedOneHotCategorical

from .game import Standardiser
from .lesson_training import InModelUnits, Progress, data_of, lesson_game, mlp, play, seeded
from .runs import Run
from .variants import VARIANTS

DATA_ROWS = 50_000  # the samples a lesson's game draws its real batches from

# ------------------------------------------------------------------ 1. stochastic backpropagation

Cost = Callable[[torch.Tensor], torch.Tensor]
TARGET = 3.0  # the lecture's example minimises E|X − 3|


@dataclass(frozen=True)
class Estimator:
    """A surrogate whose autograd gradient is an unbiased estimate of ∇_θ E_{p_θ} f(X), one per sample.

    per_sample_variance(d) is the exact variance of one sample's estimate for the lesson's cost
    f(x) = |x − target| under N(μ, 1), with d = μ − target.
    """

    name: str
    title: str
    latex: str
    surrogate: Callable[[Distribution, Cost], torch.Tensor]
    per_sample_variance: Callable[[float], float]


def absolute_error(target: float) -> Cost:
    return lambda x: (x - target).abs()


def _pathwise(dist: Distribution, f: Cost) -> torch.Tensor:
    return f(dist.rsample())  # X = μ + ε: the gradient flows through the sample itself


def _score_function(dist: Distribution, f: Cost) -> torch.Tensor:
    x = dist.sample()  # no gradient through X: only through log p_θ(X)
    return f(x) * dist.log_prob(x)


def exact_gradient(mu: float, target: float = TARGET) -> float:
    """d/dμ E|X − target| for X ~ N(μ, 1): E sign(X − target) = erf((μ − target)/√2)."""
    return math.erf((mu - target) / math.sqrt(2))


ESTIMATORS: Mapping[str, Estimator] = MappingProxyType({e.name: e for e in (
    Estimator("pathwise", "Pathwise (reparameterisation)",
              r"\nabla_\mu \mathbb{E}\,|X-3| = \mathbb{E}_{\varepsilon\sim N(0,1)}"
              r"\big[\nabla_\mu |\mu+\varepsilon-3|\big]",
              _pathwise, lambda d: 1 - math.erf(d / math.sqrt(2)) ** 2),
    # E[(y + d)² y²] = 3 + d² for y ~ N(0, 1): the noise grows with the distance to the optimum.
    Estimator("score", "Score function (REINFORCE)",
              r"\nabla_\mu \mathbb{E}\,|X-3| = \mathbb{E}_{X\sim N(\mu,1)}"
              r"\big[|X-3|\,\nabla_\mu \log N(X;\mu,1)\big]",
              _score_function, lambda d: 3 + d * d - math.erf(d / math.sqrt(2)) ** 2),
)})


def _check_estimator(estimator: str) -> Estimator:
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator: unknown {estimator!r}; choose one of {', '.join(ESTIMATORS)}")
    return ESTIMATORS[estimator]


def _check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def estimator_variance(estimator: str, mu: float, n_samples: int, target: float = TARGET) -> float:
    """Exact variance of the n-sample estimate at μ."""
    _check_positive("n_samples", n_samples)
    return _check_estimator(estimator).per_sample_variance(mu - target) / n_samples


def gradient_estimates(estimator: str, mu: float, n_samples: int, repeats: int = 2000,
                       target: float = TARGET, seed: int = 0) -> np.ndarray:
    """`repeats` independent estimates of d/dμ E|X − target|, each the mean over n_samples draws."""
    rule = _check_estimator(estimator)
    _check_positive("n_samples", n_samples)
    with seeded(seed):
        loc = torch.full((repeats, 1), float(mu), requires_grad=True)
        dist = Normal(loc.expand(repeats, n_samples), 1.0)
        surrogate = rule.surrogate(dist, absolute_error(target)).mean(dim=1).sum()
        (grad,) = torch.autograd.grad(surrogate, loc)  # rows are independent: row r's gradient is estimate r
    return grad[:, 0].numpy().astype(np.float64)


def minimise_expected_cost(estimator: str, mu0: float = 0.0, n_samples: int = 16, steps: int = 300,
                           lr: float = 0.05, target: float = TARGET, seed: int = 0) -> np.ndarray:
    """The lecture's example: μ* = argmin E|X − 3|, X ~ N(μ, 1), by Adam; μ at every iteration (steps + 1,)."""
    rule = _check_estimator(estimator)
    _check_positive("n_samples", n_samples)
    with seeded(seed):
        mu = torch.tensor(float(mu0), requires_grad=True)
        adam = torch.optim.Adam([mu], lr=lr)
        path = [float(mu0)]
        for _ in range(steps):
            adam.zero_grad()
            rule.surrogate(Normal(mu.expand(n_samples), 1.0), absolute_error(target)).mean().backward()
            adam.step()
            path.append(mu.item())
    return np.array(path)


# ------------------------------------------------------------------ 2. Gumbel-softmax / Concrete

def _check_probs(probs: Sequence[float]) -> torch.Tensor:
    probs = torch.as_tensor(probs, dtype=torch.float64)
    if probs.ndim != 1 or len(probs) < 2 or (probs < 0).any() or not probs.sum() > 0:
        raise ValueError(f"probs: need at least two non-negative weights with a positive sum, got {probs.tolist()}")
    return probs / probs.sum()


def relaxed_categorical(probs: Sequence[float], temperature: float, n: int, seed: int = 0) -> np.ndarray:
    """n draws (n, k) of RelaxedOneHotCategorical(λ, probs): points of the simplex, one-hot as λ → 0."""
    probs = _check_probs(probs)
    _check_positive("temperature λ", temperature)
    with seeded(seed):
        t = torch.tensor(float(temperature), dtype=torch.float64)
        return RelaxedOneHotCategorical(t, probs=probs).sample((n,)).numpy()


def relaxed_bernoulli(p: float, temperature: float, n: int, seed: int = 0) -> np.ndarray:
    """n draws (n,) of RelaxedBernoulli(λ, p): values in (0, 1) that pile up at 0 and 1 as λ → 0."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    _check_positive("temperature λ", temperature)
    with seeded(seed):
        t = torch.tensor(float(temperature), dtype=torch.float64)
        return RelaxedBernoulli(t, probs=torch.tensor(float(p), dtype=torch.float64)).sample((n,)).numpy()


def distance_to_one_hot(samples: np.ndarray) -> float:
    """Mean of 1 − (largest coordinate) over the rows: 0 exactly when every sample is one-hot."""
    return float(np.mean(1 - np.max(samples, axis=1)))


@dataclass(frozen=True)
class Patterns:
    """A distribution over binary vectors, given by its patterns ("0110") and their probabilities."""

    patterns: tuple[str, ...]
    probs: tuple[float, ...]

    @property
    def bits(self) -> int:
        return len(self.patterns[0])

    def sample(self, n: int) -> torch.Tensor:
        """n rows of 0/1 floats, from torch's global generator."""
        rows = torch.multinomial(torch.tensor(self.probs), n, replacement=True)
        return _bit_table(self.patterns)[rows]


def _bit_table(patterns: Sequence[str]) -> torch.Tensor:
    """("01", "11") -> [[0., 1.], [1., 1.]]"""
    return torch.tensor([[float(b) for b in p] for p in patterns])


# Bits 1-2 and bits 3-4 always agree, and the pairs are correlated: no independent Bernoulli fits this.
CORRELATED_BITS = Patterns(("0000", "1100", "0011", "1111"), (0.4, 0.25, 0.2, 0.15))


@dataclass(frozen=True)
class PatternFit:
    """Frequencies of every binary pattern under the data and under the trained generator."""

    patterns: tuple[str, ...]
    true: np.ndarray
    learned: np.ndarray

    @property
    def total_variation(self) -> float:
        return float(0.5 * np.abs(self.true - self.learned).sum())


def _all_patterns(bits: int) -> tuple[str, ...]:
    return tuple("".join(p) for p in itertools.product("01", repeat=bits))


def pattern_probabilities(eta: torch.Tensor) -> np.ndarray:
    """P(X = x) for every pattern x, X_k ~ Bernoulli(η_k) given z, averaged over the rows (z's) of η."""
    table = _bit_table(_all_patterns(eta.shape[1]))
    log_p = Bernoulli(probs=eta.unsqueeze(1)).log_prob(table).sum(dim=2)  # (z, pattern)
    return log_p.exp().mean(dim=0).numpy().astype(np.float64)


def relaxed_bits(logits: torch.Tensor, uniforms: torch.Tensor, temperature: float) -> torch.Tensor:
    """RelaxedBernoulli(λ, logits) drawn from given uniforms: σ((logits + log u − log(1 − u)) / λ), which is
    torch's rsample with its torch.rand made an input (vmap, which runs the game's stack, has no randomness)."""
    tiny = torch.finfo(uniforms.dtype).eps
    u = uniforms.clamp(tiny, 1 - tiny)
    return torch.sigmoid((logits + torch.log(u) - torch.log1p(-u)) / temperature)


class RelaxedBitsGenerator(nn.Module):
    """The lecture's toy G: z -> η = σ(g(z)), and a relaxed draw of X_k ~ Bernoulli(η_k). Its latent rows carry
    z (z_dim columns) then one N(0, 1) column per bit, made uniform through Φ for the draw."""

    def __init__(self, z_dim: int, bits: int, temperature: float):
        super().__init__()
        self.z_dim, self.temperature = z_dim, temperature
        self.logits = mlp(z_dim, 64, 64, bits)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        z, noise = latent[:, :self.z_dim], latent[:, self.z_dim:]
        return relaxed_bits(self.logits(z), torch.special.ndtr(noise), self.temperature)


def train_bernoulli_gan(temperature: float = 0.5, patterns: Patterns = CORRELATED_BITS, variant: str = "nsgan",
                        steps: int = 600, batch: int = 256, z_dim: int = 4, seed: int = 0,
                        progress: Progress | None = None, n: int = 20_000) -> PatternFit:
    """The lecture's toy on the game: η = sigmoid(g(z)), X_k ~ Bernoulli(η_k), trained through RelaxedBernoulli(λ, η)
    on n draws of the patterns. The bits keep their 0/1 units (standardised, the game fits worse: TV 0.35 against
    0.19 on average over seeds 0-3, measured)."""
    _check_positive("temperature λ", temperature)
    bits = patterns.bits
    with seeded(seed):
        data = data_of(patterns.sample(n).numpy())
    game = lesson_game(variant, data, lambda: RelaxedBitsGenerator(z_dim, bits, temperature), z_dim + bits, steps,
                       batch, seed, standardise=False)
    g = play(game, progress)
    with torch.no_grad(), seeded(seed):
        learned = pattern_probabilities(torch.sigmoid(g.logits(torch.randn(4096, z_dim))))
    true = dict(zip(patterns.patterns, patterns.probs))
    names = _all_patterns(bits)
    return PatternFit(names, np.array([true.get(p, 0.0) for p in names]), learned)


# ------------------------------------------------------------------ 3. the optimal discriminator and the JSD

@dataclass(frozen=True)
class Mixture1D:
    """A 1-D Gaussian mixture: exact log-density for the theory, samples for training D."""

    means: tuple[float, ...]
    stds: tuple[float, ...]
    weights: tuple[float, ...]

    @classmethod
    def gaussian(cls, mean: float, std: float) -> "Mixture1D":
        _check_positive("std", std)
        return cls((float(mean),), (float(std),), (1.0,))

    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        m, s, w = (np.asarray(a)[:, None] for a in (self.means, self.stds, self.weights))
        log_components = np.log(w) - 0.5 * ((x - m) / s) ** 2 - np.log(s * math.sqrt(2 * math.pi))
        return np.logaddexp.reduce(log_components, axis=0)

    def sample(self, n: int) -> torch.Tensor:
        """(n, 1) draws from torch's global generator."""
        k = torch.multinomial(torch.tensor(self.weights), n, replacement=True)
        return (torch.tensor(self.means)[k] + torch.tensor(self.stds)[k] * torch.randn(n)).unsqueeze(1)

    def span(self, stds: float = 6.0) -> tuple[float, float]:
        return (min(m - stds * s for m, s in zip(self.means, self.stds)),
                max(m + stds * s for m, s in zip(self.means, self.stds)))


P_DATA = Mixture1D((-1.5, 1.5), (0.5, 0.5), (0.5, 0.5))
GRID_POINTS = 4001  # trapezoid error ≪ 1e-4 nats for the slider's narrowest p_g


def grid(p_data: Mixture1D, p_g: Mixture1D) -> np.ndarray:
    """Where both densities live (±6σ of every component): the integrals below run over it."""
    (a, b), (c, d) = p_data.span(), p_g.span()
    return np.linspace(min(a, c), max(b, d), GRID_POINTS)


def jsd(p_data: Mixture1D, p_g: Mixture1D) -> float:
    """JSD(p‖q) = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2, in nats, by the trapezoid rule on the grid."""
    x = grid(p_data, p_g)
    log_p, log_q = p_data.log_pdf(x), p_g.log_pdf(x)
    log_m = np.logaddexp(log_p, log_q) - math.log(2)
    return float(0.5 * np.trapezoid(np.exp(log_p) * (log_p - log_m) + np.exp(log_q) * (log_q - log_m), x))


def value_function(critic_logits: np.ndarray, p_data: Mixture1D, p_g: Mixture1D) -> float:
    """V(D, G) = E_data log D(x) + E_g log(1 − D(x)) on the grid; D = sigmoid(logit), minus D's GAN loss."""
    x, rule = grid(p_data, p_g), VARIANTS["gan"]
    logits = torch.as_tensor(critic_logits, dtype=torch.float64)
    loss = np.exp(p_data.log_pdf(x)) * rule.d_real.value(logits).numpy() \
        + np.exp(p_g.log_pdf(x)) * rule.d_fake.value(logits).numpy()
    return float(-np.trapezoid(loss, x))


@dataclass(frozen=True)
class OptimalD:
    """The closed form on the grid x: both densities, D* = p_data/(p_data + p_g), V(D*, G) and the JSD."""

    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d_star: np.ndarray
    value: float
    jsd: float

    @property
    def value_from_jsd(self) -> float:
        """−log 4 + 2·JSD: the lecture's identity says it equals V(D*, G)."""
        return -math.log(4) + 2 * self.jsd


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * logits))  # the tanh form never overflows


def optimal_d(p_g: Mixture1D, p_data: Mixture1D = P_DATA) -> OptimalD:
    x = grid(p_data, p_g)
    log_p, log_q = p_data.log_pdf(x), p_g.log_pdf(x)
    logits = log_p - log_q  # the logit of D*: no 0/0 where both densities vanish
    return OptimalD(x, np.exp(log_p), np.exp(log_q), _sigmoid(logits), value_function(logits, p_data, p_g),
                    jsd(p_data, p_g))


def jsd_curve(shifts: np.ndarray, std: float, p_data: Mixture1D = P_DATA) -> np.ndarray:
    """JSD(p_data ‖ N(shift, std²)) for every shift: it saturates at log 2 once the supports separate."""
    return np.array([jsd(p_data, Mixture1D.gaussian(s, std)) for s in shifts])


@dataclass(frozen=True)
class TrainedD:
    """A discriminator trained on samples, on the grid of optimal_d, and the value function there."""

    d: np.ndarray
    value: float


class MixtureSampler(nn.Module):
    """A fixed p_g as a generator: z ~ N(0, I₂) picks the component whose share of [0, 1] holds Φ(z₀), and
    gives its mean + std · z₁. (Its parameters are the mixture's, trained at rate 0.)"""

    def __init__(self, mixture: Mixture1D):
        super().__init__()
        edges = torch.tensor([0.0, *itertools.accumulate(mixture.weights)]) / sum(mixture.weights)
        edges[0], edges[-1] = -math.inf, math.inf  # Φ rounds to 0 or 1 far out: those belong to the ends
        self.register_buffer("lower", edges[:-1])
        self.register_buffer("upper", edges[1:])
        self.means, self.stds = (nn.Parameter(torch.tensor(v)) for v in (mixture.means, mixture.stds))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        u = torch.special.ndtr(z[:, :1])
        pick = ((u >= self.lower) & (u < self.upper)).float()  # (B, components), one-hot
        return (pick * (self.means + self.stds * z[:, 1:2])).sum(dim=1, keepdim=True)


def train_discriminator(p_g: Mixture1D, p_data: Mixture1D = P_DATA, steps: int = 800, batch: int = 512,
                        seed: int = 0, progress: Progress | None = None) -> TrainedD:
    """Train D on the GAN loss with samples of p_data vs a fixed p_g (G at rate 0), as the lecture's inner
    loop does."""
    x = grid(p_data, p_g)
    with seeded(seed):
        data = data_of(p_data.sample(DATA_ROWS).numpy())
    units = Standardiser(data.x)
    game = lesson_game("gan", data, lambda: InModelUnits(MixtureSampler(p_g), units), 2, steps, batch, seed, lr_g=0.0)
    play(game, progress)
    logits = Run(game, 0).critic(x[:, None]).astype(np.float64)
    return TrainedD(_sigmoid(logits), value_function(logits, p_data, p_g))
