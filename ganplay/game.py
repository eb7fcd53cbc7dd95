"""The lecture's game for R runs at once: cfg.d_steps critic steps, then one generator step.

Runs whose configs differ only in PER_RUN_FIELDS share a game. The game reads each run's variant for
its loss terms, draws the randomness, keeps the history and stops diverged runs; an engine
(ganplay/engines) does the networks' arithmetic. It never asks which variant it plays.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import torch

from . import schedule, unrolled
from .config import RunConfig
from .datasets import Dataset, load_dataset
from .engines import Extras, Networks, engine_class

SNAPSHOT_POINTS = 600  # per frame: enough to see a distribution, few enough to redraw 4 times a second
# Settings a stack lets each run choose for itself; all others must agree.
PER_RUN_FIELDS = frozenset({"variant", "seed", "lr_g", "lr_d", "gp_weight", "r1_weight", "clip", "unroll"})
# Those a stack lets differ with every run bit-identical to the same run alone: runs of one stack with
# different rates take per-element optimiser arithmetic instead of the fused kernel.
EXACT_PER_RUN_FIELDS = PER_RUN_FIELDS - {"lr_g", "lr_d"}
_STREAMS = ("init", "data", "latent", "penalty", "fixed", "sample")
# Randomness for up to this many steps is drawn at once (one generator call per seed, not one per
# step), within 4 MB per stream and run. The count depends on a run's own draw alone: torch's samplers
# fill blocks, so drawing k steps at once is not bit-equal to drawing them in other chunks, and a run
# must draw the same numbers alone and in a stack.
DRAW_AHEAD, DRAW_BUDGET = 64, 2 ** 20


def stack_key(cfg: RunConfig) -> tuple:
    """Configs with equal keys can be trained in one stack (the look-ahead steps taken are one for all)."""
    return (*((f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg) if f.name not in PER_RUN_FIELDS),
            ("lookahead", cfg.lookahead))


# A stacked matmul gives a lone run's bits only when the batch splits into the CPU kernels' 32-row blocks
# (measured: 64, 96, 128, 256, 512 exact; 100, 104, 112, 120, 200, 400 not): other batches train alone.
EXACT_BATCH_MULTIPLE = 32


def exact_stack_key(cfg: RunConfig) -> tuple | None:
    """Configs with equal keys train in one stack exactly as each would alone; None: this one only alone."""
    if cfg.batch_size % EXACT_BATCH_MULTIPLE:
        return None
    return (*stack_key(cfg), ("lr_g", cfg.lr_g), ("lr_d", cfg.lr_d))


def generator(seed: int, stream: str) -> torch.Generator:
    """An independent random stream per purpose, so that drawing one never shifts another."""
    return torch.Generator().manual_seed(seed * len(_STREAMS) + _STREAMS.index(stream))


def one_hot(labels, classes: int) -> torch.Tensor:
    """Labels (n,) as one-hot rows (n, classes)."""
    return torch.eye(classes)[torch.tensor(np.asarray(labels), dtype=torch.long)]


class Standardiser:
    """Training happens on standardised data; everything the caller sees is in data units."""

    def __init__(self, x: np.ndarray, standardise: bool = True):
        if not np.isfinite(x).all():  # from_array's float64 values beyond 3.4e38 become inf in float32
            raise ValueError("data: values beyond 32-bit floats' range (about ±3.4e38) or NaN: rescale the data")
        with np.errstate(over="ignore"):
            self.mean, std = x.mean(axis=0), x.std(axis=0)
        if not (np.isfinite(self.mean).all() and np.isfinite(std).all()):  # float32 squares overflow from 1.8e19 on
            self.mean, std = x.astype(np.float64).mean(axis=0), x.astype(np.float64).std(axis=0)
        self.scale = np.where(std > 0, std, 1.0)
        if not standardise:  # the identity: data units are the model's
            self.mean, self.scale = np.zeros_like(self.mean), np.ones_like(self.scale)

    def to_model(self, x) -> torch.Tensor:
        return torch.as_tensor((np.asarray(x, dtype=np.float64) - self.mean) / self.scale, dtype=torch.float32)

    def to_data(self, x: torch.Tensor) -> np.ndarray:
        return (x.numpy().astype(np.float64) * self.scale + self.mean).astype(np.float32)


def _networks(configs: Sequence[RunConfig], dim: int, classes: int) -> Networks:
    cfg = configs[0]
    width = dim + classes
    data_rows = (torch.tensor([row % width < dim for row in range(width * cfg.pack)], dtype=torch.float32)
                 .view(1, -1, 1) if classes else None)
    return Networks(
        g_sizes=(cfg.z_dim + classes, *[cfg.g_width] * cfg.g_depth, dim),
        d_sizes=(width * cfg.pack, *[cfg.d_width] * cfg.d_depth, 1),
        activation=cfg.activation, optimizer=cfg.optimizer, betas=(cfg.beta1, cfg.beta2),
        lr_g=tuple(c.lr_g for c in configs), lr_d=tuple(c.lr_d for c in configs),
        clip=tuple(c.clip if c.variant_spec.clip_weights else float("inf") for c in configs),
        spectral_norm=cfg.spectral_norm, data_rows=data_rows)


class Game:
    """R runs with one architecture and data, trained together on one engine."""

    def __init__(self, configs: Sequence[RunConfig], data: Dataset | None = None, engine: str = "auto",
                 extras: Extras = Extras()):
        """extras: a lesson's own G, loss term and schedules (protocol.Extras), on the autograd engine."""
        first = configs[0]
        if not extras.plain:
            if engine not in ("auto", "autograd"):
                raise ValueError(f"engine: {engine!r} cannot run a lesson's extras; use 'autograd'")
            engine = "autograd"
        if any(stack_key(c) != stack_key(first) for c in configs):
            raise ValueError("configs in one stack may differ only in " + ", ".join(sorted(PER_RUN_FIELDS)))
        if data is None:
            if first.dataset == "csv":
                raise ValueError("dataset 'csv' needs the data: Trainer(cfg, data=ganplay.from_array(...))")
            data = load_dataset(first.dataset, first.n, first.data_seed, first.noise)
        if first.conditional and data.y is None:
            raise ValueError("conditional: this data has no label column")
        self.configs, self.data, self.runs = tuple(configs), data, len(configs)
        self.standardiser = Standardiser(data.x, extras.standardise)
        self.x = self.standardiser.to_model(data.x)
        self.classes = data.n_classes if first.conditional else 0
        self.real_inputs = self.x if not self.classes else torch.cat([self.x, one_hot(data.y, self.classes)], dim=1)
        self._setup_streams()
        networks = dataclasses.replace(_networks(configs, data.dim, self.classes), extras=extras)
        self.engine = engine_class(engine, configs)(networks, [generator(c.seed, "init") for c in configs])
        self.g_term = extras.g_term is not None
        self.lookahead = first.lookahead
        self.settings = self.configs  # what each run plays now: its config as its schedule changed it (retune)
        self.change_steps = frozenset(change.step for c in self.configs for change in c.schedule)
        self._setup_losses()
        fixed = [generator(c.seed, "fixed") for c in self.configs]
        self.fixed_z = torch.stack([self.latent((SNAPSHOT_POINTS, first.z_dim), gen) for gen in fixed])
        self.fixed_labels = np.arange(SNAPSHOT_POINTS) % self.classes if self.classes else None
        self.real_view = np.random.default_rng(0).permutation(len(self.x))[:SNAPSHOT_POINTS]
        self.history = torch.full((3, self.runs, first.steps), float("nan"))
        self.done = 0
        self.diverged_at: list[int | None] = [None] * self.runs

    # --- set-up ---------------------------------------------------------------------------

    def _setup_streams(self):
        seeds = [c.seed for c in self.configs]
        self.seeds = sorted(set(seeds))
        self.seed_of_run = torch.tensor([self.seeds.index(s) for s in seeds])
        self.one_run_per_seed = seeds == self.seeds
        self.drawn: dict[str, tuple[torch.Tensor, int]] = {}
        self.streams = {name: [generator(s, name) for s in self.seeds] for name in ("data", "latent", "penalty")}

    def _setup_losses(self):
        variants = {c.variant: c.variant_spec for c in self.settings}
        self.groups = [(spec, torch.tensor([r for r, c in enumerate(self.settings) if c.variant == name]))
                       for name, spec in variants.items()]
        self.trains_critic = any(spec.trains_critic for spec in variants.values())
        self.closed = [(spec.closed_critic, runs) for spec, runs in self.groups if not spec.trains_critic]
        gp = [c.gp_weight if c.variant_spec.gradient_penalty else 0.0 for c in self.settings]
        r1 = [c.r1_weight if c.variant_spec.trains_critic else 0.0 for c in self.settings]
        # (weights, runs that pay it): second derivatives are dear, so only those runs compute them
        self.gp = (torch.tensor(gp), torch.tensor([r for r, w in enumerate(gp) if w])) if any(gp) else None
        self.r1 = (torch.tensor(r1), torch.tensor([r for r, w in enumerate(r1) if w])) if any(r1) else None
        self.no_penalty = torch.zeros(self.runs)

    # --- moving runs between stacks ---------------------------------------------------------

    def _draws(self, stream: str, run: int) -> bool:
        """Whether the run reads the stream (every live run reads data and latents; GP runs the penalty's)."""
        return stream != "penalty" or (self.gp is not None and run in self.gp[1])

    # --- randomness -----------------------------------------------------------------------

    def latent(self, shape, gen: torch.Generator) -> torch.Tensor:
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
            ahead = max(1, min(DRAW_AHEAD, DRAW_BUDGET // int(np.prod(shape))))
            draws = [make(gen, ahead) for gen in self.streams[stream]]
            if len(draws) == 1:
                drawn = draws[0].contiguous().expand(self.runs, *draws[0].shape)
            else:
                together = torch.stack(draws)
                drawn = together if self.one_run_per_seed else together[self.seed_of_run]
            used = 0
        self.drawn[stream] = (drawn, used + 1)
        return drawn[:, used]

    def _batch(self):
        """Real inputs, latents and (conditional runs) the real labels, which the fakes take too;
        all feature-major (R, features, B)."""
        batch, dim = self.configs[0].batch_size, self.data.dim
        real = self._draw("data", (self.real_inputs.shape[1], batch), lambda g, k: self.real_inputs[
            torch.randint(len(self.x), (k, batch), generator=g)].transpose(1, 2))
        # drawn sample by sample, stored feature-major: the layout that keeps G's first-layer GEMMs fast
        z_dim = self.configs[0].z_dim
        z = self._draw("latent", (z_dim, batch), lambda g, k: self.latent((k, batch, z_dim), g).transpose(1, 2))
        return real, z, real[:, dim:] if self.classes else None

    # --- the game -------------------------------------------------------------------------

    def pack(self, x):
        """PacGAN: D judges `pack` samples concatenated into one input: (R, f, B) -> (R, f·pack, B/pack)."""
        pack = self.configs[0].pack
        if pack == 1:
            return x
        runs, width, batch = x.shape
        return x.transpose(1, 2).reshape(runs, batch // pack, width * pack).transpose(1, 2)

    def _unpack(self, x):
        """The inverse of pack, for gradients with respect to D's packed inputs."""
        pack = self.configs[0].pack
        if pack == 1:
            return x
        runs, width, batch = x.shape
        return x.transpose(1, 2).reshape(runs, batch * pack, width // pack).transpose(1, 2)

    @staticmethod
    def with_labels(x, labels):
        return x if labels is None else torch.cat([x, labels], dim=1)

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

    def _critic_step(self):
        """One step of D on a fresh batch; returns its loss, the penalty and G's forward pass."""
        real, z, labels = self._batch()
        g_pass = self.engine.forward("g", self.with_labels(z, labels))
        if not self.trains_critic:  # closed-form critics only: there is no D to train
            return self.no_penalty, self.no_penalty, (g_pass, labels, real)
        fake = g_pass.out
        d_pass = self.engine.forward("d", self.pack(torch.cat([real, self.with_labels(fake, labels)], dim=2)))
        logits = d_pass.out  # (R, 1, N): kept 3-D, the shape back-propagation needs
        half = logits.shape[2] // 2
        real_loss, real_slope = self._terms("d_real", logits[:, :, :half])
        fake_loss, fake_slope = self._terms("d_fake", logits[:, :, half:])
        self.engine.param_grads(d_pass, torch.cat([real_slope, fake_slope], dim=2).div_(half))
        penalty = self._penalties(real, fake, labels)
        self.engine.update("d")
        return real_loss + fake_loss, penalty, (g_pass, labels, real)

    def _penalties(self, real, fake, labels):
        """Per-run gradient penalties, their gradients added to D's: WGAN-GP's at random interpolates of real
        and fake, R1's at the real points."""
        if self.gp is None and self.r1 is None:
            return self.no_penalty
        dim, total = self.data.dim, torch.zeros(self.runs)
        if self.gp is not None:
            eps = self._draw("penalty", (1, fake.shape[2]), lambda g, k: torch.rand((k, 1, fake.shape[2]), generator=g))
            weight, runs = self.gp
            total = total.index_add(0, runs, self._penalty(eps * real[:, :dim] + (1 - eps) * fake, labels,
                                                           weight[runs], runs, target=1.0))
        if self.r1 is not None:
            weight, runs = self.r1
            total = total.index_add(0, runs, self._penalty(real[:, :dim], labels, weight[runs] / 2, runs, target=0.0))
        return total

    def _penalty(self, points, labels, weight, runs, target: float):
        """weight · mean (‖∇x D‖ − target)² at the points, for the given runs; adds its gradient to D's."""
        if len(runs) != self.runs:
            points, labels = points[runs], None if labels is None else labels[runs]
        return self.engine.penalty_grads(self.pack(self.with_labels(points, labels)), runs, weight, target)

    def _generator_step(self, g_pass):
        """One step of G through the updated D, on the fakes of the last critic step (as the
        PyTorch DCGAN example does): G's forward pass is shared by both players' steps."""
        g_pass, labels, real = g_pass
        loss, fake_grad = self._generator_grads(g_pass.out, labels, real)
        self.engine.param_grads(g_pass, fake_grad)
        if self.g_term:  # a lesson's term beside the adversarial one (Flow-GAN: the data's likelihood)
            loss = loss + self.engine.g_term_grads(real[:, :self.data.dim])
        self.engine.update("g")
        return loss

    def _generator_grads(self, fake, labels, real):
        """G's loss per run and its gradient with respect to the fakes: through D (after its look-ahead steps,
        for unrolled runs), plus the closed-form critics' (MMD)."""
        dim = self.data.dim
        if self.lookahead:
            loss, grad = unrolled.generator_grads(self, real, fake, labels)
        elif self.trains_critic:
            d_pass = self.engine.forward("d", self.pack(self.with_labels(fake, labels)))
            loss, slope = self._terms("g_fake", d_pass.out)
            grad = self._unpack(self.engine.input_grads(d_pass, slope.div_(slope.shape[2])))[:, :dim]
        else:
            loss, grad = torch.zeros(self.runs), torch.zeros_like(fake)
        for critic, runs in self.closed:
            judged = self.with_labels(fake[runs], None if labels is None else labels[runs])
            values, grads = critic.loss_grads(judged, real[runs])
            loss, grad = loss.index_add(0, runs, values), grad.index_add(0, runs, grads[:, :dim])
        return loss, grad

    @torch.no_grad()
    def step(self, n: int) -> int:
        """Advance every live run by up to n generator steps; returns the steps taken."""
        n = min(n, self.configs[0].steps - self.done)
        for _ in range(n):
            if all(d is not None for d in self.diverged_at):
                break
            for _ in self.play_round():
                pass
        return n

    # --- one player at a time (slow motion, ganplay/slowmo.py) -----------------------------------
    # Partial steps leave `done` and the history alone: they are no generator step of the config's run.

    def next_batch(self):
        """The batch (real, z, labels) the next critic step will draw, without drawing it."""
        drawn, states = dict(self.drawn), {name: [g.get_state() for g in gens] for name, gens in self.streams.items()}
        try:
            return self._batch()
        finally:  # draws are never written in place, so putting the buffers and generators back undoes them
            self.drawn = drawn
            for name, gens in self.streams.items():
                for gen, state in zip(gens, states[name]):
                    gen.set_state(state)

    @torch.no_grad()
    def critic_only(self):
        """One critic step alone, on a fresh batch: (d_loss, penalty) per run."""
        d_loss, penalty, _ = self._critic_step()
        return d_loss, penalty

    @torch.no_grad()
    def generator_only(self):
        """One generator step alone. A step of G needs its forward pass of the round, which only a critic step
        makes: here G makes fakes from a fresh batch of z (and the real batch the G loss of MMD, unrolled or
        a lesson's term reads), drawn as a critic step would draw it. Returns g_loss per run."""
        real, z, labels = self._batch()
        return self._generator_step((self.engine.forward("g", self.with_labels(z, labels)), labels, real))

    @torch.no_grad()
    def play_round(self):
        """step(1), yielding after each of the d_steps critic steps ("critic", d_loss, penalty) and after the
        generator step ("generator", g_loss): the same round, bit for bit, watched a player at a time."""
        if self.done >= self.configs[0].steps or all(d is not None for d in self.diverged_at):
            return
        # Parameters at the start of the last two steps: a NaN made by G's update shows in the next
        # step's losses, when the newer copy is already spoiled.
        self.engine.checkpoint(self.done % 2)
        if self.done in self.change_steps:
            self.retune(tuple(schedule.at(c, self.done) for c in self.configs))
        for _ in range(self.settings[0].d_steps):
            d_loss, penalty, g_pass = self._critic_step()
            yield "critic", d_loss, penalty
        g_loss = self._generator_step(g_pass)
        if not torch.isfinite(torch.stack([d_loss, g_loss, penalty], out=self.history[:, :, self.done]).sum()):
            self._stop_diverged()
        self.done += 1
        if self.done == self.configs[0].steps:
            self._check_last_update()
        yield "generator", g_loss

    def retune(self, settings: Sequence[RunConfig]) -> None:
        """Play on with these settings (the runs' configs as their schedules changed them; networks and data stay):
        rates, optimiser, betas, clip bounds, loss, penalties, k."""
        self.settings = tuple(settings)
        self.engine.retune(_networks(self.settings, self.data.dim, self.classes))
        self._setup_losses()

    def _stop_diverged(self):
        """Freeze every run whose losses went non-finite at the start of its last step whose losses were all
        finite: the newer copy can be finite yet so large that the generator's output overflows."""
        for r in range(self.runs):
            if self.diverged_at[r] is None and not torch.isfinite(self.history[:, r, self.done]).all():
                self._freeze(r, self.done, (self.done + 1) % 2)

    def _check_last_update(self):
        """No loss follows the final update: a run whose G now overflows on the fixed noise ends one step early."""
        labels = (None if not self.classes else
                  one_hot(self.fixed_labels, self.classes).T.expand(self.runs, -1, -1))
        fakes = self.engine.forward("g", self.with_labels(self.fixed_z.transpose(1, 2), labels)).out
        finite = torch.isfinite(fakes).flatten(1).all(dim=1)
        for r in range(self.runs):
            if self.diverged_at[r] is None and not finite[r]:
                self._freeze(r, self.done - 1, (self.done - 1) % 2)

    def _freeze(self, r: int, step: int, slot: int):
        """Stop run r as diverged at `step`, with the parameters kept in `slot` and no further updates."""
        self.diverged_at[r] = step
        self.engine.freeze(r, slot)
