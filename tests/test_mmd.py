"""The MMD variant: the estimator, the witness function (its closed-form critic), and runs that use them."""
import numpy as np
import pytest
import torch

import ganplay
from ganplay import metrics, mmd
from ganplay.frames import frame_of
from ganplay.metrics import sliced_wasserstein


def _gaussian(n: int, mean, seed: int, std: float = 1.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, len(mean), generator=gen, dtype=torch.float64) * std + torch.tensor(mean)).unsqueeze(0)


def _population_mmd2(shift: float, std: float, dim: int, bandwidths) -> float:
    """MMD² between N(0, σ²I) and N(δ, σ²I) under Σ_s exp(−‖x−y‖²/2s²): E k over x − y ~ N(m, 2σ²I) is
    (s²/(s² + 2σ²))^{d/2} exp(−‖m‖²/2(s² + 2σ²))."""
    spread = lambda s: (s * s / (s * s + 2 * std * std)) ** (dim / 2)  # noqa: E731
    return sum(2 * spread(s) * (1 - np.exp(-shift ** 2 / (2 * (s * s + 2 * std * std)))) for s in bandwidths)


def test_mmd2_with_one_bandwidth_is_the_metrics_estimator():
    a, b = _gaussian(40, [0.0, 0.0], 1), _gaussian(30, [0.5, -0.2], 2)
    for bandwidth in (0.3, 1.0, 2.5):
        assert mmd.mmd2(a, b, (bandwidth,)).item() == pytest.approx(metrics.mmd(a[0], b[0], bandwidth), rel=1e-9)


def test_mmd2_is_the_u_statistic_of_the_kernel_mixture():
    a, b = _gaussian(6, [0.0, 0.0, 0.0], 3), _gaussian(5, [1.0, 0.0, 0.0], 4)
    k = lambda x, y: sum(np.exp(-np.sum((x - y) ** 2) / (2 * s * s)) for s in mmd.BANDWIDTHS)  # noqa: E731
    x, y = a[0].numpy(), b[0].numpy()
    within = lambda p: np.mean([k(p[i], p[j]) for i in range(len(p)) for j in range(len(p)) if i != j])  # noqa: E731
    direct = within(x) + within(y) - 2 * np.mean([k(u, v) for u in x for v in y])
    assert mmd.mmd2(a, b).item() == pytest.approx(direct, rel=1e-12)


def test_mmd2_is_near_zero_for_identical_gaussians_and_the_population_value_for_shifted_ones():
    bandwidths = (0.5, 1.0, 2.0)
    same = mmd.mmd2(_gaussian(1500, [0.0, 0.0], 5), _gaussian(1500, [0.0, 0.0], 6), bandwidths).item()
    # one estimate's spread is 0.016 here (measured over seeds): the mean of four is within 0.025 at 3 s.e.
    shifted = np.mean([mmd.mmd2(_gaussian(1500, [0.0, 0.0], seed), _gaussian(1500, [1.5, 0.0], seed + 100),
                                bandwidths).item() for seed in range(4)])
    expected = _population_mmd2(1.5, 1.0, 2, bandwidths)
    assert abs(same) < 2e-3 and expected == pytest.approx(0.52, abs=0.01)  # the shift is far above the noise
    assert shifted == pytest.approx(expected, abs=0.025)


def test_mmd2_is_computed_per_run_of_a_stack():
    a = torch.cat([_gaussian(20, [0.0, 0.0], 7), _gaussian(20, [2.0, 0.0], 8)])
    b = torch.cat([_gaussian(25, [0.0, 1.0], 9), _gaussian(25, [0.0, 0.0], 10)])
    together = mmd.mmd2(a, b)
    torch.testing.assert_close(together, torch.cat([mmd.mmd2(a[:1], b[:1]), mmd.mmd2(a[1:], b[1:])]))


def test_witness_is_positive_near_the_data_and_negative_near_the_fakes():
    real, fake = _gaussian(50, [2.0, 0.0], 11, 0.2), _gaussian(50, [-2.0, 0.0], 12, 0.2)
    values = mmd.witness(torch.tensor([[[2.0, 0.0], [-2.0, 0.0], [0.0, 0.0]]], dtype=torch.float64), real, fake)[0]
    assert values[0] > 1 and values[1] < -1 and abs(values[2]) < 0.02  # midway it nearly cancels


