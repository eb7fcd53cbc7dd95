"""The reference engine: each run an nn.Module with its own torch.optim optimiser, the stack evaluated at
once by torch.func (functional_call under vmap over the runs' stacked parameters), every derivative
autograd's. Slower than "mlp", but it runs any architecture and any loss of D's output; the fast path
is tested against it.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Sequence

import torch
from torch import nn
from torch.func import functional_call, vmap

from ..unrolled import Lookahead
from . import nets
from .protocol import Extras, Layers, Networks

ACTIVATION_MODULES = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(nets.LEAK), "tanh": nn.Tanh, "elu": nn.ELU}
OPTIMISERS = {
    "adam": lambda groups, betas: torch.optim.Adam(groups, betas=betas, eps=1e-8),
    "rmsprop": lambda groups, betas: torch.optim.RMSprop(groups, alpha=betas[1], eps=1e-8),
    "sgd": lambda groups, betas: torch.optim.SGD(groups),
}
_MOMENTS = {"adam": ("exp_avg", "exp_avg_sq"), "rmsprop": (None, "square_avg"), "sgd": (None, None)}  # their state


def mlp_module(sizes: tuple[int, ...], activation: str) -> nn.Sequential:
    """Linear layers with the activation between them; the last layer is linear."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), ACTIVATION_MODULES[activation]()]
    return nn.Sequential(*layers[:-1])


class AutogradPass:
    """A forward pass with autograd's graph: `graph` is the output in it, `out` the same values detached."""

    def __init__(self, net: str, inputs: torch.Tensor, graph: torch.Tensor):
        self.net, self.inputs, self.graph, self.out = net, inputs, graph, graph.detach()


