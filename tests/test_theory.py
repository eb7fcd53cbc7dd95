"""The lecture's theory, checked on 1-D Gaussians against a frozen generator (lr_g = 0).

Data p = N(0, 1); the generator is set by hand to G(z) = relu(z + 10) − 8 = z + 2, so q = N(2, 1).
"""
import numpy as np
import pytest
import torch

import ganplay

RNG = np.random.default_rng(0)
DATA = ganplay.from_array(RNG.normal(size=(20_000, 1)))


def frozen_shifted_generator(variant: str, **settings) -> ganplay.Trainer:
    settings = {"z_dim": 1, "g_depth": 1, "g_width": 1, "lr_g": 0.0, "batch_size": 512, "steps": 2000, **settings}
    cfg = ganplay.RunConfig(dataset="csv", variant=variant, **settings)
    run = ganplay.Trainer(cfg, DATA)
    mean, scale = run.generator_state()["data_mean"].item(), run.generator_state()["data_scale"].item()
    run.load_generator_state({  # G outputs standardised units: (z + 2 − mean) / scale
        "layers.0.weight": torch.tensor([[1.0]]), "layers.0.bias": torch.tensor([10.0]),
        "layers.1.weight": torch.tensor([[1 / scale]]), "layers.1.bias": torch.tensor([(-8 - mean) / scale])})
    return run


def test_the_generator_is_frozen_at_n_2_1():
    run = frozen_shifted_generator("nsgan", steps=50)
    before = run.sample(20_000)
    run.step(50)
    np.testing.assert_array_equal(run.sample(20_000), before)
    assert before.mean() == pytest.approx(2.0, abs=0.03) and before.std() == pytest.approx(1.0, abs=0.03)


def test_trained_discriminator_is_the_optimal_one():
    run = frozen_shifted_generator("nsgan").step(2000)
    x = np.linspace(-1, 3, 41)[:, None]
    # D*(x) = p(x) / (p(x) + q(x)); for these two Gaussians its logit is 2 − 2x.
    optimal = 1 / (1 + np.exp(2 * x[:, 0] - 2))
    np.testing.assert_allclose(1 / (1 + np.exp(-run.critic(x))), optimal, atol=0.04)


def test_wgan_gp_critic_estimates_w1():
    # The penalty is soft: here the optimal critic has slope 1 + 1/λ, so E_p f − E_q f tends to 2(1 + 1/λ),
    # 2.2 at the paper's λ = 10; λ = 100 brings that to 2.02.
    run = frozen_shifted_generator("wgan-gp", d_steps=1, gp_weight=100.0).step(2000)
    estimate = run.critic(RNG.normal(size=(20_000, 1))).mean() - run.critic(run.sample(20_000)).mean()
    assert estimate == pytest.approx(2.0, rel=0.10)  # W1(N(0,1), N(2,1)) = 2