def test_witness_attains_the_mmd_as_the_unit_balls_supremum():
    """E_P f* − E_Q f* = ‖μ_P − μ_Q‖_H: the biased MMD, whose square keeps the diagonals."""
    real, fake = _gaussian(30, [0.0, 0.0], 13), _gaussian(40, [1.0, 1.0], 14)
    gap = mmd.witness(real, real, fake).mean() - mmd.witness(fake, real, fake).mean()
    k = lambda a, b: mmd.kernel(a, b).mean()  # noqa: E731
    assert gap.item() == pytest.approx(float(torch.sqrt(k(real, real) + k(fake, fake) - 2 * k(real, fake))), rel=1e-12)


def test_witness_has_zero_mean_over_the_plane_and_under_the_mixture_of_mirrored_samples():
    bandwidths = (0.5, 1.0)
    real = _gaussian(20, [1.0, 0.5], 15, 0.5)
    fake = real + torch.tensor([-2.0, 0.0], dtype=torch.float64)  # the same cloud, moved: equal ‖μ‖
    xs = torch.arange(-9.0, 9.0, 0.05, dtype=torch.float64)
    plane = torch.cartesian_prod(xs, xs).unsqueeze(0)
    values = mmd.witness(plane, real, fake, bandwidths)
    # every kernel integrates to the same mass, so ∫ μ_P = ∫ μ_Q
    assert values.mean().item() == pytest.approx(0.0, abs=1e-9 * values.abs().max().item())
    pooled = mmd.witness(torch.cat([real, fake], dim=1), real, fake, bandwidths)
    assert pooled.mean().item() == pytest.approx(0.0, abs=1e-12)


SHORT = dict(dataset="ring8", variant="mmd", steps=300, batch_size=128, seed=0)


def test_a_short_mmd_run_moves_the_generator_onto_the_ring():
    run = ganplay.Trainer(ganplay.RunConfig(**SHORT))
    before = sliced_wasserstein(run.sample(1000), run.data.x)
    d_weights = lambda: [w.clone() for pair in run.game.engine.layers("d", 0) for w in pair]  # noqa: E731
    d_before = d_weights()
    run.step(300)
    after = sliced_wasserstein(run.sample(1000), run.data.x)
    assert run.status == "done" and after < before / 3, f"sliced W1 {before:.3f} -> {after:.3f}"
    assert (run.history.d_loss == 0).all() and run.history.g_loss.iloc[-20:].mean() < run.history.g_loss[0] / 10
    assert all(torch.equal(a, b) for a, b in zip(d_before, d_weights()))  # no D is trained


def test_an_mmd_run_stacked_with_gans_trains_exactly_as_alone():
    cfg = ganplay.RunConfig(**{**SHORT, "steps": 30})
    side = ganplay.SideBySide([cfg.replace(variant="nsgan"), cfg, cfg.replace(variant="lsgan", seed=1)])
    alone = ganplay.train(cfg)
    side.step(30)
    assert len(side.stacks) == 1
    assert side.runs[1].history.equals(alone.history)
    assert np.array_equal(side.runs[1].sample(300), alone.sample(300))


def test_the_frame_of_an_mmd_run_draws_the_witness_between_its_points():
    run = ganplay.Trainer(ganplay.RunConfig(**{**SHORT, "steps": 20})).step(20)
    frame = frame_of(run, push=True)
    assert frame.wasserstein and frame.critic.shape == (64, 64)  # drawn as it is, not as σ(logit)
    to_model = run.game.standardiser.to_model
    points = frame.real[:5] + [0.3, -0.2]
    expected = mmd.witness(to_model(points).unsqueeze(0), to_model(frame.real).unsqueeze(0),
                           to_model(frame.fake).unsqueeze(0))[0]
    torch.testing.assert_close(torch.as_tensor(run.critic(points)), expected, rtol=1e-4, atol=1e-5)
    assert np.isfinite(frame.push).all() and np.abs(frame.push[:, 2:] - frame.push[:, :2]).max() > 0


def test_the_written_out_gradient_is_autograds():
    fake, real = _gaussian(30, [0.0, 0.0, 0.0], 16), _gaussian(25, [0.5, 0.0, 1.0], 17)
    value, grad = mmd.mmd2_and_grad(fake, real)
    leaf = fake.clone().requires_grad_()
    reference = mmd.mmd2(leaf, real)
    torch.testing.assert_close(value, reference.detach())
    torch.testing.assert_close(grad, torch.autograd.grad(reference.sum(), leaf)[0])
