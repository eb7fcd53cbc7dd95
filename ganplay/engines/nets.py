"""Stacked MLPs: R independent networks of one shape, evaluated together with batched matmuls.

Parameters live in one flat vector per network kind, laid out layer by layer ([W1 of every run],
[b1 of every run], ..., padding), so that each weight is a contiguous (R, out, in) view (nn.Linear's order)
and an optimiser updates everything with a handful of tensor ops. Activations are feature-major,
(R, features, batch): then every product has the batch as its long side, which MKL runs up to five
times faster than the (R, batch, features) layout when a layer has one or two units. Back-propagation
is written out by hand: for these tiny networks autograd's bookkeeping costs more than the arithmetic.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import torch
import torch.nn.functional as F

# Flat vectors are padded to a multiple of this many elements (256 bytes): element-wise kernels such as
# the fused Adam take a vector path over whole blocks and a scalar one for a ragged end, which may round
# differently; with no ragged end, each run's update is the same whether it trains alone or in a stack.
ALIGN = 64

def expect(state: dict[str, torch.Tensor], name: str, shape, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """state[name], refused with a ValueError naming it unless it is a tensor of this shape and dtype (a saved
    run of another architecture, or a damaged one): what the engines' load_state checks every entry with."""
    value = state.get(name)
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name}: missing")
    if value.dtype != dtype or tuple(value.shape) != tuple(shape):
        raise ValueError(f"{name}: {value.dtype} of shape {tuple(value.shape)} where this run needs {dtype} of "
                         f"shape {tuple(shape)} (another architecture?)")
    return value


@dataclass(frozen=True)
class Activation:
    forward: Callable[[torch.Tensor], torch.Tensor]
    # (dL/dy, y) -> dL/dx, from the output alone; these are the kernels autograd itself calls.
    backward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    # Slope constant on each piece, so the second derivative vanishes almost everywhere.
    piecewise_linear: bool = False


LEAK = 0.2
_aten = torch.ops.aten
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({
    "relu": Activation(torch.relu, lambda grad, y: _aten.threshold_backward(grad, y, 0), piecewise_linear=True),
    "leaky_relu": Activation(lambda x: F.leaky_relu(x, LEAK),
                             lambda grad, y: _aten.leaky_relu_backward(grad, y, LEAK, True), piecewise_linear=True),
    "tanh": Activation(torch.tanh, _aten.tanh_backward),
    "elu": Activation(F.elu, lambda grad, y: _aten.elu_backward(grad, 1.0, 1, 1, True, y)),
})


