"""The fast engine: R stacked MLPs with back-propagation written out (nets.py) and flat optimisers (optim.py).

Each player's parameters, gradient and optimiser state are one flat vector; the layer views into them
stay valid for the life of the engine because every update is in place.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Sequence

import numpy as np
import torch

from ..unrolled import Lookahead
from . import nets, optim
from .protocol import Layers, Networks


def _rates(rates: Sequence[float], run_index: torch.Tensor) -> optim.Rate:
    """One float when every run has the same rate (the optimisers' fused path), else one per element
    (the padding takes the last run's: its gradient is zero, so any rate leaves it at zero)."""
    return float(rates[0]) if len(set(rates)) == 1 else torch.tensor(rates)[run_index]


STATE_VECTORS = ("params", "kept0", "kept1", "first", "second")  # a player's flat vectors, per run


class MLPPass:
    """A forward pass of one player: the weights it used and every layer's output (out: the last)."""

    __slots__ = ("net", "weights", "outputs", "out")

    def __init__(self, net: str, weights, outputs: list[torch.Tensor]):
        self.net, self.weights, self.outputs, self.out = net, weights, outputs, outputs[-1]


class _Player:
    """One network kind of every run: flat parameters, gradient, optimiser state and their layer views."""

    def __init__(self, sizes: tuple[int, ...], runs: int, init: Sequence[torch.Generator], rates: Sequence[float]):
        self.shape = nets.MLPShape(sizes, runs)
        self.params = nets.init_params(self.shape, init)
        self.grad = torch.zeros_like(self.params)
        self.views, self.grad_views = self.shape.views(self.params), self.shape.views(self.grad)
        self.state = optim.new_state(self.params)
        self.run_index = self.shape.run_index()
        self.rate = _rates(rates, self.run_index)
        # Parameters at the start of the last two steps (see Engine.checkpoint).
        self.kept = [self.params.clone() for _ in range(2)]
        # Elements of frozen runs, and their values: put back after every update, so that the others keep
        # the update they would make alone (and a frozen run's NaN gradient never reaches its weights).
        self.frozen: torch.Tensor | None = None
        self.held = self.params

    def update(self, optimiser: optim.Update, betas: tuple[float, float]) -> None:
        optimiser(self.params, self.grad, self.state, self.rate, betas)
        if self.frozen is not None:
            torch.where(self.frozen, self.held, self.params, out=self.params)

    def freeze(self, run: int, slot: int) -> None:
        part = self.run_index == run
        self.params[part] = self.kept[slot][part]
        self.frozen = part if self.frozen is None else self.frozen | part
        self.held = self.params.clone()

    def is_frozen(self, run: int) -> bool:
        return self.frozen is not None and bool(self.frozen[self.run_index == run].any())

    def adopt(self, sources: Sequence[tuple["_Player", int]]) -> None:
        """Run j becomes run r of player p, for (p, r) = sources[j]: weights, checkpoints, optimiser state."""
        order = self.shape.positions().flatten()
        theirs = [(source._state_vectors(), source.shape.positions()[r]) for source, r in sources]
        for k, mine in enumerate(self._state_vectors()):
            mine[order] = torch.cat([vectors[k][at] for vectors, at in theirs])
        # Frozen runs stop counting steps alone but not in a stack: the count is that of the runs still live.
        counts = {source.state.step for source, r in sources if not source.is_frozen(r)}
        if len(counts) > 1:
            raise ValueError("runs at different optimiser steps cannot share a stack")
        self.state.step = counts.pop() if counts else max(source.state.step for source, _ in sources)
        self.state.step_tensor.fill_(self.state.step)
        frozen = [j for j, (source, r) in enumerate(sources) if source.is_frozen(r)]
        self.frozen = torch.isin(self.run_index, torch.tensor(frozen)) if frozen else None
        self.held = self.params.clone() if frozen else self.params

    def _state_vectors(self) -> tuple[torch.Tensor, ...]:
        return self.params, *self.kept, self.state.first, self.state.second

    def run_state(self, run: int) -> dict[str, torch.Tensor]:
        """Run's weights, checkpoints and optimiser state as flat copies (what adopt moves), its step, frozen."""
        at = self.shape.positions()[run]
        state = {name: vector[at].clone() for name, vector in zip(STATE_VECTORS, self._state_vectors())}
        return state | {"step": torch.tensor(self.state.step), "frozen": torch.tensor(self.is_frozen(run))}

    def load_run_state(self, run: int, state: dict[str, torch.Tensor]) -> None:
        """Run becomes the one run_state described (the optimiser's step is the stack's: load a lone run)."""
        at = self.shape.positions()[run]
        for name, vector in zip(STATE_VECTORS, self._state_vectors()):
            vector[at] = nets.expect(state, name, (len(at),))
        self.state.step = int(nets.expect(state, "step", (), torch.int64))
        self.state.step_tensor.fill_(self.state.step)
        if bool(nets.expect(state, "frozen", (), torch.bool)):
            part = self.run_index == run
            self.frozen = part if self.frozen is None else self.frozen | part
            self.held = self.params.clone()


class MLPEngine:
    """The Engine protocol (protocol.py) on hand-written stacked MLPs."""

    def __init__(self, networks: Networks, init: Sequence[torch.Generator]):
        self.networks, runs = networks, networks.runs
        self.act = nets.ACTIVATIONS[networks.activation]
        self.optimiser = optim.OPTIMIZERS[networks.optimizer]
        self.players = {"g": _Player(networks.g_sizes, runs, init, networks.lr_g),
                        "d": _Player(networks.d_sizes, runs, init, networks.lr_d)}
        self._set_clip(networks.clip)
        self.spectral = nets.SpectralNorm.start(self.players["d"].views, init) if networks.spectral_norm else None

    def _set_clip(self, clip: Sequence[float]) -> None:
        index = self.players["d"].run_index
        self.clip = torch.tensor(clip)[index] if any(map(np.isfinite, clip)) else None

    def retune(self, networks: Networks) -> None:
        """Take networks' rates, optimiser, betas and clip bounds mid-run (ganplay/schedule.py). Another optimiser
        starts from fresh state, as a new torch.optim optimiser over the same weights would; new betas keep it."""
        if networks.optimizer != self.networks.optimizer:
            self.optimiser = optim.OPTIMIZERS[networks.optimizer]
            for player in self.players.values():
                player.state = optim.new_state(player.params)
        for player, rates in ((self.players["g"], networks.lr_g), (self.players["d"], networks.lr_d)):
            player.rate = _rates(rates, player.run_index)
        self._set_clip(networks.clip)
        self.networks = dataclasses.replace(self.networks, optimizer=networks.optimizer, betas=networks.betas,
                                            lr_g=networks.lr_g, lr_d=networks.lr_d, clip=networks.clip)

    def forward(self, net: str, inputs: torch.Tensor, run: int | None = None, iterate: bool = True) -> MLPPass:
        weights = self.players[net].views
        if self.spectral is not None and net == "d":
            weights = self.spectral.normalise(weights, iterate and run is None)
        if run is not None:
            weights = [(w[run:run + 1], b[run:run + 1]) for w, b in weights]
        return MLPPass(net, weights, nets.forward(weights, inputs, self.act))

    def param_grads(self, step: MLPPass, delta: torch.Tensor) -> None:
        grads = self.players[step.net].grad_views
        nets.backward(step.weights, step.outputs, delta, self.act, grads=grads)
        if step.net == "d" and self.spectral:
            self.spectral.chain(step.weights, grads)

    def input_grads(self, step: MLPPass, delta: torch.Tensor) -> torch.Tensor:
        return nets.backward(step.weights, step.outputs, delta, self.act, need_input=True)

    def penalty_grads(self, inputs, runs, weight, target: float) -> torch.Tensor:
        """Second derivatives written out for a piecewise-linear D, autograd's otherwise."""
        by_hand = self.act.piecewise_linear and not self.spectral
        return (self._penalty_by_hand if by_hand else self._penalty_by_autograd)(inputs, runs, weight, target)

    def _penalty_by_hand(self, inputs, runs, weight, target: float) -> torch.Tensor:
        every = len(runs) == self.networks.runs
        d = self.players["d"]
        weights = d.views if every else [(w[runs], b[runs]) for w, b in d.views]
        outputs = nets.forward(weights, inputs, self.act)
        grad, deltas = nets.input_gradient(weights, outputs, self.act)
        grad = self._data_rows_of(grad)
        norms = grad.norm(dim=1, keepdim=True)
        gap = norms - target
        # d/d grad of weight · mean gap² = weight · 2 gap / count · grad / ‖grad‖
        direction = grad * (weight.view(-1, 1, 1) * 2 / norms.shape[2] * gap / norms.clamp_min(1e-12))
        # added the same way whichever runs pay, so a stack computes what its runs alone do
        for (total, _), part in zip(d.grad_views, nets.input_gradient_grads(weights, outputs, deltas, direction, self.act)):
            total.index_add_(0, runs, part)
        return weight * (gap ** 2).mean(dim=(1, 2))

    def _penalty_by_autograd(self, inputs, runs, weight, target: float) -> torch.Tensor:
        d = self.players["d"]
        with torch.enable_grad():
            leaf = d.params.detach().requires_grad_()
            weights = d.shape.views(leaf)
            if self.spectral:
                weights = self.spectral.normalise(weights, iterate=False)
            inputs = inputs.detach().requires_grad_()
            out = nets.forward([(w[runs], b[runs]) for w, b in weights], inputs, self.act)[-1]
            (grad,) = torch.autograd.grad(out.sum(), inputs, create_graph=True)
            gap = self._data_rows_of(grad).norm(dim=1, keepdim=True) - target
            values = weight * (gap ** 2).mean(dim=(1, 2))
            (param_grad,) = torch.autograd.grad(values.sum(), leaf)
        d.grad.add_(param_grad)
        return values.detach()

    def _data_rows_of(self, grad: torch.Tensor) -> torch.Tensor:
        rows = self.networks.data_rows
        return grad if rows is None else grad * rows

    def update(self, net: str) -> None:
        player = self.players[net]
        player.update(self.optimiser, self.networks.betas)
        if net == "d" and self.clip is not None:
            player.params.clamp_(-self.clip, self.clip)

    def checkpoint(self, slot: int) -> None:
        for player in self.players.values():
            player.kept[slot].copy_(player.params)

    def freeze(self, run: int, slot: int) -> None:
        for player in self.players.values():
            player.freeze(run, slot)
        if self.spectral:
            self.spectral.hold(run)

    def adopt(self, sources: Sequence[tuple["MLPEngine", int]]) -> None:
        for net, player in self.players.items():
            player.adopt([(engine.players[net], r) for engine, r in sources])
        if self.spectral:
            self.spectral.adopt([(engine.spectral, r) for engine, r in sources])

    def state(self, run: int) -> dict[str, torch.Tensor]:
        """One run's whole state (weights, checkpoints, optimiser, freezing, spectral-norm vectors), copied."""
        state = {f"{net}.{name}": value for net, player in self.players.items()
                 for name, value in player.run_state(run).items()}
        return state | ({} if self.spectral is None else self.spectral.run_state(run))

    def load_state(self, run: int, state: dict[str, torch.Tensor]) -> None:
        """Run becomes the run state() described; ValueError naming the first entry that does not fit."""
        for net, player in self.players.items():
            try:
                player.load_run_state(run, {name[2:]: value for name, value in state.items() if name[:2] == f"{net}."})
            except ValueError as problem:
                raise ValueError(f"{net}.{problem}") from None
        if self.spectral is not None:
            self.spectral.load_run_state(run, state, self.players["d"].views)

    def lookahead(self) -> Lookahead:
        """D's flat parameters and optimiser state, for G's unrolled loss (ganplay/unrolled.py)."""
        d = self.players["d"]

        def apply(values, inputs):
            weights = d.shape.views(values[0])
            if self.spectral is not None:
                weights = self.spectral.normalise(weights, iterate=False)
            return nets.forward(weights, inputs, self.act)[-1]

        bound = math.inf if self.clip is None else self.clip
        # copies: D's own tensors change in place with its next update
        return Lookahead([d.params.clone()], [d.state.first.clone()], [d.state.second.clone()], [d.state.step],
                         [d.rate], [bound], self.networks.optimizer, self.networks.betas, apply)

    def layers(self, net: str, run: int, gradient: bool = False) -> Layers:
        player = self.players[net]
        return [(w[run], b[run, :, 0]) for w, b in (player.grad_views if gradient else player.views)]
