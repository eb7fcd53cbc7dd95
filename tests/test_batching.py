"""Runs moved between stacks mid-training (restack) train on exactly as alone; the live loop batches them."""
import numpy as np
import pytest
import torch

import ganplay
from ganplay.game import exact_stack_key
from ganplay.runs import restack

BASE = dict(steps=30, d_steps=1, optimizer="adam", lr_g=1e-3, lr_d=1e-3, beta1=0.5, beta2=0.9)
CONFIGS = {
    "plain": dict(),
    "gp": dict(variant="wgan-gp", d_steps=2, r1_weight=0.5),
    "conditional+pack": dict(dataset="blobs", conditional=True, pack=2, variant="wgan-gp"),
    "spectral norm": dict(activation="tanh", spectral_norm=True, variant="hinge", r1_weight=1.0),
    "rmsprop clip": dict(variant="wgan", optimizer="rmsprop", d_steps=2),
}


def configs_of(settings) -> list[ganplay.RunConfig]:
    """Four runs of one exact stack: seeds (two alike), variants, penalty weights and clip bounds differ."""
    base = {**BASE, **settings}
    variant = base.pop("variant", "nsgan")
    return [ganplay.RunConfig(variant=variant, seed=0, **base),
            ganplay.RunConfig(variant=variant, seed=3, gp_weight=3.0, clip=0.05, **base),
            ganplay.RunConfig(variant="lsgan", seed=0, **base),
            ganplay.RunConfig(variant="hinge", seed=5, **base)]


def assert_same_run(run, alone):
    assert run.step_count == alone.step_count and run.status == alone.status
    assert run.history.equals(alone.history), run.config
    assert torch.equal(torch.as_tensor(run.sample(300)), torch.as_tensor(alone.sample(300))), run.config
    points = np.random.default_rng(0).normal(size=(40, run.data.dim))
    assert np.array_equal(run.critic(points), alone.critic(points), equal_nan=True), run.config


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_runs_stacked_mid_training_and_split_again_equal_lone_runs(name):
    configs = configs_of(CONFIGS[name])
    runs = [ganplay.Trainer(cfg).step(7) for cfg in configs]
    runs[1].critic(np.zeros((3, runs[1].data.dim)))  # reading a run before it is stacked changes nothing
    game = restack(runs)
    assert game.runs == 4 and all(run.game is game for run in runs)
    runs[0].step(11)  # stepping one steps the stack
    assert [run.step_count for run in runs] == [18] * 4
    for run in runs:
        restack([run]).step(12)
    for cfg, run in zip(configs, runs):
        assert_same_run(run, ganplay.Trainer(cfg).step(30))


def test_fresh_runs_stacked_at_step_zero_equal_lone_runs():
    configs = configs_of(CONFIGS["spectral norm"])
    runs = [ganplay.Trainer(cfg) for cfg in configs]
    runs[0].critic(np.zeros((3, 2)))  # a frame's D grid before the first step
    restack(runs).step(30)
    for cfg, run in zip(configs, runs):
        assert_same_run(run, ganplay.Trainer(cfg).step(30))


def test_a_member_that_diverges_in_a_stack_equals_it_diverging_alone():
    wild = dict(variant="lsgan", optimizer="sgd", lr_g=10.0, lr_d=10.0, steps=200, spectral_norm=True)
    configs = [ganplay.RunConfig(seed=s, **wild) for s in (0, 1, 2)]
    alone = [ganplay.Trainer(cfg).step(200) for cfg in configs]
    assert all(run.status == "diverged" and run.diverged_at > 2 for run in alone)  # at 3, 9 and 14
    runs = [ganplay.Trainer(cfg).step(2) for cfg in configs]
    restack(runs).step(100)
    for run in runs:
        restack([run]).step(100)
    for run, lone in zip(runs, alone):
        assert_same_run(run, lone)


def test_a_diverged_run_joins_and_leaves_a_stack_unchanged():
    wild = ganplay.RunConfig(variant="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0, steps=200)
    diverged = ganplay.Trainer(wild).step(200)
    assert diverged.status == "diverged"
    calm = ganplay.Trainer(wild.replace(seed=4, variant="hinge"))
    calm.step(diverged.game.done)
    restack([diverged, calm]).step(50)
    restack([calm]).step(200)
    assert_same_run(diverged, ganplay.Trainer(wild).step(200))
    assert_same_run(calm, ganplay.Trainer(calm.config).step(200))


def test_thirty_runs_in_one_stack_equal_lone_runs():
    configs = [ganplay.RunConfig(steps=6, seed=s) for s in range(30)]
    runs = [ganplay.Trainer(cfg) for cfg in configs]
    restack(runs).step(6)
    for index in (0, 13, 29):
        assert_same_run(runs[index], ganplay.Trainer(configs[index]).step(6))


def test_restack_refuses_runs_that_would_not_train_exactly():
    a, b = ganplay.Trainer(ganplay.RunConfig(seed=1)), ganplay.Trainer(ganplay.RunConfig(seed=2, lr_g=5e-4))
    assert exact_stack_key(a.config) != exact_stack_key(b.config)
    with pytest.raises(ValueError, match="exact stack may differ only in"):
        restack([a, b])
    c = ganplay.Trainer(ganplay.RunConfig(seed=3)).step(1)
    with pytest.raises(ValueError, match="different steps"):
        restack([a, c])
