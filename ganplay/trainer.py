"""Training: one run, or several runs stacked along a leading axis and trained as one computation.

The loop is the lecture's alternating game: cfg.d_steps critic steps, then one generator step.
Runs whose configs differ only in variant, seed, learning rates or penalty weights share a stack;
the trainer never asks which variant it runs, it reads the variant's loss terms.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from . import nets, optim
from .config import RunConfig
from .datasets import Dataset, load_dataset

SNAPSHOT_POINTS = 600  # per frame: enough to see a distribution, few enough to redraw 4 times a second
# Settings a stack lets each run choose for itself; all others must agree.
PER_RUN_FIELDS = frozenset({"variant", "seed", "lr_g", "lr_d", "gp_weight", "r1_weight", "clip"})
_STREAMS = ("init", "data", "latent", "penalty", "fixed", "sample")
# Randomness for up to this many steps is drawn at once (one generator call per seed, not one per
# step), within a few MB per stream.
DRAW_AHEAD, DRAW_BUDGET = 64, 2 ** 20


def stack_key(cfg: RunConfig) -> tuple:
    """Configs with equal keys can be trained in one stack."""
    return tuple((f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg) if f.name not in PER_RUN_FIELDS)


def _generator(seed: int, stream: str) -> torch.Generator:
    """An independent random stream per purpose, so that drawing one never shifts another."""
    return torch.Generator().manual_seed(seed * len(_STREAMS) + _STREAMS.index(stream))


def _rates(rates: list[float], run_index: torch.Tensor) -> optim.Rate:
    """One float when every run has the same rate (the optimisers' fused path), else one per element."""
    return float(rates[0]) if len(set(rates)) == 1 else torch.tensor(rates)[run_index]


def _per_element(rate: optim.Rate, run_index: torch.Tensor) -> torch.Tensor:
    return rate if isinstance(rate, torch.Tensor) else torch.full((len(run_index),), rate)


@dataclass(frozen=True)
class Snapshot:
    """Everything one frame of the live view needs, as numpy."""

    step: int
    status: str
    diverged_at: int | None
    real: np.ndarray
    real_labels: np.ndarray | None
    fake: np.ndarray
    fake_labels: np.ndarray | None
    history: pd.DataFrame


class _Standardiser:
    """Training happens on standardised data; everything the caller sees is in data units."""

    def __init__(self, x: np.ndarray):
        self.mean = x.mean(axis=0)
        self.scale = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)

    def to_model(self, x) -> torch.Tensor:
        return torch.as_tensor((np.asarray(x, dtype=np.float64) - self.mean) / self.scale, dtype=torch.float32)

    def to_data(self, x: torch.Tensor) -> np.ndarray:
        return (x.numpy().astype(np.float64) * self.scale + self.mean).astype(np.float32)


