"""Each variant's loss terms: the slopes are the derivatives, and the losses are the papers'."""
import math

import pytest
import torch
from torch.func import grad, vmap

from ganplay.variants import VARIANTS

TERMS = sorted({(name, attr) for name in VARIANTS for attr in ("d_real", "d_fake", "g_fake")})


@pytest.mark.parametrize("name,attr", TERMS)
def test_term_slope_is_the_derivative_of_its_value(name, attr):
    term = getattr(VARIANTS[name], attr)
    x = torch.linspace(-6, 6, 241, dtype=torch.float64) + 0.013  # off the hinge kinks
    torch.testing.assert_close(term.slope(x), vmap(grad(term.value))(x))


def test_terms_are_stable_for_huge_logits():
    x = torch.tensor([-1e4, 1e4])
    for variant in VARIANTS.values():
        for term in (variant.d_real, variant.d_fake, variant.g_fake):
            assert torch.isfinite(term.value(x)).all() and torch.isfinite(term.slope(x)).all()


def test_gan_losses_are_binary_cross_entropy():
    logits = torch.tensor([-2.0, 0.3, 4.0])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    gan, nsgan = VARIANTS["gan"], VARIANTS["nsgan"]
    torch.testing.assert_close(gan.d_real.value(logits), bce(logits, torch.ones(3), reduction="none"))
    torch.testing.assert_close(gan.d_fake.value(logits), bce(logits, torch.zeros(3), reduction="none"))
    torch.testing.assert_close(nsgan.g_fake.value(logits), bce(logits, torch.ones(3), reduction="none"))
    torch.testing.assert_close(gan.g_fake.value(logits), torch.log(1 - torch.sigmoid(logits)))


def test_minimax_generator_saturates_where_non_saturating_does_not():
    confident_rejection = torch.tensor([-8.0])  # D(G(z)) ≈ 0.0003
    assert abs(VARIANTS["gan"].g_fake.slope(confident_rejection).item()) < 1e-3
    assert abs(VARIANTS["nsgan"].g_fake.slope(confident_rejection).item()) == pytest.approx(1.0, abs=1e-3)


def test_lsgan_targets():
    ls, chi2 = VARIANTS["lsgan"], VARIANTS["lsgan-chi2"]
    assert ls.d_real.value(torch.tensor(1.0)) == 0 and ls.d_fake.value(torch.tensor(0.0)) == 0
    assert chi2.d_fake.value(torch.tensor(-1.0)) == 0 and chi2.g_fake.value(torch.tensor(0.0)) == 0


def test_wasserstein_variants_are_flagged_and_carry_their_remedy():
    assert VARIANTS["wgan"].clip_weights and not VARIANTS["wgan"].gradient_penalty
    assert VARIANTS["wgan-gp"].gradient_penalty and not VARIANTS["wgan-gp"].clip_weights
    assert {n for n, v in VARIANTS.items() if v.is_wasserstein} == {"wgan", "wgan-gp"}
    assert VARIANTS["wgan"].defaults["optimizer"] == "rmsprop"


def test_value_at_the_optimum_is_minus_log4():
    # D outputs 1/2 everywhere when p_g = p_data: the value function is −log 4 (Goodfellow et al.)
    gan = VARIANTS["gan"]
    half = torch.tensor(0.0)
    assert (-(gan.d_real.value(half) + gan.d_fake.value(half))).item() == pytest.approx(-math.log(4))
