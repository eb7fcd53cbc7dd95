"""Runs as a caller sees them: one run of a game read as numpy (Run, Trainer), several side by side."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from .config import RunConfig
from .datasets import Dataset
from .game import Game, generator, one_hot, stack_key
from .regroup import regroup

FINISHED = ("done", "diverged")


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


class Run:
    """One run of a game, read as numpy: samples, critic values, losses, snapshots."""

    def __init__(self, game: Game, index: int):
        self._game, self._r = game, index
        self.config: RunConfig = game.configs[index]

    @property
    def settings(self) -> RunConfig:
        """The settings in force now: config as its schedule has changed it so far (ganplay/schedule.py)."""
        return self._game.settings[self._r]

    @property
    def data(self) -> Dataset:
        return self._game.data

    @property
    def game(self) -> Game:
        """The game this run trains in (alone, or in a stack: see restack)."""
        return self._game

    @property
    def step_count(self) -> int:
        return self.diverged_at if self.diverged_at is not None else self._game.done

    @property
    def diverged_at(self) -> int | None:
        return self._game.diverged_at[self._r]

    @property
    def status(self) -> str:
        if self.diverged_at is not None:
            return "diverged"
        done = self._game.done
        return "ready" if done == 0 else "done" if done >= self.config.steps else "training"

    @property
    def finished(self) -> bool:
        """Done or diverged: stepping it changes nothing."""
        return self.status in FINISHED

    @property
    def history(self) -> pd.DataFrame:
        """Per generator step: d_loss (the last critic step's), g_loss and the penalty term."""
        values = self._game.history[:, self._r, :self.step_count].numpy()
        return pd.DataFrame({"step": np.arange(1, values.shape[1] + 1), "d_loss": values[0],
                             "g_loss": values[1], "penalty": values[2]})

    def _labels(self, labels, n: int) -> torch.Tensor | None:
        """The labels (one, or one per point; default: cycling through the classes) as one-hot columns."""
        classes = self._game.classes
        if not classes:
            if labels is not None:
                raise ValueError("labels: this run is not conditional")
            return None
        labels = np.arange(n) % classes if labels is None else np.broadcast_to(np.asarray(labels), (n,))
        if labels.min() < 0 or labels.max() >= classes:
            raise ValueError(f"labels: must lie in 0..{classes - 1}")
        return one_hot(labels, classes).T.unsqueeze(0)

    @torch.no_grad()
    def sample(self, n: int = 2500, labels=None, z=None) -> np.ndarray:
        """n generated points in data units; deterministic. Give z (m, z_dim) to choose the latents."""
        game, cfg = self._game, self.config
        if z is None:
            z = game.latent((n, cfg.z_dim), generator(cfg.seed, "sample"))
        z = torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, cfg.z_dim)
        inputs = game.with_labels(z.T.unsqueeze(0), self._labels(labels, len(z)))
        out = game.engine.forward("g", inputs, run=self._r).out[0]
        return game.standardiser.to_data(out.T)

    def _inputs(self, points, label) -> torch.Tensor:
        """Points (m, d) in data units, with their labels, as D's unpacked inputs (1, features, m)."""
        x = self._game.standardiser.to_model(points).T.unsqueeze(0)
        return self._game.with_labels(x, self._labels(label, x.shape[2]))

    def _critic_pass(self, points, label):
        inputs = self._inputs(points, label).repeat(1, self.config.pack, 1)
        return self._game.engine.forward("d", inputs, run=self._r, iterate=False)

    def _witness(self, inputs: torch.Tensor) -> torch.Tensor:
        """A closed-form critic (MMD's witness) at D's unpacked inputs, between the data and the fakes a
        frame shows (the snapshot's points): (1, 1, m)."""
        game, r = self._game, self._r
        real = game.real_inputs[torch.as_tensor(game.real_view)].T.unsqueeze(0)
        z = game.fixed_z[r].T.unsqueeze(0)
        labels = self._labels(None, z.shape[2])  # the fixed labels, cycling through the classes
        fake = game.engine.forward("g", game.with_labels(z, labels), run=r).out.detach()
        return self.config.variant_spec.closed_critic.witness(inputs, real, game.with_labels(fake, labels))

    @torch.no_grad()
    def critic(self, points, label=None) -> np.ndarray:
        """D's logit (or the critic's value, or a closed-form critic's) at each point (m, d), in data units."""
        if not self.config.variant_spec.trains_critic:
            return self._witness(self._inputs(points, label))[0, 0].numpy()
        return self._critic_pass(points, label).out[0, 0].numpy()

    @torch.no_grad()
    def generator_push(self, points, label=None) -> np.ndarray:
        """The direction D pushes a fake sample at each point: −∇x of the generator's loss, data units (for a
        closed-form critic, +∇x of the witness: the way the MMD falls fastest)."""
        return self.critic_and_push(points, label)[1]

    @torch.no_grad()
    def critic_and_push(self, points, label=None) -> tuple[np.ndarray, np.ndarray]:
        """critic(points) and generator_push(points) from one pass of D (the push needs D's value anyway)."""
        game, dim = self._game, self.data.dim
        if not self.config.variant_spec.trains_critic:
            with torch.enable_grad():
                inputs = self._inputs(points, label).requires_grad_()
                value = self._witness(inputs)
                (grad,) = torch.autograd.grad(value.sum(), inputs)
            return value[0, 0].detach().numpy(), (grad[0, :dim].T.numpy() * game.standardiser.scale).astype(np.float32)
        judged = self._critic_pass(points, label)
        slope = self.settings.variant_spec.g_fake.slope(judged.out)
        grad = game.engine.input_grads(judged, slope)[0]
        grad = grad.reshape(self.config.pack, -1, grad.shape[1])[:, :dim].sum(dim=0).T
        return judged.out[0, 0].numpy(), (-grad.numpy() * game.standardiser.scale).astype(np.float32)

    @property
    def fixed_z(self) -> np.ndarray:
        """The latent points of the snapshot's fakes, (600, z_dim): snapshot().fake is G at these."""
        return self._game.fixed_z[self._r].numpy()

    def snapshot(self) -> Snapshot:
        game = self._game
        rows = game.real_view
        return Snapshot(
            step=self.step_count, status=self.status, diverged_at=self.diverged_at,
            real=self.data.x[rows], real_labels=None if self.data.y is None else self.data.y[rows],
            fake=self.sample(z=game.fixed_z[self._r], labels=game.fixed_labels),
            fake_labels=game.fixed_labels, history=self.history,
        )

    def generator_state(self) -> dict[str, torch.Tensor]:
        """The generator's weights and the data scaling, for torch.save / torch.load(weights_only=True)."""
        state = {}
        for k, (w, b) in enumerate(self._game.engine.layers("g", self._r)):
            state[f"layers.{k}.weight"], state[f"layers.{k}.bias"] = w.detach().clone(), b.detach().clone()
        state["data_mean"] = torch.as_tensor(self._game.standardiser.mean)
        state["data_scale"] = torch.as_tensor(self._game.standardiser.scale)
        return state

    @torch.no_grad()
    def load_generator_state(self, state: dict[str, torch.Tensor]) -> None:
        """Set G's weights from a generator_state() dict of the same architecture."""
        for k, (w, b) in enumerate(self._game.engine.layers("g", self._r)):
            weight, bias = state[f"layers.{k}.weight"], state[f"layers.{k}.bias"]
            if weight.shape != w.shape or bias.shape != b.shape:
                raise ValueError(f"layer {k}: shape {tuple(weight.shape)} does not fit this run's generator")
            w.copy_(weight)
            b.copy_(bias)