class Stack:
    """R runs with one architecture and data, trained together; the engine behind Trainer."""

    def __init__(self, configs: Sequence[RunConfig], data: Dataset | None = None):
        first = configs[0]
        if any(stack_key(c) != stack_key(first) for c in configs):
            raise ValueError("configs in one stack may differ only in " + ", ".join(sorted(PER_RUN_FIELDS)))
        if data is None:
            if first.dataset == "csv":
                raise ValueError("dataset 'csv' needs the data: Trainer(cfg, data=ganplay.from_array(...))")
            data = load_dataset(first.dataset, first.n, first.data_seed, first.noise)
        if first.conditional and data.y is None:
            raise ValueError("conditional: this data has no label column")
        self.configs, self.data, self.runs = tuple(configs), data, len(configs)
        self.act = nets.ACTIVATIONS[first.activation]
        self.update = optim.OPTIMIZERS[first.optimizer]
        self.standardiser = _Standardiser(data.x)
        self.x = self.standardiser.to_model(data.x)
        self.classes = data.n_classes if first.conditional else 0
        self.onehot = torch.eye(self.classes)[torch.as_tensor(data.y)] if self.classes else None
        self.real_inputs = self.x if not self.classes else torch.cat([self.x, self.onehot], dim=1)
        self._setup_streams()
        self._setup_params()
        self._setup_losses()
        self.history = torch.full((3, self.runs, first.steps), float("nan"))
        self.done = 0
        self.diverged_at = [None] * self.runs

    # --- set-up ---------------------------------------------------------------------------

    def _setup_streams(self):
        seeds = [c.seed for c in self.configs]
        self.seeds = sorted(set(seeds))
        self.seed_of_run = torch.tensor([self.seeds.index(s) for s in seeds])
        self.one_run_per_seed = seeds == self.seeds
        self.drawn: dict[str, tuple[torch.Tensor, int]] = {}
        self.streams = {name: [_generator(s, name) for s in self.seeds] for name in ("data", "latent", "penalty")}

    def _setup_params(self):
        cfg, dim = self.configs[0], self.data.dim
        self.g_shape = nets.MLPShape((cfg.z_dim + self.classes, *[cfg.g_width] * cfg.g_depth, dim), self.runs)
        self.d_shape = nets.MLPShape(((dim + self.classes) * cfg.pack, *[cfg.d_width] * cfg.d_depth, 1), self.runs)
        init = [_generator(c.seed, "init") for c in self.configs]
        self.g = nets.init_params(self.g_shape, init)
        self.d = nets.init_params(self.d_shape, init)
        self.g_grad, self.d_grad = torch.zeros_like(self.g), torch.zeros_like(self.d)
        # Every update is in place, so these views stay valid for the life of the stack.
        self.g_views, self.g_grad_views = self.g_shape.views(self.g), self.g_shape.views(self.g_grad)
        self.d_views, self.d_grad_views = self.d_shape.views(self.d), self.d_shape.views(self.d_grad)
        self.g_state, self.d_state = optim.new_state(self.g), optim.new_state(self.d)
        self.g_runs, self.d_runs = self.g_shape.run_index(), self.d_shape.run_index()
        self.lr_g = _rates([c.lr_g for c in self.configs], self.g_runs)
        self.lr_d = _rates([c.lr_d for c in self.configs], self.d_runs)
        clip = [c.clip if c.variant_spec.clip_weights else float("inf") for c in self.configs]
        self.clip = torch.tensor(clip)[self.d_runs] if any(map(np.isfinite, clip)) else None
        self.spectral = nets.SpectralNorm.start(self.d_views, init) if cfg.spectral_norm else None
        # Parameters at the start of the last two steps: a NaN made by G's update shows in the next
        # step's losses, when the newer copy is already spoiled.
        self.checkpoints = [(self.g.clone(), self.d.clone()) for _ in range(2)]
        fixed = [_generator(c.seed, "fixed") for c in self.configs]
        self.fixed_z = torch.stack([self._latent((SNAPSHOT_POINTS, cfg.z_dim), gen) for gen in fixed])
        self.fixed_labels = np.arange(SNAPSHOT_POINTS) % self.classes if self.classes else None
        self.real_view = np.random.default_rng(0).permutation(len(self.x))[:SNAPSHOT_POINTS]

    def _setup_losses(self):
        variants = {c.variant: c.variant_spec for c in self.configs}
        self.groups = [(spec, torch.tensor([r for r, c in enumerate(self.configs) if c.variant == name]))
                       for name, spec in variants.items()]
        gp = [c.gp_weight if c.variant_spec.gradient_penalty else 0.0 for c in self.configs]
        r1 = [c.r1_weight for c in self.configs]
        # (weights, runs that pay it): second derivatives are dear, so only those runs compute them
        self.gp = (torch.tensor(gp), torch.tensor([r for r, w in enumerate(gp) if w])) if any(gp) else None
        self.r1 = (torch.tensor(r1), torch.tensor([r for r, w in enumerate(r1) if w])) if any(r1) else None
        self.no_penalty = torch.zeros(self.runs)
        # Rows of D's (packed) input that hold data rather than a label: a penalty's gradient norm is over these.
        width, dim = self.data.dim + self.classes, self.data.dim
        self.data_rows = (torch.tensor([row % width < dim for row in range(width * self.configs[0].pack)],
                                       dtype=torch.float32).view(1, -1, 1) if self.classes else None)

    # --- randomness -----------------------------------------------------------------------

    def _latent(self, shape, gen):
        if self.configs[0].latent == "uniform":
            return torch.rand(shape, generator=gen) * 2 - 1
        return torch.randn(shape, generator=gen)

    def _draw(self, stream: str, shape, make):
        """The next draw of `shape` from `stream` for every run.

        make(generator, count) returns `count` draws stacked; it is called once per distinct seed
        for many steps ahead, and each seed's draws are spread over the runs with that seed. The
        refills follow the draw count alone, so stepping in chunks draws what stepping at once does.
        """
        drawn, used = self.drawn.get(stream, (None, 0))
        if drawn is None or used == len(drawn[0]):
            ahead = max(1, min(DRAW_AHEAD, DRAW_BUDGET // (self.runs * int(np.prod(shape)))))
            draws = [make(gen, ahead) for gen in self.streams[stream]]
            if len(draws) == 1:
                drawn = draws[0].contiguous().expand(self.runs, *draws[0].shape)
            else:
                together = torch.stack(draws)
                drawn = together if self.one_run_per_seed else together[self.seed_of_run]
            used = 0
        self.drawn[stream] = (drawn, used + 1)
        return drawn[:, used]

    # --- the game -------------------------------------------------------------------------

    def _pack(self, x):
        """PacGAN: D judges `pack` samples concatenated into one input: (R, f, B) -> (R, f·pack, B/pack)."""
        pack = self.configs[0].pack
        if pack == 1:
            return x
        runs, width, batch = x.shape
        return x.transpose(1, 2).reshape(runs, batch // pack, width * pack).transpose(1, 2)

    def _unpack(self, x):
        """The inverse of _pack, for gradients with respect to D's packed inputs."""
        pack = self.configs[0].pack
        if pack == 1:
            return x
        runs, width, batch = x.shape
        return x.transpose(1, 2).reshape(runs, batch * pack, width // pack).transpose(1, 2)

    def _terms(self, attr: str, logits):
        """Per-run loss values (R,) and slopes d loss / d logit, from each run's variant."""
        if len(self.groups) == 1:
            term = getattr(self.groups[0][0], attr)
            return term.value(logits).mean(dim=(1, 2)), term.slope(logits)
        values, slopes = torch.empty(self.runs), torch.empty_like(logits)
        for spec, runs in self.groups:
            term, part = getattr(spec, attr), logits[runs]
            values[runs], slopes[runs] = term.value(part).mean(dim=(1, 2)), term.slope(part)
        return values, slopes

    def _d_weights(self, iterate=True):
        return self.spectral.normalise(self.d_views, iterate) if self.spectral else self.d_views

    def _batch(self):
        """Real inputs, latents and (conditional runs) the real labels, which the fakes take too;
        all feature-major (R, features, B)."""
        batch, dim = self.configs[0].batch_size, self.data.dim
        real = self._draw("data", (self.real_inputs.shape[1], batch), lambda g, k: self.real_inputs[
            torch.randint(len(self.x), (k, batch), generator=g)].transpose(1, 2))
        # drawn sample by sample, stored feature-major: the layout that keeps G's first-layer GEMMs fast
        z_dim = self.configs[0].z_dim
        z = self._draw("latent", (z_dim, batch), lambda g, k: self._latent((k, batch, z_dim), g).transpose(1, 2))
        return real, z, real[:, dim:] if self.classes else None

    def _generate(self, z, labels):
        inputs = z if labels is None else torch.cat([z, labels], dim=1)
        return nets.forward(self.g_views, inputs, self.act)

    def _with_labels(self, x, labels):
        return x if labels is None else torch.cat([x, labels], dim=1)

    def _critic_step(self):
        """One step of D on a fresh batch; returns its loss, the penalty and G's forward pass."""
        real, z, labels = self._batch()
        g_outputs = self._generate(z, labels)
        fake = g_outputs[-1]
        inputs = self._pack(torch.cat([real, self._with_labels(fake, labels)], dim=2))
        weights = self._d_weights()
        outputs = nets.forward(weights, inputs, self.act)
        logits = outputs[-1]  # (R, 1, N): kept 3-D, the shape back-propagation needs
        half = logits.shape[2] // 2
        real_loss, real_slope = self._terms("d_real", logits[:, :, :half])
        fake_loss, fake_slope = self._terms("d_fake", logits[:, :, half:])
        delta = torch.cat([real_slope, fake_slope], dim=2).div_(half)
        nets.backward(weights, outputs, delta, self.act, grads=self.d_grad_views)
        if self.spectral:
            self.spectral.chain(weights, self.d_grad_views)
        penalty = self._penalties(real, fake, labels)
        self.update(self.d, self.d_grad, self.d_state, self.lr_d, (self.configs[0].beta1, self.configs[0].beta2))
        if self.clip is not None:
            self.d.clamp_(-self.clip, self.clip)
        return real_loss + fake_loss, penalty, (g_outputs, labels)

    def _penalties(self, real, fake, labels):
        """Per-run gradient penalties, their gradients added to D's: WGAN-GP's at random interpolates of real
        and fake, R1's at the real points. Second derivatives: written out for a piecewise-linear D,
        autograd's otherwise."""
        if self.gp is None and self.r1 is None:
            return self.no_penalty
        penalty = self._penalty_by_hand if self.act.piecewise_linear and not self.spectral else self._penalty_by_autograd
        dim, total = self.data.dim, torch.zeros(self.runs)
        if self.gp is not None:
            eps = self._draw("penalty", (1, fake.shape[2]), lambda g, k: torch.rand((k, 1, fake.shape[2]), generator=g))
            weight, runs = self.gp
            total = total.index_add(0, runs, penalty(eps * real[:, :dim] + (1 - eps) * fake, labels, weight[runs], runs,
                                                     target=1.0))
        if self.r1 is not None:
            weight, runs = self.r1
            total = total.index_add(0, runs, penalty(real[:, :dim], labels, weight[runs] / 2, runs, target=0.0))
        return total

    def _penalty_by_hand(self, points, labels, weight, runs, target: float):
        """weight · mean (‖∇x D‖ − target)² for the given runs; adds its gradient to D's."""
        every = len(runs) == self.runs
        weights = self.d_views if every else [(w[runs], b[runs]) for w, b in self.d_views]
        if not every:
            points, labels = points[runs], None if labels is None else labels[runs]
        outputs = nets.forward(weights, self._pack(self._with_labels(points, labels)), self.act)
        grad, deltas = nets.input_gradient(weights, outputs, self.act)
        if self.data_rows is not None:
            grad = grad * self.data_rows
        norms = grad.norm(dim=1, keepdim=True)
        gap = norms - target
        # d/d grad of weight · mean gap² = weight · 2 gap / count · grad / ‖grad‖
        direction = grad * (weight.view(-1, 1, 1) * 2 / norms.shape[2] * gap / norms.clamp_min(1e-12))
        # added the same way whichever runs pay, so a stack computes what its runs alone do
        for (total, _), part in zip(self.d_grad_views, nets.input_gradient_grads(weights, outputs, deltas, direction, self.act)):
            total.index_add_(0, runs, part)
        return weight * (gap ** 2).mean(dim=(1, 2))

    def _penalty_by_autograd(self, points, labels, weight, runs, target: float):
        """The same as _penalty_by_hand, differentiating twice with autograd (any activation, spectral norm)."""
        with torch.enable_grad():
            leaf = self.d.detach().requires_grad_()
            weights = self.d_shape.views(leaf)
            if self.spectral:
                weights = self.spectral.normalise(weights, iterate=False)
            points = points[runs].detach().requires_grad_()
            inputs = self._with_labels(points, None if labels is None else labels[runs])
            out = nets.forward([(w[runs], b[runs]) for w, b in weights], self._pack(inputs), self.act)[-1]
            (grad,) = torch.autograd.grad(out.sum(), points, create_graph=True)
            values = weight * ((self._pack(grad).norm(dim=1) - target) ** 2).mean(dim=1)
            (param_grad,) = torch.autograd.grad(values.sum(), leaf)
        self.d_grad.add_(param_grad)
        return values.detach()

    def _generator_step(self, g_pass):
        """One step of G through the updated D, on the fakes of the last critic step (as the
        PyTorch DCGAN example does): G's forward pass is shared by both players' steps."""
        dim = self.data.dim
        g_outputs, labels = g_pass
        weights = self._d_weights()
        d_outputs = nets.forward(weights, self._pack(self._with_labels(g_outputs[-1], labels)), self.act)
        loss, slope = self._terms("g_fake", d_outputs[-1])
        delta = slope.div_(slope.shape[2])
        d_input = nets.backward(weights, d_outputs, delta, self.act, need_input=True)
        d_fake = self._unpack(d_input)[:, :dim]
        nets.backward(self.g_views, g_outputs, d_fake, self.act, grads=self.g_grad_views)
        cfg = self.configs[0]
        self.update(self.g, self.g_grad, self.g_state, self.lr_g, (cfg.beta1, cfg.beta2))
        return loss

    @torch.no_grad()
    def step(self, n: int) -> int:
        """Advance every live run by up to n generator steps; returns the steps taken."""
        cfg = self.configs[0]
        n = min(n, cfg.steps - self.done)
        for _ in range(n):
            if all(d is not None for d in self.diverged_at):
                break
            g_start, d_start = self.checkpoints[self.done % 2]
            g_start.copy_(self.g)
            d_start.copy_(self.d)
            for _ in range(cfg.d_steps):
                d_loss, penalty, g_pass = self._critic_step()
            g_loss = self._generator_step(g_pass)
            losses = torch.stack([d_loss, g_loss, penalty], out=self.history[:, :, self.done])
            if not torch.isfinite(losses.sum()):
                self._stop_diverged()
            self.done += 1
        if n and self.done == cfg.steps:
            self._check_last_update()
        return n

    def _stop_diverged(self):
        """Freeze every run whose losses went non-finite at the start of its last step whose losses were all
        finite: the newer copy can be finite yet so large that the generator's output overflows."""
        for r in range(self.runs):
            if self.diverged_at[r] is None and not torch.isfinite(self.history[:, r, self.done]).all():
                self._freeze(r, self.done, self.checkpoints[(self.done + 1) % 2])

    def _check_last_update(self):
        """No loss follows the final update: a run whose G now overflows on the fixed noise ends one step early."""
        labels = (None if not self.classes else
                  torch.eye(self.classes)[torch.as_tensor(self.fixed_labels)].T.expand(self.runs, -1, -1))
        finite = torch.isfinite(self._generate(self.fixed_z.transpose(1, 2), labels)[-1]).flatten(1).all(dim=1)
        for r in range(self.runs):
            if self.diverged_at[r] is None and not finite[r]:
                self._freeze(r, self.done - 1, self.checkpoints[(self.done - 1) % 2])

    def _freeze(self, r: int, step: int, checkpoint):
        """Stop run r as diverged at `step`, with the parameters of `checkpoint` and no further updates."""
        g_part, d_part = self.g_runs == r, self.d_runs == r
        g, d = checkpoint
        self.diverged_at[r] = step
        self.g[g_part], self.d[d_part] = g[g_part], d[d_part]
        self.lr_g, self.lr_d = _per_element(self.lr_g, self.g_runs), _per_element(self.lr_d, self.d_runs)
        self.lr_g[g_part], self.lr_d[d_part] = 0.0, 0.0
        self.g_state.first[g_part], self.g_state.second[g_part] = 0.0, 0.0
        self.d_state.first[d_part], self.d_state.second[d_part] = 0.0, 0.0

    # --- reading one run ------------------------------------------------------------------

    def g_weights(self, r: int):
        return [(w[r:r + 1], b[r:r + 1]) for w, b in self.g_views]

    def d_weights(self, r: int):
        return [(w[r:r + 1], b[r:r + 1]) for w, b in self._d_weights(iterate=False)]


class Run:
    """One run of a stack, read as numpy: samples, critic values, losses, snapshots."""

    def __init__(self, stack: Stack, index: int):
        self._stack, self._r = stack, index
        self.config: RunConfig = stack.configs[index]

    @property
    def data(self) -> Dataset:
        return self._stack.data

    @property
    def step_count(self) -> int:
        return self.diverged_at if self.diverged_at is not None else self._stack.done

    @property
    def diverged_at(self) -> int | None:
        return self._stack.diverged_at[self._r]

    @property
    def status(self) -> str:
        if self.diverged_at is not None:
            return "diverged"
        done = self._stack.done
        return "ready" if done == 0 else "done" if done >= self.config.steps else "training"

    @property
    def history(self) -> pd.DataFrame:
        """Per generator step: d_loss (the last critic step's), g_loss and the penalty term."""
        values = self._stack.history[:, self._r, :self.step_count].numpy()
        return pd.DataFrame({"step": np.arange(1, values.shape[1] + 1), "d_loss": values[0],
                             "g_loss": values[1], "penalty": values[2]})

    def _labels(self, labels, n: int) -> torch.Tensor | None:
        classes = self._stack.classes
        if not classes:
            if labels is not None:
                raise ValueError("labels: this run is not conditional")
            return None
        labels = np.arange(n) % classes if labels is None else np.broadcast_to(np.asarray(labels), (n,))
        if labels.min() < 0 or labels.max() >= classes:
            raise ValueError(f"labels: must lie in 0..{classes - 1}")
        return self._stack.onehot.new_tensor(np.eye(classes)[labels]).T.unsqueeze(0)

    @torch.no_grad()
    def sample(self, n: int = 2500, labels=None, z=None) -> np.ndarray:
        """n generated points in data units; deterministic. Give z (m, z_dim) to choose the latents."""
        stack, cfg = self._stack, self.config
        if z is None:
            z = stack._latent((n, cfg.z_dim), _generator(cfg.seed, "sample"))
        z = torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, cfg.z_dim)
        onehot = self._labels(labels, len(z))
        z = z.T.unsqueeze(0)
        inputs = z if onehot is None else torch.cat([z, onehot], dim=1)
        out = nets.forward(stack.g_weights(self._r), inputs, stack.act)[-1][0]
        return stack.standardiser.to_data(out.T)

    def _critic_outputs(self, points, label):
        stack = self._stack
        x = stack.standardiser.to_model(points).T.unsqueeze(0)
        onehot = self._labels(label, x.shape[2])
        inputs = (x if onehot is None else torch.cat([x, onehot], dim=1)).repeat(1, self.config.pack, 1)
        weights = stack.d_weights(self._r)
        return weights, nets.forward(weights, inputs, stack.act)

    @torch.no_grad()
    def critic(self, points, label=None) -> np.ndarray:
        """D's logit (or the critic's value) at each point (m, d), in data units."""
        return self._critic_outputs(points, label)[1][-1][0, 0].numpy()

    @torch.no_grad()
    def generator_push(self, points, label=None) -> np.ndarray:
        """The direction D pushes a fake sample at each point: −∇x of the generator's loss, data units."""
        stack, dim = self._stack, self.data.dim
        weights, outputs = self._critic_outputs(points, label)
        slope = self.config.variant_spec.g_fake.slope(outputs[-1])
        grad = nets.backward(weights, outputs, slope, stack.act, need_input=True)[0]
        grad = grad.reshape(self.config.pack, -1, grad.shape[1])[:, :dim].sum(dim=0).T
        return (-grad.numpy() * stack.standardiser.scale).astype(np.float32)

    def snapshot(self) -> Snapshot:
        stack = self._stack
        rows = stack.real_view
        return Snapshot(
            step=self.step_count, status=self.status, diverged_at=self.diverged_at,
            real=self.data.x[rows], real_labels=None if self.data.y is None else self.data.y[rows],
            fake=self.sample(z=stack.fixed_z[self._r], labels=stack.fixed_labels),
            fake_labels=stack.fixed_labels, history=self.history,
        )

    def generator_state(self) -> dict[str, torch.Tensor]:
        """The generator's weights and the data scaling, for torch.save / torch.load(weights_only=True)."""
        state = {}
        for k, (w, b) in enumerate(self._stack.g_weights(self._r)):
            state[f"layers.{k}.weight"], state[f"layers.{k}.bias"] = w[0].clone(), b[0, :, 0].clone()
        state["data_mean"] = torch.as_tensor(self._stack.standardiser.mean)
        state["data_scale"] = torch.as_tensor(self._stack.standardiser.scale)
        return state


    @torch.no_grad()
    def load_generator_state(self, state: dict[str, torch.Tensor]) -> None:
        """Set G's weights from a generator_state() dict of the same architecture."""
        for k, (w, b) in enumerate(self._stack.g_weights(self._r)):
            weight, bias = state[f"layers.{k}.weight"], state[f"layers.{k}.bias"]
            if weight.shape != w[0].shape or bias.shape != b[0, :, 0].shape:
                raise ValueError(f"layer {k}: shape {tuple(weight.shape)} does not fit this run's generator")
            w[0].copy_(weight)
            b[0, :, 0].copy_(bias)


class Trainer(Run):
    """A single run: Trainer(cfg).step(100).sample(2500)."""

    def __init__(self, config: RunConfig, data: Dataset | None = None):
        super().__init__(Stack([config], data), 0)

    def step(self, n: int = 1) -> "Trainer":
        self._stack.step(n)
        return self


class SideBySide:
    """Several runs trained together; compatible configs share one batched stack."""

    def __init__(self, configs: Sequence[RunConfig], data: Dataset | None = None):
        by_key: dict[tuple, list[int]] = {}
        for i, cfg in enumerate(configs):
            by_key.setdefault(stack_key(cfg), []).append(i)
        self.stacks = [Stack([configs[i] for i in members], data) for members in by_key.values()]
        placed = {i: Run(stack, j) for stack, members in zip(self.stacks, by_key.values())
                  for j, i in enumerate(members)}
        self.runs: list[Run] = [placed[i] for i in range(len(configs))]

    def step(self, n: int = 1) -> "SideBySide":
        for stack in self.stacks:
            stack.step(n)
        return self

    @property
    def finished(self) -> bool:
        return all(run.status in ("done", "diverged") for run in self.runs)


def train(config: RunConfig, data: Dataset | None = None) -> Trainer:
    """A Trainer advanced to config.steps (or to the step where it diverged)."""
    return Trainer(config, data).step(config.steps)
