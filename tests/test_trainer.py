"""The trainer: it learns, it is deterministic, it survives divergence, it stacks runs faithfully."""
import numpy as np
import pytest
import torch
from sklearn.neighbors import KNeighborsClassifier

import ganplay
from ganplay.metrics import sliced_wasserstein
from ganplay.game import SNAPSHOT_POINTS, Game

SHORT = dict(dataset="ring8", steps=1500, seed=0)


@pytest.mark.parametrize("variant", sorted(ganplay.VARIANTS))
def test_every_variant_moves_the_generator_onto_the_data(variant):
    run = ganplay.Trainer(ganplay.RunConfig(variant=variant, **SHORT))
    before = sliced_wasserstein(run.sample(1000), run.data.x)
    run.step(1500)
    after = sliced_wasserstein(run.sample(1000), run.data.x)
    assert run.status == "done" and run.step_count == 1500
    assert after < before / 2, f"{variant}: sliced W1 {before:.3f} -> {after:.3f}"


def test_wgan_weights_stay_within_the_clip_bound():
    game = Game([ganplay.RunConfig(variant="wgan", clip=0.02, steps=50)])
    game.step(50)
    largest = max(max(w.abs().max().item(), b.abs().max().item()) for w, b in game.engine.layers("d", 0))
    assert largest == pytest.approx(0.02)


def test_same_config_gives_bit_identical_samples_and_history():
    cfg = ganplay.RunConfig(variant="wgan-gp", steps=40, r1_weight=0.5, spectral_norm=True)
    a, b = ganplay.train(cfg), ganplay.train(cfg)
    assert np.array_equal(a.sample(500), b.sample(500))
    assert a.history.equals(b.history)


def test_a_different_seed_gives_a_different_run():
    a = ganplay.train(ganplay.RunConfig(steps=20, seed=1))
    b = ganplay.train(ganplay.RunConfig(steps=20, seed=2))
    assert not np.allclose(a.sample(100), b.sample(100))


def test_stepping_in_chunks_equals_stepping_at_once():
    cfg = ganplay.RunConfig(steps=60)
    chunked = ganplay.Trainer(cfg)
    for _ in range(6):
        chunked.step(10)
    assert np.array_equal(chunked.sample(300), ganplay.train(cfg).sample(300))


def test_step_stops_at_the_configured_number_of_steps():
    run = ganplay.Trainer(ganplay.RunConfig(steps=30)).step(25).step(25)
    assert run.step_count == 30 and run.status == "done" and len(run.history) == 30


def test_side_by_side_equals_each_run_alone():
    configs = [ganplay.RunConfig(variant=v, steps=60, seed=s, lr_g=lr, d_steps=1, beta1=0.5, beta2=0.99)
               for v, s, lr in [("gan", 0, 1e-3), ("nsgan", 0, 1e-3), ("wgan-gp", 1, 5e-4), ("lsgan", 2, 1e-3)]]
    together = ganplay.SideBySide(configs).step(60)
    assert len(together.stacks) == 1  # one batched computation
    for cfg, run in zip(configs, together.runs):
        alone = ganplay.train(cfg)
        # A stack and a lone run use different (equally exact) matmul kernels, so rounding differs in the last
        # bits; training amplifies such differences over hundreds of steps, so compare after a few dozen.
        np.testing.assert_allclose(run.sample(400), alone.sample(400), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(run.history.to_numpy(), alone.history.to_numpy(), rtol=1e-4, atol=1e-4)


def test_side_by_side_splits_incompatible_configs_into_stacks():
    runs = ganplay.SideBySide([ganplay.RunConfig(variant="nsgan", steps=5), ganplay.RunConfig(variant="wgan", steps=5),
                               ganplay.RunConfig(variant="gan", steps=5)])
    assert [len(s.configs) for s in runs.stacks] == [2, 1]  # wgan brings RMSprop and 5 critic steps
    assert [r.config.variant for r in runs.runs] == ["nsgan", "wgan", "gan"]
    runs.step(5)
    assert runs.finished


def test_conditional_samples_lie_near_their_class():
    run = ganplay.train(ganplay.RunConfig(dataset="blobs", conditional=True, steps=800))
    nearest_class = KNeighborsClassifier(15).fit(run.data.x, run.data.y)
    for label in range(3):
        assert (nearest_class.predict(run.sample(300, labels=label)) == label).mean() > 0.9


def test_huge_learning_rate_stops_as_diverged_with_finite_state():
    run = ganplay.Trainer(ganplay.RunConfig(variant="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0,
                                            steps=500)).step(500)
    assert run.status == "diverged"
    assert 0 <= run.diverged_at < 500 and run.step_count == run.diverged_at
    assert np.isfinite(run.sample(200)).all()
    assert np.isfinite(run.history.to_numpy()).all() and len(run.history) == run.diverged_at
    assert np.isfinite(run.critic(run.data.x[:10])).all()


def test_a_diverged_run_does_not_disturb_its_stack_neighbour():
    base = dict(variant="lsgan", optimizer="sgd", steps=200)
    wild, calm = ganplay.RunConfig(lr_g=1.0, lr_d=1.0, **base), ganplay.RunConfig(lr_g=1e-2, lr_d=1e-2, **base)
    pair = ganplay.SideBySide([wild, calm]).step(200)
    assert pair.runs[0].status == "diverged" and pair.runs[1].status == "done"
    np.testing.assert_allclose(pair.runs[1].sample(200), ganplay.train(calm).sample(200), rtol=1e-3, atol=1e-3)


def test_snapshot_has_what_a_frame_needs():
    run = ganplay.Trainer(ganplay.RunConfig(dataset="moons", conditional=True, steps=20)).step(7)
    snap = run.snapshot()
    assert snap.step == 7 and snap.status == "training"
    assert snap.real.shape[1] == 2 and snap.fake.shape == (SNAPSHOT_POINTS, 2)
    assert set(np.unique(snap.fake_labels)) == {0, 1} and len(snap.history) == 7
    # fixed noise: the same latent points between frames, so the same fakes when G is unchanged
    np.testing.assert_array_equal(snap.fake, run.snapshot().fake)


def test_critic_and_push_have_one_value_per_point():
    run = ganplay.Trainer(ganplay.RunConfig(pack=2, steps=10)).step(10)
    points = np.random.default_rng(0).normal(size=(50, 2))
    assert run.critic(points).shape == (50,)
    assert run.generator_push(points).shape == (50, 2)


def test_generator_push_points_uphill_on_the_critic():
    run = ganplay.Trainer(ganplay.RunConfig(variant="nsgan", steps=300)).step(300)
    points = np.random.default_rng(1).normal(size=(200, 2)).astype(np.float32)
    moved = points + 1e-3 * run.generator_push(points)
    assert (run.critic(moved) >= run.critic(points) - 1e-6).mean() > 0.95


def test_uploaded_data_trains_and_comes_back_in_its_own_units():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[100.0, -50.0, 7.0], scale=[10.0, 1.0, 0.1], size=(500, 3))
    data = ganplay.from_array(x, y=rng.integers(0, 2, 500))
    run = ganplay.train(ganplay.RunConfig(dataset="csv", conditional=True, steps=400), data=data)
    fake = run.sample(2000)
    np.testing.assert_allclose(fake.mean(0), x.mean(0), atol=0.5 * x.std(0).max())
    assert fake.shape == (2000, 3)