def _built(make, gen: torch.Generator) -> nn.Module:
    """A module from its own initialisation, on a seed drawn from the run's init stream (torch's global
    generator is forked, never disturbed)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(2 ** 62, (), generator=gen)))
        return make()


class _Player:
    """One network kind: a module per run (the parameters) and one optimiser with a group per run (the rates)."""

    def __init__(self, sizes, activation, init: Sequence[torch.Generator], rates, optimizer: str, betas,
                 make=None, extras: Extras = Extras()):
        if make is None:
            self.modules = [mlp_module(sizes, activation) for _ in init]
            with torch.no_grad():
                for module, gen in zip(self.modules, init):
                    for layer, (fan_in, fan_out) in zip(self.linears(module), zip(sizes[:-1], sizes[1:])):
                        layer.weight[:], layer.bias[:] = nets.init_layer(fan_in, fan_out, gen)
            make = lambda: mlp_module(sizes, activation)
        else:
            self.modules = [_built(make, gen) for gen in init]
        self.base = make().to("meta")  # the architecture functional_call runs
        self.names = [name for name, _ in self.modules[0].named_parameters()]
        self.buffers = [name for name, _ in self.modules[0].named_buffers()]
        self.optimiser = OPTIMISERS[optimizer]([{"params": m.parameters(), "lr": lr} for m, lr in
                                                zip(self.modules, rates)], betas)
        self.schedule = None if extras.decay_steps is None else torch.optim.lr_scheduler.LambdaLR(
            self.optimiser, lambda update: max(0.0, 1 - update / extras.decay_steps))
        self.max_grad_norm = extras.max_grad_norm
        self.frozen: set[int] = set()
        self.kept: list[list[list[torch.Tensor]]] = [[], []]

    @staticmethod
    def linears(module: nn.Sequential) -> list[nn.Linear]:
        return [layer for layer in module if isinstance(layer, nn.Linear)]

    def leaves(self) -> list[torch.Tensor]:
        return [p for m in self.modules for p in m.parameters()]

    def stacked(self) -> dict[str, torch.Tensor]:
        """Every run's parameters (and buffers) stacked along a leading axis, differentiably (gradients reach
        each module)."""
        per_run = [dict(m.named_parameters()) | dict(m.named_buffers()) for m in self.modules]
        return {name: torch.stack([params[name] for params in per_run]) for name in self.names + self.buffers}

    @torch.no_grad()
    def update(self) -> None:
        for r in self.frozen:  # torch.optim leaves a parameter without a gradient alone
            for p in self.modules[r].parameters():
                p.grad = None
        if math.isfinite(self.max_grad_norm):
            for module in self.modules:
                nn.utils.clip_grad_norm_(module.parameters(), self.max_grad_norm)
        self.optimiser.step()
        if self.schedule is not None:
            self.schedule.step()


class AutogradEngine:
    """The Engine protocol (protocol.py) on torch.func and torch.optim."""

    def __init__(self, networks: Networks, init: Sequence[torch.Generator]):
        self.networks = networks
        extras = networks.extras
        make = lambda sizes, rates, module: _Player(sizes, networks.activation, init, rates, networks.optimizer,
                                                    networks.betas, module, extras)
        self.players = {"g": make(networks.g_sizes, networks.lr_g, extras.g_module),
                        "d": make(networks.d_sizes, networks.lr_d, None)}
        self.spectral = None
        if networks.spectral_norm:  # the same power iteration as the mlp engine's, on the stacked weights
            self.spectral = nets.SpectralNorm.start(self._weight_pairs(self.players["d"].stacked()), init)
        self.rows = None if networks.data_rows is None else networks.data_rows.flatten().bool()

    def _weight_pairs(self, params: dict[str, torch.Tensor]):
        count = len(self.networks.d_sizes) - 1
        return [(params[f"{2 * k}.weight"], params[f"{2 * k}.bias"]) for k in range(count)]

    def _params(self, net: str, runs, iterate: bool) -> dict[str, torch.Tensor]:
        params = self.players[net].stacked()
        if net == "d":
            params = self._normalised(params, iterate)
        return {name: p[runs] for name, p in params.items()}

    def _normalised(self, params: dict[str, torch.Tensor], iterate: bool) -> dict[str, torch.Tensor]:
        """D's stacked parameters with its weights spectrally normalised, if it is."""
        if self.spectral:
            params = dict(params)
            for k, (w, _) in enumerate(self.spectral.normalise(self._weight_pairs(params), iterate)):
                params[f"{2 * k}.weight"] = w
        return params

    def _apply(self, net: str, params, inputs: torch.Tensor) -> torch.Tensor:
        base = self.players[net].base
        # one run's module on (in, B) columns: nn.Linear takes rows, the game keeps features first
        return vmap(lambda p, x: functional_call(base, p, (x.T,)).T)(params, inputs)

    def forward(self, net: str, inputs: torch.Tensor, run: int | None = None, iterate: bool = True) -> AutogradPass:
        runs = slice(None) if run is None else slice(run, run + 1)
        with torch.enable_grad():
            inputs = inputs.detach().requires_grad_()
            return AutogradPass(net, inputs, self._apply(net, self._params(net, runs, iterate and run is None), inputs))

    def param_grads(self, step: AutogradPass, delta: torch.Tensor) -> None:
        leaves = self.players[step.net].leaves()
        with torch.enable_grad():
            grads = torch.autograd.grad(step.graph, leaves, delta, retain_graph=True)
        for leaf, grad in zip(leaves, grads):
            leaf.grad = grad

    def input_grads(self, step: AutogradPass, delta: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            return torch.autograd.grad(step.graph, step.inputs, delta, retain_graph=True)[0]

    def penalty_grads(self, inputs, runs, weight, target: float) -> torch.Tensor:
        leaves = self.players["d"].leaves()
        with torch.enable_grad():
            inputs = inputs.detach().requires_grad_()
            out = self._apply("d", self._params("d", runs, iterate=False), inputs)
            (grad,) = torch.autograd.grad(out.sum(), inputs, create_graph=True)
            if self.rows is not None:
                grad = grad[:, self.rows]
            values = weight * ((grad.norm(dim=1) - target) ** 2).mean(dim=1)
            grads = torch.autograd.grad(values.sum(), leaves, allow_unused=True, materialize_grads=True)
        for leaf, extra in zip(leaves, grads):
            leaf.grad = leaf.grad + extra
        return values.detach()

    def g_term_grads(self, real: torch.Tensor) -> torch.Tensor:
        term, values = self.networks.extras.g_term, []
        with torch.enable_grad():
            for module, rows in zip(self.players["g"].modules, real):
                params = list(module.parameters())
                value = term(module, rows.T)
                for p, grad in zip(params, torch.autograd.grad(value, params, allow_unused=True,
                                                               materialize_grads=True)):
                    p.grad = grad if p.grad is None else p.grad + grad
                values.append(value.detach())
        return torch.stack(values)

    def lookahead(self) -> Lookahead:
        """D's parameters and torch.optim state stacked over the runs, for G's unrolled loss."""
        player, (first, second) = self.players["d"], _MOMENTS[self.networks.optimizer]
        runs = [list(m.parameters()) for m in player.modules]
        state = player.optimiser.state

        def stacked(k: int, key: str | None, zero) -> torch.Tensor:
            return torch.stack([state[ps[k]].get(key, zero(ps[k])) for ps in runs]).detach()

        shaped = lambda values, p: values.view(-1, *[1] * (p.dim() - 1))  # noqa: E731  (R,) against (R, ...)
        names = player.names
        params = [p.detach() for p in player.stacked().values()][:len(names)]
        step = stacked(0, "step", lambda p: torch.zeros(()))
        lr = torch.tensor([group["lr"] for group in player.optimiser.param_groups])
        bound = torch.tensor(self.networks.clip)

        def apply(values, inputs):
            return self._apply("d", self._normalised(dict(zip(names, values)), iterate=False), inputs)

        return Lookahead(params, [stacked(k, first, torch.zeros_like) for k in range(len(params))],
                         [stacked(k, second, torch.zeros_like) for k in range(len(params))],
                         [shaped(step, p) for p in params], [shaped(lr, p) for p in params],
                         [shaped(bound, p) for p in params], self.networks.optimizer, self.networks.betas, apply)

    def retune(self, networks: Networks) -> None:
        """Take networks' rates, optimiser, betas and clip bounds mid-run (ganplay/schedule.py): as the mlp engine,
        another optimiser starts from fresh state (a new torch.optim optimiser), new rates and betas keep it."""
        for player, rates in ((self.players["g"], networks.lr_g), (self.players["d"], networks.lr_d)):
            if networks.optimizer != self.networks.optimizer:
                player.optimiser = OPTIMISERS[networks.optimizer](
                    [{"params": m.parameters(), "lr": lr} for m, lr in zip(player.modules, rates)], networks.betas)
            for group, lr in zip(player.optimiser.param_groups, rates):
                group["lr"] = lr
                group.update({"betas": networks.betas} if "betas" in group else
                             {"alpha": networks.betas[1]} if "alpha" in group else {})
        self.networks = dataclasses.replace(self.networks, optimizer=networks.optimizer, betas=networks.betas,
                                            lr_g=networks.lr_g, lr_d=networks.lr_d, clip=networks.clip)

    @torch.no_grad()
    def update(self, net: str) -> None:
        player = self.players[net]
        player.update()
        if net == "d":
            for module, bound in zip(player.modules, self.networks.clip):
                if math.isfinite(bound):
                    for p in module.parameters():
                        p.clamp_(-bound, bound)

    @torch.no_grad()
    def checkpoint(self, slot: int) -> None:
        for player in self.players.values():
            player.kept[slot] = [[p.clone() for p in m.parameters()] for m in player.modules]

    @torch.no_grad()
    def freeze(self, run: int, slot: int) -> None:
        for player in self.players.values():
            for p, kept in zip(player.modules[run].parameters(), player.kept[slot][run]):
                p.copy_(kept)
            player.frozen.add(run)
        if self.spectral:
            self.spectral.hold(run)

    def adopt(self, sources) -> None:
        raise NotImplementedError("engine 'autograd': runs cannot move between its stacks; use 'mlp'")

    def state(self, run: int) -> dict[str, torch.Tensor]:
        """One run's whole state (parameters, checkpoints, torch.optim state, freezing, spectral-norm vectors)."""
        if self.networks.extras.decay_steps is not None:
            raise ValueError("engine 'autograd': a run with decayed rates (a lesson's) has no saved form")
        state = {}
        for net, player in self.players.items():
            for name, p in player.modules[run].named_parameters():
                state[f"{net}.{name}"] = p.detach().clone()
                for key, value in player.optimiser.state.get(p, {}).items():
                    state[f"{net}.opt.{key}.{name}"] = value.clone()
            for slot, kept in enumerate(player.kept):
                state |= {f"{net}.kept{slot}.{name}": p.clone() for name, p in zip(player.names, kept[run] if kept else ())}
            state[f"{net}.frozen"] = torch.tensor(run in player.frozen)
        return state | ({} if self.spectral is None else self.spectral.run_state(run))

    @torch.no_grad()
    def load_state(self, run: int, state: dict[str, torch.Tensor]) -> None:
        """Run becomes the run state() described; ValueError naming the first entry that does not fit."""
        moments = [key for key in _MOMENTS[self.networks.optimizer] if key]
        for net, player in self.players.items():
            params = dict(player.modules[run].named_parameters())
            for name, p in params.items():
                p.copy_(nets.expect(state, f"{net}.{name}", p.shape))
                if f"{net}.opt.step.{name}" in state:  # torch.optim keeps no state before a parameter's first step
                    player.optimiser.state[p] = {"step": nets.expect(state, f"{net}.opt.step.{name}", ()).clone()} | {
                        key: nets.expect(state, f"{net}.opt.{key}.{name}", p.shape).clone() for key in moments}
            for slot, kept in enumerate(player.kept):
                if f"{net}.kept{slot}.{player.names[0]}" in state:
                    if not kept:
                        player.kept[slot] = kept = [[q.clone() for q in m.parameters()] for m in player.modules]
                    kept[run] = [nets.expect(state, f"{net}.kept{slot}.{name}", p.shape).clone()
                                 for name, p in params.items()]
            if bool(nets.expect(state, f"{net}.frozen", (), torch.bool)):
                player.frozen.add(run)
        if self.spectral is not None:
            self.spectral.load_run_state(run, state, self._weight_pairs(self.players["d"].stacked()))

    def module(self, net: str, run: int) -> nn.Module:
        """One run's network as the module it trains (live: writing its parameters sets the network)."""
        return self.players[net].modules[run]

    def layers(self, net: str, run: int, gradient: bool = False) -> Layers:
        layers = _Player.linears(self.players[net].modules[run])
        if gradient:
            return [(layer.weight.grad, layer.bias.grad) for layer in layers]
        return [(layer.weight, layer.bias) for layer in layers]
