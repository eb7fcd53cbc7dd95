"""The lecture's side lessons: gradient estimators, the Gumbel-softmax relaxation, the optimal D."""
import math

import numpy as np
import pytest
import torch

from ganplay import lessons

# ------------------------------------------------------------------ stochastic backpropagation


@pytest.mark.parametrize("mu", [1.0, 3.0, 5.0])
@pytest.mark.parametrize("estimator", list(lessons.ESTIMATORS))
def test_estimator_variance_matches_its_closed_form(estimator, mu):
    draws = lessons.gradient_estimates(estimator, mu, n_samples=16, repeats=4000)
    assert np.var(draws) == pytest.approx(lessons.estimator_variance(estimator, mu, 16), rel=0.1)


@pytest.mark.parametrize("estimator", list(lessons.ESTIMATORS))
def test_estimators_are_unbiased(estimator):
    draws = lessons.gradient_estimates(estimator, 1.0, n_samples=16, repeats=4000)
    standard_error = math.sqrt(np.var(draws) / len(draws))
    assert np.mean(draws) == pytest.approx(lessons.exact_gradient(1.0), abs=4 * standard_error)


def test_pathwise_variance_is_smaller_than_score_function_at_the_same_sample_size():
    pathwise, score = (np.var(lessons.gradient_estimates(e, 0.0, n_samples=16, seed=7))
                       for e in ("pathwise", "score"))
    # exact ratio (1 − g²) / (12 − g²) at μ = 0: about 1/2000
    assert pathwise / score == pytest.approx(0.0054 / 11.0054, rel=0.5)


def test_adam_with_pathwise_gradients_finds_mu_star_3():
    path = lessons.minimise_expected_cost("pathwise", mu0=0.0, n_samples=16, steps=300)
    assert path[0] == 0.0
    assert path[-1] == pytest.approx(3.0, abs=0.1)


def test_lessons_leave_the_global_torch_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    lessons.gradient_estimates("score", 0.0, 8, repeats=10, seed=5)
    lessons.relaxed_categorical([1, 1], 0.5, 10, seed=5)
    torch.testing.assert_close(torch.rand(3), expected)


def test_same_seed_gives_the_same_estimates():
    np.testing.assert_array_equal(lessons.gradient_estimates("score", 0.0, 8, repeats=50, seed=3),
                                  lessons.gradient_estimates("score", 0.0, 8, repeats=50, seed=3))


def test_unknown_estimator_and_empty_batches_are_refused():
    with pytest.raises(ValueError, match="estimator"):
        lessons.gradient_estimates("finite-differences", 0.0, 8)
    with pytest.raises(ValueError, match="n_samples"):
        lessons.minimise_expected_cost("pathwise", n_samples=0)


# ------------------------------------------------------------------ Gumbel-softmax / Concrete


@pytest.mark.parametrize("temperature", [0.01, 0.5, 5.0])
def test_relaxed_samples_lie_on_the_simplex(temperature):
    samples = lessons.relaxed_categorical([0.2, 0.3, 0.5], temperature, 500)
    assert samples.shape == (500, 3)
    assert samples.min() >= 0
    np.testing.assert_allclose(samples.sum(axis=1), 1.0, atol=1e-12)


def test_relaxed_samples_approach_one_hot_as_temperature_falls():
    temperatures = [5.0, 1.0, 0.2, 0.05, 0.01]
    distances = [lessons.distance_to_one_hot(lessons.relaxed_categorical([0.2, 0.3, 0.5], t, 2000))
                 for t in temperatures]
    assert distances == sorted(distances, reverse=True)
    assert distances[-1] == pytest.approx(0.0, abs=0.01)


def test_argmax_of_a_relaxed_sample_is_categorical_at_any_temperature():
    samples = lessons.relaxed_categorical([0.2, 0.3, 0.5], 2.0, 20_000)
    frequencies = np.bincount(samples.argmax(axis=1), minlength=3) / len(samples)
    np.testing.assert_allclose(frequencies, [0.2, 0.3, 0.5], atol=0.015)


