"""The Flow-GAN generator: exact likelihood by change of variables, and the hybrid loss."""
import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal

from ganplay import flow
from ganplay.lesson_training import seeded


def random_flow(seed: int = 0) -> flow.Flow:
    """A flow away from its identity initialisation, in float64 for exact comparisons."""
    with seeded(seed):
        f = flow.Flow(2, layers=4, hidden=16).double()
        for coupling in f.couplings:
            torch.nn.init.normal_(coupling.net[-1].weight, std=0.2)
            torch.nn.init.normal_(coupling.net[-1].bias, std=0.2)
    return f


def test_untrained_flow_is_the_standard_normal():
    f, x = flow.Flow(2), torch.randn(100, 2)
    torch.testing.assert_close(f(x), x)
    torch.testing.assert_close(f.log_prob(x), Normal(0.0, 1.0).log_prob(x).sum(dim=1))


def test_inverse_undoes_the_forward_map():
    f, z = random_flow(), torch.randn(200, 2, dtype=torch.float64)
    torch.testing.assert_close(f.inverse(f(z))[0], z)


def test_log_prob_of_a_constant_affine_coupling_is_a_shifted_scaled_normal():
    coupling = flow.Flow(2, layers=1).double()
    last = coupling.couplings[0].net[-1]  # outputs (raw log-scale, shift) for both coordinates
    with torch.no_grad():
        last.bias.copy_(torch.tensor([0.0, 0.3, 0.0, -1.5], dtype=torch.float64))
    # mask of layer 0 keeps coordinate 0: coordinate 1 = z·e^{2 tanh 0.3} − 1.5
    x = torch.randn(50, 2, dtype=torch.float64)
    expected = Normal(0.0, 1.0).log_prob(x[:, 0]) + Normal(-1.5, math.exp(2 * math.tanh(0.3))).log_prob(x[:, 1])
    torch.testing.assert_close(coupling.log_prob(x), expected)


def test_log_prob_equals_the_change_of_variables_with_the_autograd_jacobian():
    f, x = random_flow(), torch.randn(5, 2, dtype=torch.float64)
    for point, log_p in zip(x, f.log_prob(x)):
        jacobian = torch.autograd.functional.jacobian(lambda p: f.inverse(p.unsqueeze(0))[0][0], point)
        z = f.inverse(point.unsqueeze(0))[0][0]
        expected = Normal(0.0, 1.0).log_prob(z).sum() + torch.linalg.slogdet(jacobian).logabsdet
        torch.testing.assert_close(log_p, expected)


def test_density_integrates_to_one():
    f, ticks = random_flow(), torch.linspace(-30, 30, 801, dtype=torch.float64)
    grid = torch.cartesian_prod(ticks, ticks)
    with torch.no_grad():
        density = f.log_prob(grid).exp().reshape(len(ticks), len(ticks))
    total = torch.trapezoid(torch.trapezoid(density, ticks, dim=1), ticks)
    assert total.item() == pytest.approx(1.0, abs=1e-3)


def test_hybrid_loss_refuses_a_negative_lambda_and_an_unknown_variant():
    with pytest.raises(ValueError, match="λ"):
        flow.HybridLoss(mle_weight=-1.0)
    with pytest.raises(ValueError, match="variant"):
        flow.HybridLoss(variant="vae")


def test_large_lambda_gives_a_higher_test_log_likelihood_than_pure_gan():
    pure_gan, mle = (flow.train_flow_gan(flow.HybridLoss(mle_weight=w), steps=200, n=2000) for w in (0.0, 100.0))
    assert mle.test_log_likelihood > pure_gan.test_log_likelihood
    assert mle.samples.shape == pure_gan.test.shape == (1000, 2)


def test_flow_gan_is_deterministic_per_seed_and_reports_progress():
    seen = []
    first = flow.train_flow_gan(flow.HybridLoss(mle_weight=1.0), steps=20, n=400, progress=seen.append)
    second = flow.train_flow_gan(flow.HybridLoss(mle_weight=1.0), steps=20, n=400)
    np.testing.assert_array_equal(first.samples, second.samples)
    assert first.test_log_likelihood == second.test_log_likelihood
    assert seen[-1] == 1.0
