"""Runs moved between stacks mid-training (restack) train on exactly as alone; the live loop batches them."""
import numpy as np
import pytest
import torch

import ganplay
from ganplay.game import exact_stack_key
from ganplay.runs import restack
from test_live import Ticking, make_loop, wait_until

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


# --- the live loop --------------------------------------------------------------------------

POINTS = np.random.default_rng(1).normal(size=(30, 2))
LIVE = ganplay.RunConfig(steps=80)


def frame_of(run):
    """A frame that shows G and D: the snapshot and D's verdict at a few points."""
    return run.snapshot(), run.critic(POINTS)


def assert_frame_of_lone_run(frame, cfg):
    alone = ganplay.Trainer(cfg).step(frame.step)
    snapshot, critic = frame.value
    assert snapshot.step == frame.step and snapshot.history.equals(alone.history)
    assert np.array_equal(snapshot.fake, alone.snapshot().fake) and np.array_equal(critic, alone.critic(POINTS))


def batched_loop(**options):
    return make_loop(frame_of=frame_of, join_seconds=1.0, **options)


def test_runs_played_together_train_in_one_stack_and_their_frames_equal_lone_runs():
    configs = [LIVE.replace(seed=s, variant=v) for s, v in [(1, "nsgan"), (2, "nsgan"), (3, "lsgan"), (1, "hinge")]]
    loop = batched_loop()
    viewers = [loop.watch(f"visitor {k}", cfg) for k, cfg in enumerate(configs)]
    frames = {viewer: [viewer.read()] for viewer in viewers}
    wait_until(lambda: all([frames[v].append(v.read()) or frames[v][-1].finished for v in viewers]),
               "the runs reach their end")
    assert loop.batch_sizes[4] > 0 and set(loop.batch_sizes) == {4}  # one stack all along
    for viewer, cfg in zip(viewers, configs):
        distinct = list({f.step: f for f in frames[viewer]}.values())
        assert distinct[-1].step == cfg.steps and len(distinct) > 2
        for frame in (distinct[1], distinct[len(distinct) // 2], distinct[-1]):
            assert_frame_of_lone_run(frame, cfg)


def test_pausing_one_member_leaves_the_others_training_and_its_frame_unchanged():
    configs = [LIVE.replace(seed=s, steps=5000) for s in (1, 2, 3)]
    loop = batched_loop(clock=Ticking(), playback_rate=1e6)  # a viewer behind the run's head catches up
    paused, *others = viewers = [loop.watch(f"visitor {k}", cfg) for k, cfg in enumerate(configs)]
    for viewer in viewers:
        viewer.read()
    wait_until(lambda: all([v.read().step >= 10 for v in viewers]), "the stack trains")
    assert loop.batch_sizes[3] > 0
    shown = paused.pause()
    wait_until(lambda: all([v.read() for v in others]) and loop.batch_sizes[2] > 0, "the others go on as two")
    taken = loop.steps_taken(paused.config)  # an in-flight chunk of the stack has landed by now
    marks = [loop.steps_taken(v.config) for v in others]
    wait_until(lambda: all([v.read() for v in others])
               and all(loop.steps_taken(v.config) > m + 20 for v, m in zip(others, marks)), "the others go on")
    assert loop.steps_taken(paused.config) == taken and paused.pause() is shown
    assert_frame_of_lone_run(shown, paused.config)
    wait_until(lambda: paused.read().step > taken + 10, "the paused run plays again, alone")
    for viewer in viewers:
        assert_frame_of_lone_run(viewer.pause(), viewer.config)


def test_runs_with_different_rates_are_never_batched():
    configs = [LIVE.replace(seed=1), LIVE.replace(seed=2, lr_d=5e-4), LIVE.replace(seed=3, lr_g=5e-4)]
    loop = batched_loop()
    viewers = [loop.watch(f"visitor {k}", cfg) for k, cfg in enumerate(configs)]
    wait_until(lambda: all([v.read().finished for v in viewers]), "the runs reach their end")
    assert set(loop.batch_sizes) == {1}
    for viewer in viewers:
        assert_frame_of_lone_run(viewer.frame, viewer.config)


def test_a_step_request_in_a_stack_is_met_exactly_while_the_other_member_plays_on():
    configs = [LIVE.replace(seed=s) for s in (1, 2)]
    loop = batched_loop(chunk_seconds=1.0)  # chunks larger than the request: the stack must stop at it
    stepping, playing = [loop.watch(f"visitor {k}", cfg) for k, cfg in enumerate(configs)]
    stepping.read(), playing.read()
    assert stepping.step(30).step == 30 and loop.batch_sizes[2] > 0
    assert_frame_of_lone_run(stepping.frame, configs[0])
    wait_until(lambda: playing.read().finished, "the other run plays to its end")
    assert loop.steps_taken(configs[1]) == LIVE.steps and loop.steps_taken(configs[0]) == 30
    assert_frame_of_lone_run(playing.frame, configs[1])


def test_a_batch_size_the_kernels_cannot_stack_exactly_trains_alone():
    """Stacked matmuls match a lone run's bits only for batches of whole 32-row blocks: a batch of 100 never
    joins a stack, so a link still gives the same picture whoever else plays."""
    odd, even = ganplay.RunConfig(batch_size=100), ganplay.RunConfig(batch_size=128)
    assert exact_stack_key(odd) is None and exact_stack_key(even) is not None
    with pytest.raises(ValueError, match="multiple of 32"):
        restack([ganplay.Trainer(odd), ganplay.Trainer(odd.replace(seed=1))])