def test_csv_without_data_is_refused_clearly():
    with pytest.raises(ValueError, match="csv"):
        ganplay.Trainer(ganplay.RunConfig(dataset="csv"))


def test_generator_state_round_trips_through_torch_save(tmp_path):
    run = ganplay.train(ganplay.RunConfig(steps=30))
    torch.save(run.generator_state(), tmp_path / "g.pt")
    fresh = ganplay.Trainer(ganplay.RunConfig(steps=30, seed=5))
    fresh.load_generator_state(torch.load(tmp_path / "g.pt", weights_only=True))
    z = np.random.default_rng(0).normal(size=(64, 2))
    np.testing.assert_array_equal(fresh.sample(z=z), run.sample(z=z))


def test_stack_refuses_configs_that_cannot_share_it():
    with pytest.raises(ValueError, match="may differ only in"):
        Game([ganplay.RunConfig(), ganplay.RunConfig(g_width=32)])


def test_a_last_update_that_overflows_ends_the_run_one_step_early():
    # Adam with β2 = 0 forgets the squared gradient at once: a zero gradient after a huge one makes a huge
    # step, and no later loss can catch it, so the last update itself is checked.
    cfg = ganplay.RunConfig(dataset="ring8", n=2, noise=0.0, z_dim=1, d_steps=2, beta2=0.0, lr_d=1.0, steps=2)
    run = ganplay.train(cfg)
    assert run.status == "diverged" and run.diverged_at == 1 and len(run.history) == 1
    assert np.isfinite(run.sample(50)).all()


def test_a_conditional_run_with_fewer_rows_than_classes_finishes():
    # the last-update check draws the fixed noise under every class, not under the data's rows
    run = ganplay.train(ganplay.RunConfig(dataset="iris", n=2, conditional=True, steps=2))
    assert run.status == "done" and np.isfinite(run.sample(30, labels=2)).all()


@pytest.mark.parametrize("settings", [dict(), dict(variant="wgan-gp", r1_weight=0.5), {"variant": "wgan", "d_steps": 2},
                                      dict(dataset="blobs", conditional=True, pack=2, variant="wgan-gp"),
                                      dict(activation="tanh", spectral_norm=True, variant="hinge", r1_weight=1.0),
                                      dict(batch_size=2048, z_dim=16, optimizer="rmsprop")])
def test_stack_is_bit_identical_to_lone_runs(settings):
    """Runs that share their rates train in a stack exactly as alone: seeds, variants, penalty weights, clip
    bounds may differ. (Different rates take another optimiser arithmetic: close, not bit-equal.)"""
    base = {**dict(steps=12, d_steps=1, optimizer="adam", lr_g=1e-3, lr_d=1e-3, beta1=0.5, beta2=0.9), **settings}
    configs = [ganplay.RunConfig(seed=s, **{**base, "variant": v}) for s, v in
               [(0, base.get("variant", "nsgan")), (3, base.get("variant", "nsgan")), (0, "lsgan"), (5, "hinge")]]
    configs[1] = configs[1].replace(gp_weight=3.0, clip=0.05)
    together = ganplay.SideBySide(configs).step(12)
    assert len(together.stacks) == 1
    for cfg, run in zip(configs, together.runs):
        alone = ganplay.train(cfg)
        assert run.history.equals(alone.history), cfg
        assert np.array_equal(run.sample(300), alone.sample(300)), cfg

