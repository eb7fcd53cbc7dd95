"""The hand-written back-propagation must agree with autograd, layer for layer."""
import pytest
import torch

from ganplay.engines import nets


def _stack(sizes, runs=3, seed=0):
    shape = nets.MLPShape(sizes, runs)
    gens = [torch.Generator().manual_seed(seed + r) for r in range(runs)]
    return shape, nets.init_params(shape, gens)


@pytest.mark.parametrize("activation", sorted(nets.ACTIVATIONS))
@pytest.mark.parametrize("sizes", [(2, 16, 16, 1), (3, 8, 2), (4, 5, 5, 5, 3)])
def test_manual_backward_matches_autograd(activation, sizes):
    shape, flat = _stack(sizes)
    act = nets.ACTIVATIONS[activation]
    x = torch.randn(shape.runs, sizes[0], 7, generator=torch.Generator().manual_seed(1), requires_grad=True)
    upstream = torch.randn(shape.runs, sizes[-1], 7, generator=torch.Generator().manual_seed(2))

    leaf = flat.clone().requires_grad_()
    out = nets.forward(shape.views(leaf), x, act)[-1]
    expected_params, expected_x = torch.autograd.grad((out * upstream).sum(), [leaf, x])

    grad = torch.zeros_like(flat)
    with torch.no_grad():
        outputs = nets.forward(shape.views(flat), x.detach(), act)
        dx = nets.backward(shape.views(flat), outputs, upstream, act, grads=shape.views(grad), need_input=True)
    torch.testing.assert_close(grad, expected_params)
    torch.testing.assert_close(dx, expected_x)


def test_runs_in_a_stack_do_not_interact():
    shape, flat = _stack((2, 8, 1), runs=4)
    x = torch.randn(4, 2, 5)  # (runs, features, batch)
    together = nets.forward(shape.views(flat), x, nets.ACTIVATIONS["relu"])[-1]
    for r in range(4):
        alone = [(w[r:r + 1], b[r:r + 1]) for w, b in shape.views(flat)]
        torch.testing.assert_close(nets.forward(alone, x[r:r + 1], nets.ACTIVATIONS["relu"])[-1], together[r:r + 1])


def test_init_matches_nn_linear_bounds():
    shape, flat = _stack((10, 32, 1), runs=2)
    (w1, b1), (w2, _) = shape.views(flat)
    assert w1.abs().max() <= 10 ** -0.5 and b1.abs().max() <= 10 ** -0.5
    assert w2.abs().max() <= 32 ** -0.5
    assert not torch.equal(w1[0], w1[1])  # each run has its own draw


def test_spectral_norm_converges_to_largest_singular_value():
    shape, flat = _stack((6, 9, 4, 1), runs=2)
    weights = shape.views(flat)
    sn = nets.SpectralNorm.start(weights, [torch.Generator().manual_seed(r) for r in range(len(weights[0][0]))])
    for _ in range(50):
        normalised = sn.normalise(weights)
    for (w, _), (u, v, sigma) in zip(weights, sn.factors):
        torch.testing.assert_close(sigma.flatten(), torch.linalg.matrix_norm(w, ord=2), rtol=1e-4, atol=1e-5)
    for w_sn, _ in normalised:
        torch.testing.assert_close(torch.linalg.matrix_norm(w_sn, ord=2), torch.ones(2), rtol=1e-4, atol=1e-5)


def test_spectral_norm_agrees_with_torch_parametrization():
    with torch.random.fork_rng():
        torch.manual_seed(0)  # a fixed matrix, whose top singular values are well apart
        layer = torch.nn.Linear(5, 7)
        torch.nn.utils.parametrizations.spectral_norm(layer, n_power_iterations=100)
    shape = nets.MLPShape((5, 7), 1)
    weights = [(layer.parametrizations.weight.original.detach().unsqueeze(0), torch.zeros(1, 7, 1))]
    sn = nets.SpectralNorm.start(weights, [torch.Generator().manual_seed(r) for r in range(len(weights[0][0]))])
    for _ in range(100):
        ours = sn.normalise(weights)[0][0]
    torch.testing.assert_close(ours[0], layer.weight.detach(), rtol=1e-4, atol=1e-5)
    assert shape.numel == nets.ALIGN  # 5·7 + 7, padded


def test_spectral_norm_chain_rule_matches_autograd():
    shape, flat = _stack((3, 6, 1), runs=2)
    act = nets.ACTIVATIONS["tanh"]
    sn = nets.SpectralNorm.start(shape.views(flat), [torch.Generator().manual_seed(r) for r in range(2)])
    x = torch.randn(2, 3, 5)
    normalised = sn.normalise(shape.views(flat))  # one power iteration; u, v now fixed

    leaf = flat.clone().requires_grad_()
    out = nets.forward(sn.normalise(shape.views(leaf), iterate=False), x, act)[-1]
    (expected,) = torch.autograd.grad(out.sum(), leaf)

    grad = torch.zeros_like(flat)
    with torch.no_grad():
        outputs = nets.forward(normalised, x, act)
        nets.backward(normalised, outputs, torch.ones_like(outputs[-1]), act, grads=shape.views(grad))
        sn.chain(normalised, shape.views(grad))
    torch.testing.assert_close(grad, expected)