@dataclass(frozen=True)
class MLPShape:
    """Layer sizes (in, hidden..., out) of R stacked networks."""

    sizes: tuple[int, ...]
    runs: int

    @property
    def layers(self) -> list[tuple[int, int]]:
        return list(zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def numel(self) -> int:
        """The flat vector's length: every run's weights and biases, padded to a whole number of ALIGN."""
        used = self.runs * sum(i * o + o for i, o in self.layers)
        return -(-used // ALIGN) * ALIGN

    def views(self, flat: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(W (R, out, in), b (R, out, 1)) views into a flat parameter or gradient vector."""
        out, offset, r = [], 0, self.runs
        for i, o in self.layers:
            w = flat[offset:offset + r * i * o].view(r, o, i)
            offset += r * i * o
            b = flat[offset:offset + r * o].view(r, o, 1)
            offset += r * o
            out.append((w, b))
        return out

    @functools.cache
    def positions(self) -> torch.Tensor:
        """(R, elements per run): where each run's elements lie in the flat vector, layer by layer."""
        index = self.run_index()
        return torch.argsort(index, stable=True)[int((index < 0).sum()):].view(self.runs, -1)

    def run_index(self) -> torch.Tensor:
        """For every element of the flat vector, the run it belongs to (the padding: -1, no run)."""
        index = torch.cat([torch.arange(self.runs).repeat_interleave(n) for i, o in self.layers for n in (i * o, o)])
        return torch.cat([index, index.new_full((self.numel - len(index),), -1)])


def init_layer(fan_in: int, fan_out: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """nn.Linear's default init, U(−1/√in, 1/√in): W (out, in), b (out,), both engines' start."""
    bound = fan_in ** -0.5
    # drawn in (in, out) order, so a seed keeps the networks it has always had
    w = torch.empty(fan_in, fan_out).uniform_(-bound, bound, generator=gen).T
    return w, torch.empty(fan_out).uniform_(-bound, bound, generator=gen)


def init_params(shape: MLPShape, generators: Sequence[torch.Generator]) -> torch.Tensor:
    """init_layer for every layer, drawn per run from that run's generator."""
    flat = torch.empty(shape.numel)
    for (w, b), (fan_in, fan_out) in zip(shape.views(flat), shape.layers):
        for r, gen in enumerate(generators):
            w[r], b[r, :, 0] = init_layer(fan_in, fan_out, gen)
    return flat


def forward(weights, x: torch.Tensor, activation: Activation) -> list[torch.Tensor]:
    """All layer outputs [x, h1, ..., out] of x (R, in, B); the last layer is linear.

    Works with or without autograd: the penalties differentiate through it twice.
    """
    outputs = [x]
    for k, (w, b) in enumerate(weights):
        x = torch.baddbmm(b, w, x)
        if k < len(weights) - 1:
            x = activation.forward(x)
        outputs.append(x)
    return outputs


def _to_inputs(w: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """A layer's output delta carried to its inputs, Wᵀ δ; a one-unit layer's is an outer product, for
    which a broadcast multiply beats a GEMM."""
    return w.mT * delta if w.shape[1] == 1 else torch.bmm(w.mT, delta)


def backward(weights, outputs, delta, activation: Activation, grads=None, need_input=False):
    """Back-propagate delta = dL/d(out) (R, out, B) through the layers.

    Writes dL/dW, dL/db into `grads` (views like `weights`) when given, and returns dL/dx when
    need_input, else None.
    """
    for k in range(len(weights) - 1, -1, -1):
        w, _ = weights[k]
        if grads is not None:
            gw, gb = grads[k]
            torch.bmm(delta, outputs[k].mT, out=gw)
            torch.sum(delta, dim=2, keepdim=True, out=gb)
        if k == 0 and not need_input:
            return None
        delta = _to_inputs(w, delta)
        if k > 0:
            delta = activation.backward(delta, outputs[k])
    return delta


def input_gradient(weights, outputs, activation: Activation):
    """∇x of the summed output at every input column (R, in, B), and each layer's output delta e_k."""
    delta = torch.ones_like(outputs[-1])
    deltas = [delta]
    for k in range(len(weights) - 1, 0, -1):
        w = weights[k][0]
        delta = activation.backward(_to_inputs(w, delta), outputs[k])
        deltas.append(delta)
    deltas.reverse()
    return torch.bmm(weights[0][0].mT, deltas[0]), deltas


def input_gradient_grads(weights, outputs, deltas, direction: torch.Tensor, activation: Activation):
    """d/dW_k of Σ ⟨direction, ∇x out⟩ for every layer, for a piecewise-linear activation.

    Its slopes are then fixed masks, so ∇x out = W_1ᵀ M_1 W_2ᵀ ... is linear in each W_k and the
    derivative is Σ e_k v_kᵀ: the deltas of input_gradient times the direction carried forward
    through the same masks. The biases do not enter ∇x out. This is what a gradient penalty needs,
    without autograd's double backward.
    """
    grads, v = [], direction
    for k, (w, _) in enumerate(weights):
        grads.append(torch.bmm(deltas[k], v.mT))
        if k < len(weights) - 1:
            v = activation.backward(torch.bmm(w, v), outputs[k + 1])
    return grads


@dataclass
class SpectralNorm:
    """One power iteration per step (Miyato et al. 2018), as torch's spectral_norm parametrisation.

    Holds the left singular vector estimate u (R, out) of every layer; W_sn = W / σ(W).
    """

    u: list[torch.Tensor]
    factors: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = field(default_factory=list)
    # Runs whose u and v stay as they are (frozen runs: a stack goes on iterating, a lone run would not).
    held: torch.Tensor | None = None

    @classmethod
    def start(cls, weights, generators: Sequence[torch.Generator]) -> "SpectralNorm":
        """A random unit u per layer and run, each run's from its own generator."""
        return cls([F.normalize(torch.stack([torch.randn(w.shape[1], generator=g) for g in generators]), dim=1)
                    for w, _ in weights])

    def normalise(self, weights, iterate: bool = True):
        """W / σ for every layer, σ = uᵀ W v; u, v are constants to autograd, as in the paper.

        iterate=False reuses the last power iteration (a second pass within the same step); before the first
        one it iterates on a copy, so that reading D before training leaves the training as it would be.
        """
        out, factors = [], []
        for k, (w, b) in enumerate(weights):
            u = self.u[k]
            if iterate or not self.factors:
                with torch.no_grad():
                    v = F.normalize((u.unsqueeze(2) * w).sum(dim=1), dim=1)
                    u = F.normalize((w * v.unsqueeze(1)).sum(dim=2), dim=1)
                if iterate and self.held is not None:
                    u = torch.where(self.held.unsqueeze(1), self.u[k], u)
                    v = torch.where(self.held.unsqueeze(1), self.factors[k][1], v)
                if iterate:
                    self.u[k] = u
            else:
                v = self.factors[k][1]
            # products and sums rather than matrix-vector kernels, whose rounding depends on the run count
            sigma = (u * (w * v.unsqueeze(1)).sum(dim=2)).sum(dim=1).view(-1, 1, 1)
            out.append((w / sigma, b))
            factors.append((u, v, sigma.detach()))
        if iterate:
            self.factors = factors
        return out

    def hold(self, run: int) -> None:
        """Keep run's vectors from now on (it was frozen)."""
        if self.held is None:
            self.held = torch.zeros(len(self.u[0]), dtype=torch.bool)
        self.held[run] = True

    def adopt(self, sources: Sequence[tuple["SpectralNorm", int]]) -> None:
        """Run j takes the vectors of run r of norm s, for (s, r) = sources[j] (all trained, or none)."""
        trained = {bool(source.factors) for source, _ in sources}
        if len(trained) > 1:
            raise ValueError("spectral norm: runs before and after their first step cannot share a stack")
        rows = lambda tensors: torch.stack([t[r] for t, r in tensors])  # noqa: E731
        self.u = [rows([(s.u[k], r) for s, r in sources]) for k in range(len(self.u))]
        if trained.pop():
            self.factors = [(self.u[k], rows([(s.factors[k][1], r) for s, r in sources]),
                             rows([(s.factors[k][2], r) for s, r in sources])) for k in range(len(self.u))]
        held = torch.tensor([s.held is not None and bool(s.held[r]) for s, r in sources])
        self.held = held if held.any() else None

    def run_state(self, run: int) -> dict[str, torch.Tensor]:
        """Run's vectors (u per layer; v and σ once it trained), and whether they are held, as "sn.*" copies."""
        state = {f"sn.u{k}": u[run].clone() for k, u in enumerate(self.u)}
        for k, (_, v, sigma) in enumerate(self.factors):
            state[f"sn.v{k}"], state[f"sn.sigma{k}"] = v[run].clone(), sigma[run].clone()
        return state | {"sn.held": torch.tensor(self.held is not None and bool(self.held[run]))}

    def load_run_state(self, run: int, state: dict[str, torch.Tensor], weights) -> None:
        """Run's vectors from run_state, for D's weights (W (R, out, in), b): a lone run's (v and σ are kept for
        every run of a stack or for none)."""
        for k, u in enumerate(self.u):
            u[run] = expect(state, f"sn.u{k}", u.shape[1:])
        if "sn.v0" in state:
            self.factors = [(self.u[k], torch.zeros(w.shape[0], w.shape[2]), torch.ones(w.shape[0], 1, 1))
                            for k, (w, _) in enumerate(weights)] if not self.factors else self.factors
            for k, (w, _) in enumerate(weights):
                self.factors[k][1][run] = expect(state, f"sn.v{k}", w.shape[2:])
                self.factors[k][2][run] = expect(state, f"sn.sigma{k}", (1, 1))
        if bool(expect(state, "sn.held", (), torch.bool)):
            self.hold(run)

    def chain(self, normalised, grads) -> None:
        """Turn dL/dW_sn in `grads` into dL/dW, in place: (G − ⟨G, W_sn⟩ u vᵀ) / σ."""
        for (w_sn, _), (gw, _), (u, v, sigma) in zip(normalised, grads, self.factors):
            inner = (gw * w_sn).sum(dim=(1, 2), keepdim=True)
            gw.sub_(inner * u.unsqueeze(2) * v.unsqueeze(1)).div_(sigma)
