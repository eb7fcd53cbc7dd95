"""Slow motion: one player at a time, a round in stages (bit for bit one game.step), the fork, and the page."""
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from ganplay import RunConfig, Trainer
from ganplay.game import Game
from ganplay.runs import fork
from ganplay.slowmo import SlowMotion, fork_at, stage_labels

SMALL = dict(steps=40, n=512, batch_size=64, g_width=16, d_width=16)
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _params(run, net: str) -> list[torch.Tensor]:
    return [t.clone() for pair in run.game.engine.layers(net, 0) for t in pair]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def _streams(game: Game) -> list[torch.Tensor]:
    return [gen.get_state() for gens in game.streams.values() for gen in gens]


@pytest.mark.parametrize("variant", ["nsgan", "wgan-gp", "mmd", "unrolled"])
def test_a_d_only_step_changes_d_and_not_g(variant):
    slow = SlowMotion(Trainer(RunConfig(variant=variant, **SMALL)).step(3))
    g, d = _params(slow.run, "g"), _params(slow.run, "d")
    stage = slow.step_d()
    assert _same(_params(slow.run, "g"), g)
    assert _same(_params(slow.run, "d"), d) == (variant == "mmd")  # MMD has no D to update, and says so
    assert ("no D to update" in stage.says) == (variant == "mmd")
    assert slow.run.step_count == 3 and (slow.d_updates, slow.g_updates, slow.alone) == (1, 0, 1)
    assert len(slow.run.history) == 3  # no generator step: the history has no row for it


@pytest.mark.parametrize("variant", ["nsgan", "wgan-gp"])
def test_a_g_only_step_changes_g_and_not_d(variant):
    slow = SlowMotion(Trainer(RunConfig(variant=variant, **SMALL)).step(3))
    g, d = _params(slow.run, "g"), _params(slow.run, "d")
    slow.step_g()
    assert not _same(_params(slow.run, "g"), g)
    assert _same(_params(slow.run, "d"), d)
    assert slow.run.step_count == 3 and (slow.d_updates, slow.g_updates) == (0, 1)


@pytest.mark.parametrize("extra", [dict(variant="nsgan"), dict(variant="wgan-gp", d_steps=5), dict(variant="mmd"),
                                   dict(variant="unrolled"), dict(pack=2, spectral_norm=True),
                                   dict(dataset="blobs", conditional=True), dict(variant="wgan")])
def test_a_round_through_its_stages_is_one_game_step_bit_for_bit(extra):
    cfg = RunConfig(**{**SMALL, **extra})
    reference, slow = Trainer(cfg).step(4), SlowMotion(Trainer(cfg).step(4))
    reference.step(1)
    labels = [slow.advance().label]
    while slow.in_round:
        labels.append(slow.advance().label)
    assert tuple(labels) == stage_labels(cfg.d_steps) == slow.labels
    assert len(labels) == 4 + cfg.d_steps and slow.run.step_count == 5
    for net in "gd":
        assert _same(_params(slow.run, net), _params(reference, net))
    assert _same(_streams(slow.game), _streams(reference.game))
    torch.testing.assert_close(slow.game.history, reference.game.history, rtol=0, atol=0, equal_nan=True)
    reference.step(3), slow.game.step(3)  # and both train on alike: draw-ahead buffers and optimiser state too
    assert _same(_params(slow.run, "g"), _params(reference, "g"))


def test_stages_show_the_batch_then_fakes_then_verdicts_then_before_and_after():
    slow = SlowMotion(Trainer(RunConfig(variant="wgan-gp", **SMALL)).step(2))
    sample, make, judge = slow.advance(), slow.advance(), slow.advance()
    assert sample.batch.fake is None and make.batch.fake.shape == (64, 2) and judge.batch.verdict_real.shape == (64,)
    assert sample.before is None and judge.before is None
    first = slow.advance()
    assert first.part == "critic step 1 of 5" and first.batch.real.tolist() == sample.batch.real.tolist()
    assert (first.before.critic != first.after.critic).any()  # D's heatmap changed
    for _ in range(4):
        last = slow.advance()
    assert last.part == "critic step 5 of 5" and last.batch.real.tolist() != sample.batch.real.tolist()
    moved = slow.advance()
    assert moved.number == 5 and (moved.before.fake != moved.after.fake).any() and not slow.in_round
    with pytest.raises(ValueError, match="round is under way"):
        slow.advance(), slow.step_d()


def test_a_fork_copies_the_run_and_leaves_it_as_it_was():
    cfg = RunConfig(**SMALL)
    shared, untouched = Trainer(cfg).step(6), Trainer(cfg).step(6)
    copy = fork(shared)
    assert copy.game is not shared.game
    for net in "gd":  # no tensor of the copy is one of the shared run's
        mine = {t.data_ptr() for pair in copy.game.engine.layers(net, 0) for t in pair}
        assert not mine & {t.data_ptr() for pair in shared.game.engine.layers(net, 0) for t in pair}
    slow = SlowMotion(copy)
    slow.step_d(), slow.step_g(), slow.one_round(), slow.advance()
    for net in "gd":
        assert _same(_params(shared, net), _params(untouched, net))
    shared.step(5), untouched.step(5)  # its streams and optimiser were not touched either
    assert _same(_params(shared, "g"), _params(untouched, "g")) and shared.step_count == 11


def test_a_fork_behind_the_shared_run_replays_its_config_to_the_step_shown():
    cfg = RunConfig(**SMALL)
    shared, at_seven = Trainer(cfg).step(12), Trainer(cfg).step(7)
    replayed = fork_at(shared, 7)
    assert replayed.step_count == 7 and shared.step_count == 12
    assert _same(_params(replayed, "g"), _params(at_seven, "g"))


def test_a_finished_run_plays_no_round():
    slow = SlowMotion(Trainer(RunConfig(**{**SMALL, "steps": 3})).step(3))
    assert not slow.playable
    with pytest.raises(ValueError, match="done"):
        slow.advance()


def test_the_playground_walks_the_stages_in_order_on_a_private_fork():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    at.sidebar.selectbox(key="cfg_variant").set_value("wgan-gp").run()
    at.toggle(key="slow_motion").set_value(True).run()
    assert not at.exception and not at.session_state.playing
    expected = stage_labels(5)
    for label in expected:
        at.button(key="slowmo_advance").click().run()
        assert not at.exception and not at.error
        shown = [m.value for m in at.markdown if m.value.startswith("**")]
        assert shown[-1].startswith(f"**{label}.**")
    stages = next(m.value for m in at.markdown if m.value.startswith("**One round"))
    unescaped = stages.replace("\\.", ".")
    assert [unescaped.index(label) for label in expected] == sorted(unescaped.index(label) for label in expected)
    assert at.button(key="slowmo_step_d").disabled is False
    at.button(key="slowmo_step_d").click().run()
    assert "D updated 6×, G 1×, 1 of those alone" in " ".join(c.value for c in at.caption)
    # the shared run did not move: the live view still shows step 0
    assert next(p for p in at.get("progress") if p.proto.text.startswith("Step")).proto.text.startswith("Step 0 ")
    at.toggle(key="slow_motion").set_value(False).run()
    assert "slowmo_fork" not in at.session_state


def test_play_closes_slow_motion_and_the_shared_run_plays_on():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    at.toggle(key="slow_motion").set_value(True).run()
    at.button(key="slowmo_one_round").click().run()
    assert "slowmo_fork" in at.session_state
    at.button[0].click().run()  # Play
    assert at.session_state.playing and not at.session_state.slow_motion and "slowmo_fork" not in at.session_state
    assert not at.exception