def test_relaxed_bernoulli_piles_up_at_0_and_1_as_temperature_falls():
    draws = [lessons.relaxed_bernoulli(0.3, t, 5000) for t in (1.0, 0.1, 0.005)]
    undecided = [np.mean((y > 0.01) & (y < 0.99)) for y in draws]
    assert undecided == sorted(undecided, reverse=True)
    assert undecided[-1] == pytest.approx(0.0, abs=0.02)
    for y in draws:
        assert np.mean(y > 0.5) == pytest.approx(0.3, abs=0.02)  # P(Y > ½) = p at every λ


def test_class_weights_that_are_all_zero_are_refused():
    with pytest.raises(ValueError, match="probs"):
        lessons.relaxed_categorical([0, 0, 0], 0.5, 10)


def test_pattern_probabilities_of_fair_coins_are_uniform():
    np.testing.assert_allclose(lessons.pattern_probabilities(torch.full((5, 4), 0.5)), np.full(16, 1 / 16))


INDEPENDENT_BITS_TV = 0.72  # the product of the patterns' bit marginals (independent bits' maximum likelihood)


def test_bernoulli_gan_learns_the_correlated_patterns():
    """The toy learns the correlation on every seed (over seeds 0-5, its own loop of old and the game both
    average TV 0.19, seed by seed 0.08 to 0.29)."""
    fits = [lessons.train_bernoulli_gan(temperature=0.5, steps=600, seed=seed) for seed in range(3)]
    for fit in fits:
        assert fit.true.sum() == pytest.approx(1.0)
        assert fit.learned.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.mean([fit.total_variation for fit in fits]) < 0.25
    assert max(fit.total_variation for fit in fits) < INDEPENDENT_BITS_TV


def test_relaxed_bits_are_torchs_relaxed_bernoulli_given_its_uniforms():
    logits, shape = torch.linspace(-3, 3, 12).view(3, 4), (3, 4)
    torch.manual_seed(0)
    uniforms = torch.rand(shape)
    torch.manual_seed(0)
    reference = torch.distributions.RelaxedBernoulli(torch.tensor(0.5), logits=logits).rsample()
    torch.testing.assert_close(lessons.relaxed_bits(logits, uniforms, 0.5), reference)


# ------------------------------------------------------------------ the optimal D and the JSD


@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (3.0, 0.5), (9.0, 0.2)])
def test_value_at_the_optimal_d_is_minus_log4_plus_twice_the_jsd(mean, std):
    theory = lessons.optimal_d(lessons.Mixture1D.gaussian(mean, std))
    assert theory.value == pytest.approx(theory.value_from_jsd, abs=1e-6)


def test_jsd_is_zero_for_equal_densities_and_log2_for_separated_ones():
    p = lessons.P_DATA
    assert lessons.jsd(p, p) == pytest.approx(0.0, abs=1e-12)
    assert lessons.jsd(p, lessons.Mixture1D.gaussian(30.0, 0.5)) == pytest.approx(math.log(2), abs=1e-9)


def test_jsd_curve_saturates_at_log2():
    curve = lessons.jsd_curve(np.array([1.5, 3.0, 6.0, 12.0]), std=0.5)  # from a data mode outwards
    assert curve[-1] == pytest.approx(math.log(2), abs=1e-6)
    assert list(curve) == sorted(curve)


@pytest.mark.parametrize("mean, std", [(1.0, 1.0), (8.0, 0.5)])
def test_trained_d_matches_the_closed_form(mean, std):
    p_g = lessons.Mixture1D.gaussian(mean, std)
    theory, trained = lessons.optimal_d(p_g), lessons.train_discriminator(p_g)
    mixture = (theory.p_data + theory.p_g) / 2  # where D matters: elsewhere it is never evaluated
    assert np.trapezoid(mixture * np.abs(trained.d - theory.d_star), theory.x) == pytest.approx(0.0, abs=0.03)
    assert trained.value == pytest.approx(theory.value_from_jsd, abs=0.02)


def test_training_reports_progress_up_to_one():
    seen = []
    lessons.train_discriminator(lessons.Mixture1D.gaussian(0.0, 1.0), steps=30, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