class Trainer(Run):
    """A single run: Trainer(cfg).step(100).sample(2500). engine: "auto", "mlp" or "autograd".
    Moved into a stack (restack), stepping it steps the stack."""

    def __init__(self, config: RunConfig, data: Dataset | None = None, engine: str = "auto"):
        super().__init__(Game([config], data, engine), 0)

    def step(self, n: int = 1) -> "Trainer":
        self._game.step(n)
        return self


class SideBySide:
    """Several runs trained together; compatible configs share one batched game."""

    def __init__(self, configs: Sequence[RunConfig], data: Dataset | None = None, engine: str = "auto"):
        by_key: dict[tuple, list[int]] = {}
        for i, cfg in enumerate(configs):
            by_key.setdefault(stack_key(cfg), []).append(i)
        self.stacks = [Game([configs[i] for i in members], data, engine) for members in by_key.values()]
        placed = {i: Run(game, j) for game, members in zip(self.stacks, by_key.values())
                  for j, i in enumerate(members)}
        self.runs: list[Run] = [placed[i] for i in range(len(configs))]

    def step(self, n: int = 1) -> "SideBySide":
        for game in self.stacks:
            game.step(n)
        return self

    @property
    def finished(self) -> bool:
        return all(run.finished for run in self.runs)


def restack(runs: Sequence[Run]) -> Game:
    """Move runs (live ones at one step, with one exact_stack_key and data) into one new game, each with its
    whole state: they train on together exactly as each would alone. restack([run]) takes a run out of its
    stack. Runs left behind in the old game train on there; the moved runs' places in it are no one's."""
    game = regroup([(run.game, run._r) for run in runs])
    for index, run in enumerate(runs):
        run._game, run._r = game, index
    return game


def fork(run: Run, config: RunConfig | None = None) -> Trainer:
    """A private copy of run with its whole state (weights, optimiser, random streams, history) in a game of its
    own: it trains on as run would, and stepping either leaves the other as it was. config: another schedule of
    run's config to go on under from its step (midrun.fork checks that it is one)."""
    copy = Trainer.__new__(Trainer)  # around the regrouped game: Trainer's own __init__ would make a fresh one
    Run.__init__(copy, regroup([(run.game, run._r)], configs=None if config is None else [config]), 0)
    return copy


def train(config: RunConfig, data: Dataset | None = None, engine: str = "auto") -> Trainer:
    """A Trainer advanced to config.steps (or to the step where it diverged)."""
    return Trainer(config, data, engine).step(config.steps)
