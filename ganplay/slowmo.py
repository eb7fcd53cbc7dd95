"""Slow motion: one round of the game a stage at a time, on a private fork of a run, numbered as GAN Lab does.

  1 sample z          the critic step's batch: real points and latent points z (nothing changes)
  2 G makes fakes     G(z) for that batch (nothing changes)
  3 D judges          D's verdict on the batch's real and fake points (nothing changes)
  4 D's update        one critic step per stage, k of k for critics that take several (D's heatmap before/after)
  5 G's update        one generator step on the fakes of the last critic step (the fakes before/after)

A round played through its stages is game.step(1), bit for bit (Game.play_round). "Step only D" and "Step only
G" are no generator step of the run: they leave its step count and history alone and are counted apart here.
The fork is a copy (runs.fork) or, when the shared run has moved past the step its viewer sees, a replay of
the config to that step (training is deterministic): the shared run never changes.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from .datasets import Dataset
from .frames import Frame, Plane, frame_of
from .runs import Run, Trainer, fork

STAGE_NAMES = ("sample z", "G makes fakes", "D judges real and fake", "D's update", "G's update")


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class Batch:
    """One critic step's batch in data units; fakes and verdicts once the stages have made them."""

    real: np.ndarray  # (B, d)
    z: np.ndarray  # (B, z_dim)
    labels: np.ndarray | None  # (B,) class of each real point, which its fake partner takes too
    real_2d: np.ndarray  # (B, 2) on the drawn plane
    fake: np.ndarray | None = None  # (B, d): G(z)
    fake_2d: np.ndarray | None = None
    verdict_real: np.ndarray | None = None  # (B,) D's verdict: a probability, or a critic's value
    verdict_fake: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Stage:
    """What one stage did and what to draw: the view after it, and before it for the two updates."""

    number: int  # GAN Lab's 1..5; 0 for a whole round played at once
    name: str
    part: str  # "critic step 2 of 5", "alone", or ""
    says: str
    after: Frame
    before: Frame | None = None
    batch: Batch | None = None

    @property
    def label(self) -> str:
        head = f"{self.number}. {self.name}" if self.number else self.name
        return f"{head} ({self.part})" if self.part else head


def stage_labels(d_steps: int) -> tuple[str, ...]:
    """The stages of one round in order: d_steps critic steps make d_steps stages 4."""
    critic = [STAGE_NAMES[3] + (f" (critic step {i} of {d_steps})" if d_steps > 1 else "") for i in range(1, d_steps + 1)]
    return (*(f"{n + 1}. {name}" for n, name in enumerate(STAGE_NAMES[:3])), *(f"4. {c}" for c in critic), "5. G's update")


def fork_at(run: Run, step: int, data: Dataset | None = None) -> Run:
    """A private run at `step` of run's config: a copy of run when it stands there, else the config replayed."""
    if run.step_count == step and run.diverged_at is None:
        try:
            return fork(run)
        except (ValueError, NotImplementedError):  # an engine whose runs cannot move (autograd): replay
            pass
    return replay(run.config, data if data is not None else run.data, step)


def replay(config, data: Dataset | None, step: int) -> Run:
    """config trained to `step` afresh: training is deterministic, so this is the run at that step."""
    return Trainer(config, data).step(step)


class SlowMotion:
    """A fork played a stage, a player or a round at a time; counts every update it makes."""

    def __init__(self, run: Run, plane: Plane | None = None):
        self.run, self.plane, self.base_step = run, plane, run.step_count
        self.d_updates = self.g_updates = self.alone = 0  # alone: updates outside a round (no generator step)
        self.stage: Stage | None = None  # the last stage shown
        self.shown_index: int | None = None  # its place in `labels`, when it was a stage of a round
        self._round, self._next, self._batch = None, 0, None

    # --- state --------------------------------------------------------------------------------

    @property
    def game(self):
        return self.run.game

    @property
    def d_steps(self) -> int:
        return self.run.config.d_steps

    @property
    def labels(self) -> tuple[str, ...]:
        return stage_labels(self.d_steps)

    @property
    def in_round(self) -> bool:
        return self._round is not None

    @property
    def next_index(self) -> int:
        """The place in `labels` of the stage the next advance plays."""
        return self._next

    @property
    def next_label(self) -> str:
        return self.labels[self._next]

    @property
    def playable(self) -> bool:
        """Rounds need a step left; no player moves in a diverged run."""
        return self.run.status not in ("done", "diverged")

    def frame(self) -> Frame:
        return frame_of(self.run, self.plane, critic=True, push=False, densities=False)

    # --- one player alone ---------------------------------------------------------------------

    def step_d(self) -> Stage:
        """One critic step alone, on a fresh batch."""
        self._refuse_in_round()
        before, batch = self.frame(), self._judged(self._peek())
        d_loss, penalty = (v[0].item() for v in self.game.critic_only())
        self.d_updates, self.alone = self.d_updates + 1, self.alone + 1
        return self._show(Stage(4, STAGE_NAMES[3], "alone", self._d_says(d_loss, penalty), self.frame(), before, batch))

    def step_g(self) -> Stage:
        """One generator step alone, on fakes made from a fresh batch of z (Game.generator_only)."""
        self._refuse_in_round()
        before = self.frame()
        g_loss = self.game.generator_only()[0].item()
        self.g_updates, self.alone = self.g_updates + 1, self.alone + 1
        after = self.frame()
        says = "On fakes G made from a fresh batch of z (a round would use the last critic step's). " + \
            self._g_says(g_loss, before, after)
        return self._show(Stage(5, STAGE_NAMES[4], "alone", says, after, before))

    def one_round(self) -> Stage:
        """The rest of the round (all of it when none is under way), its stages played without stopping."""
        before, start = self.frame(), self.run.step_count
        while True:
            self.advance()
            if not self.in_round:
                break
        says = (f"{self.d_steps} critic step{'s' * (self.d_steps > 1)} and one generator step: generator step "
                f"{start:,} → {self.run.step_count:,}. " + self.stage.says)
        return self._show(Stage(0, "One round", "", says, self.stage.after, before))

    # --- a round in stages --------------------------------------------------------------------

    def advance(self) -> Stage:
        """Play the next stage of the round (starting one if none is under way) and return what it did."""
        if not self.in_round:
            if not self.playable:
                raise ValueError(f"the run is {self.run.status}: no round left to play")
            self._round, self._next, self._batch = self.game.play_round(), 0, self._peek()
        number = min(self._next + 1, 4) if self._next < 3 + self.d_steps else 5
        stage = (self._see, self._see, self._see, self._critic, self._generator)[number - 1](number)
        self.shown_index = self._next
        self._next += 1
        if number == 5:
            self._round = None
            self._next = 0
        return self._show(stage)

    def _see(self, number: int) -> Stage:
        """Stages 1-3 change nothing: they show the batch the first critic step is about to take."""
        game, frame = self.game, self.frame()
        if number == 1:
            b, latent = len(self._batch.real), self.run.config.latent
            says = (f"{b} real points drawn from the data (bright green) and {b} latent points z from the "
                    f"{'standard normal' if latent == 'normal' else 'uniform on [-1, 1]'}"
                    + (", each z with the label of its real partner" if game.classes else "") + ".")
        elif number == 2:
            self._batch = self._made(self._batch)
            says = "G maps each z to a fake (bright purple); the frame's fixed fakes are the faint ones."
        else:
            self._batch = self._judged(self._batch)
            says = self._judge_says(self._batch)
        return Stage(number, STAGE_NAMES[number - 1], "", says, frame, batch=self._batch)

    def _critic(self, number: int) -> Stage:
        index = self._next - 3  # 0-based critic step
        before = self.frame()
        if index:  # each critic step draws its own batch
            self._batch = self._judged(self._peek())
        _, d_loss, penalty = next(self._round)
        self.d_updates += 1
        part = f"critic step {index + 1} of {self.d_steps}" if self.d_steps > 1 else ""
        return Stage(4, STAGE_NAMES[3], part, self._d_says(d_loss[0].item(), penalty[0].item()), self.frame(),
                     before, self._batch)

    def _generator(self, number: int) -> Stage:
        before = self.frame()
        _, g_loss = next(self._round)
        self.g_updates += 1
        after = self.frame()
        says = ("On the fakes of the last critic step's batch, through D as it is now. "
                + self._g_says(g_loss[0].item(), before, after))
        return Stage(5, STAGE_NAMES[4], "", says, after, before)

    # --- the batch ----------------------------------------------------------------------------

    def _peek(self) -> Batch:
        game, dim = self.game, self.run.data.dim
        real, z, labels = game.next_batch()
        real = game.standardiser.to_data(real[0, :dim].T)
        return Batch(real=real, z=z[0].T.numpy().copy(), real_2d=self._on_plane(real),
                     labels=None if labels is None else labels[0].argmax(dim=0).numpy())

    def _on_plane(self, points: np.ndarray) -> np.ndarray:
        return points[:, :2] if self.plane is None or points.shape[1] == 2 else self.plane(points)

    def _made(self, batch: Batch) -> Batch:
        if batch.fake is not None:
            return batch
        fake = self.run.sample(z=batch.z, labels=batch.labels)
        return dataclasses.replace(batch, fake=fake, fake_2d=self._on_plane(fake))

    @torch.no_grad()
    def _judged(self, batch: Batch) -> Batch:
        """D's verdict on each point of the batch; PacGAN's D judges packs, and each member shows its pack's."""
        batch = self._made(batch)
        if not self.run.config.variant_spec.trains_critic:  # the closed-form critic (MMD's witness)
            judge = lambda x: self.run.critic(x, label=batch.labels)  # noqa: E731
            return dataclasses.replace(batch, verdict_real=judge(batch.real), verdict_fake=judge(batch.fake))
        game, pack = self.game, self.run.config.pack
        inputs = [self.run._inputs(x, batch.labels) for x in (batch.real, batch.fake)]
        logits = game.engine.forward("d", game.pack(torch.cat(inputs, dim=2)), run=0, iterate=False).out[0, 0]
        value = np.repeat(logits.numpy(), pack)
        if not self.run.config.variant_spec.raw_critic:
            value = 1 / (1 + np.exp(-np.clip(value, -30, 30)))
        half = len(batch.real)
        return dataclasses.replace(batch, verdict_real=value[:half], verdict_fake=value[half:])

    # --- what each stage says -----------------------------------------------------------------

    def _judge_says(self, batch: Batch) -> str:
        spec, pack = self.run.config.variant_spec, self.run.config.pack
        if not spec.trains_critic:
            return ("MMD has no D: its critic is the witness function, worked out in closed form between the "
                    f"data and the fakes (mean on real {batch.verdict_real.mean():.3f}, on fake "
                    f"{batch.verdict_fake.mean():.3f}).")
        what = "critic value f(x)" if spec.raw_critic else "D(x), the probability of real"
        packs = f" D judges packs of {pack} points: each point shows its pack's verdict." if pack > 1 else ""
        return (f"Mean {what}: real {batch.verdict_real.mean():.3f}, fake {batch.verdict_fake.mean():.3f}."
                + packs)

    def _d_says(self, d_loss: float, penalty: float) -> str:
        spec, cfg = self.run.config.variant_spec, self.run.config
        if not spec.trains_critic:
            return "MMD has no D to update: its critic is computed in closed form from each batch, so nothing changes here."
        says = f"D's loss {d_loss:.4f}" + (f", penalty {penalty:.4f}" if penalty else "") + "."
        if spec.clip_weights:
            says += f" Then its weights are clipped to ±{cfg.clip:g}."
        return says + " The heatmap before and after."

    def _g_says(self, g_loss: float, before: Frame, after: Frame) -> str:
        moved = float(np.linalg.norm(after.fake - before.fake, axis=1).mean())
        says = f"G's loss {g_loss:.4f}; the fixed fakes moved {moved:.4f} on average (ghosts: where they were)."
        if self.run.config.variant_spec.unrolled:
            says += (f" G's loss is taken against D after {self.run.config.lookahead} look-ahead steps, "
                     "differentiated through them; D keeps none of them.")
        return says

    def _refuse_in_round(self) -> None:
        self.shown_index = None
        if self.in_round:
            raise ValueError(f"a round is under way: play it to its end first (next: {self.next_label})")
        if self.run.status == "diverged":
            raise ValueError("the run diverged: no player moves any more")

    def _show(self, stage: Stage) -> Stage:
        self.stage = stage
        return stage
