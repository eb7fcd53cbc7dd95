"""Changing the game mid-run (issue 16, item 2): a run's schedule, forked runs equal to runs trained with the
schedule from step 0, links and snippets that carry it, the loss chart's rules, the Playground's sidebar."""
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import ganplay
from ganplay import RunConfig, Trainer, charts, config, export, midrun, schedule
from ganplay.schedule import Change
from test_live import make_loop, wait_until

BASE = RunConfig(steps=60, batch_size=64)
CHANGES = {  # what a visitor sets mid-run, and the schedule entries it makes
    "rate": dict(lr_d=1e-4),
    "optimiser": dict(optimizer="rmsprop"),
    "loss and k": dict(variant="wgan-gp", d_steps=3),
    "clipped critic": dict(variant="wgan", optimizer="rmsprop"),
    "betas and rate": dict(beta1=0.0, beta2=0.9, lr_g=2e-4),
    "penalty and clip": dict(r1_weight=1.0),
}
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def same_run(a, b) -> bool:
    return (a.step_count == b.step_count and a.history.equals(b.history)
            and torch.equal(torch.as_tensor(a.sample(300)), torch.as_tensor(b.sample(300))))


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_run_forked_mid_run_equals_its_schedule_trained_from_step_zero(name):
    old = Trainer(BASE).step(25)
    cfg, note = schedule.follow(BASE, schedule.latest(BASE).replace(**CHANGES[name]), 25)
    assert {c.step for c in cfg.schedule} == {25} and note.startswith("Changed mid-run at step 25: ")
    forked = midrun.fork(old, cfg)
    assert forked.step_count == 25 and forked.history.equals(old.history)  # the step count and history stay
    forked.step(35)
    assert same_run(forked, Trainer(cfg).step(60))
    assert not same_run(forked, Trainer(BASE).step(60))  # and the change changed the game
    assert old.step_count == 25 and same_run(old, Trainer(BASE).step(25))  # the old run is left as it was


def test_a_change_applies_from_its_step_on_exactly_as_that_setting_would():
    cfg = BASE.replace(schedule=((30, "lr_d", 1e-4),))
    run = Trainer(cfg).step(30)
    assert same_run(run, Trainer(BASE).step(30))  # the first 30 steps are the old game's
    assert run.game.settings[0].lr_d == 1e-3
    run.step(1)
    assert run.game.settings[0].lr_d == 1e-4 and run.game.engine.players["d"].rate == 1e-4


def test_an_optimiser_change_starts_its_state_fresh_and_a_betas_change_keeps_it():
    run = Trainer(BASE.replace(schedule=((10, "beta1", 0.0), (20, "optimizer", "rmsprop")))).step(20)
    state = run.game.engine.players["d"].state
    assert state.step == 20 and run.game.engine.networks.betas == (0.0, 0.999)  # new betas, Adam counts on
    run.step(1)
    fresh = run.game.engine.players["d"].state
    assert fresh.step == 0 and run.game.engine.networks.optimizer == "rmsprop"
    assert torch.count_nonzero(fresh.first) == 0  # Adam's m is gone; RMSprop keeps only its mean of squares


def test_a_schedule_stacks_with_its_own_kind_only():
    from ganplay.game import exact_stack_key, stack_key
    changed = BASE.replace(schedule=((30, "lr_d", 1e-4),))
    assert stack_key(changed) != stack_key(BASE) and exact_stack_key(changed) != exact_stack_key(BASE)
    assert exact_stack_key(changed.replace(seed=4)) == exact_stack_key(changed)


def test_a_schedule_round_trips_through_a_link_and_copy_as_python():
    cfg = RunConfig(steps=500, schedule=((240, "optimizer", "rmsprop"), (120, "lr_d", 1e-4), (240, "d_steps", 3)))
    assert [c.step for c in cfg.schedule] == [120, 240, 240]  # kept in (step, field) order: one run, one key
    query = cfg.to_query()
    assert query["schedule"] == "120:lr_d=0.0001,240:d_steps=3,240:optimizer=rmsprop"
    assert RunConfig.from_query(query) == (cfg, [])
    namespace = {"ganplay": ganplay}
    exec("cfg = " + cfg.as_call(), namespace)
    assert namespace["cfg"] == cfg
    snippet = export.python_snippet(Trainer(cfg).step(5))
    assert "schedule=((120, 'lr_d', 0.0001), (240, 'd_steps', 3), (240, 'optimizer', 'rmsprop'))" in snippet


HOSTILE = {  # a hand-edited link's schedule -> what the warning names
    "1240:lr_d=abc": "expected float",
    "12:g_width=3": "'g_width' cannot change mid-run",
    "5000:lr_d=0.1": "step 5000 is outside 1..1999",
    "0:lr_d=0.1": "step 0 is outside 1..1999",
    "100:lr_d=0.001": "lr_d is already 0.001",
    "100:lr_d=99": "outside the allowed range",
    "100:variant=mmd": "cannot take over from Non-saturating GAN mid-run",
    "100:variant=unrolled": "cannot take over",
    "100:lr_d=0.1,100:lr_d=0.2": "a field changes twice at one step",
    ",".join(["1:lr_d=0.1"] * 100): "more than 64 changes",
    "[x](https://evil.example)" * 4000: "is not step:field=value",
    "１00:lr_d=0.1": "is not step:field=value",
    "100:optimizer=adagrad": "is not one of adam, rmsprop, sgd",
}


@pytest.mark.parametrize("text", sorted(HOSTILE))
def test_a_hostile_schedule_in_a_link_is_refused_by_name_and_the_rest_of_the_link_kept(text):
    cfg, ignored = RunConfig.from_query({"seed": "7", "lr_g": "0.0002", "schedule": text})
    assert cfg == RunConfig(seed=7, lr_g=2e-4) and len(ignored) == 1
    assert ignored[0].startswith(f"schedule={config.echo(text)} (") and HOSTILE[text] in ignored[0]
    assert len(ignored[0]) < 3 * config.ECHO + 120  # the link's text is echoed at most ECHO characters at a time


def test_only_mid_run_fields_continue_a_run_and_the_note_names_the_kind_of_change():
    latest = schedule.latest(BASE)
    assert schedule.follow(BASE, latest, 25) == (BASE, None)
    assert schedule.follow(BASE, latest.replace(g_width=32), 25) == (latest.replace(g_width=32),
                                                                     "A new run: the architecture changed.")
    assert schedule.follow(BASE, latest.replace(seed=3), 25).note == "A new run: the seed changed."
    assert schedule.follow(BASE, latest.replace(dataset="grid25"), 25).note == "A new run: the data changed."
    unrolled = schedule.follow(BASE, latest.replace(variant="unrolled"), 25)
    assert unrolled.config.schedule == () and "Unrolled GAN cannot take over" in unrolled.note
    assert schedule.follow(BASE, latest.replace(lr_d=1e-4), 0) == (latest.replace(lr_d=1e-4), None)  # not begun


def test_a_second_change_keeps_the_earlier_ones_and_one_at_an_earlier_step_replaces_the_later():
    first = schedule.follow(BASE, schedule.latest(BASE).replace(lr_d=1e-4), 20).config
    second = schedule.follow(first, schedule.latest(first).replace(lr_g=1e-4), 40).config
    assert second.schedule == (Change(20, "lr_d", 1e-4), Change(40, "lr_g", 1e-4))
    assert schedule.continues(second, first) and schedule.continues(first, BASE) and not schedule.continues(BASE, first)
    back = schedule.follow(second, schedule.latest(second).replace(d_steps=2), 30).config  # a visitor replaying
    assert back.schedule == (Change(20, "lr_d", 1e-4), Change(30, "d_steps", 2), Change(30, "lr_g", 1e-4))


def test_the_loss_chart_rules_each_change_at_its_step_with_the_change_as_its_tooltip():
    cfg = BASE.replace(schedule=((20, "lr_d", 1e-4), (50, "optimizer", "rmsprop")))
    drawing = charts.loss_chart(Trainer(cfg).step(30).history, changes=schedule.marks(cfg))
    rule = drawing.spec["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["data"] == {"name": "changes"}
    assert rule["encoding"]["x"]["field"] == "step" and "change" in str(rule["encoding"]["tooltip"])
    assert drawing.datasets["changes"].to_pylist() == [{"step": 20, "change": "lr_d 0.001 → 0.0001"}]  # 50: ahead
    assert "layer" not in charts.loss_chart(Trainer(BASE).step(5).history).spec  # no schedule, no rule


def test_the_live_loop_continues_a_run_changed_mid_run_at_its_step():
    loop = make_loop()
    viewer = loop.watch("visitor", BASE)
    viewer.step(20)
    changed, _ = schedule.follow(BASE, schedule.latest(BASE).replace(lr_d=1e-4), 20)
    moved = loop.watch("visitor", changed)
    assert moved.frame.step == 20  # forked where it stood: the visitor keeps the step count
    with moved.holding() as run:
        assert run.config == changed and same_run(run, Trainer(changed).step(20))
    moved.step(40)
    with moved.holding() as run:
        assert same_run(run, Trainer(changed).step(60))


def test_the_live_loop_retrains_to_the_change_when_the_old_run_went_past_it():
    loop = make_loop()
    viewer = loop.watch("visitor", BASE)
    viewer.step(40)
    viewer.reset()
    viewer.step(10)  # replaying: the run itself stands at 40
    changed, _ = schedule.follow(BASE, schedule.latest(BASE).replace(clip=0.05, variant="wgan"), 10)
    moved = loop.watch("visitor", changed)
    assert moved.frame.step == 10
    with moved.holding() as run:
        assert same_run(run, Trainer(changed).step(10))
    wait_until(lambda: not loop.running, "the loop idles")


# --- the Playground ------------------------------------------------------------------------------------------

def read(markdown: str) -> str:
    """A message as the visitor reads it (ui.as_text escapes every punctuation mark for Markdown)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _step_counter(at) -> int:
    text = next(p for p in at.get("progress") if p.proto.text.startswith("Step")).proto.text
    return int(text.split()[1].replace(",", ""))


def _playground(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"steps": "500", **params})
    at.run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    return at


def test_a_mid_run_change_in_the_sidebar_keeps_the_step_count_and_records_the_change():
    at = _playground()
    at.button[1].click().run()  # Step: 100
    at.sidebar.select_slider(key="cfg_lr_d").set_value(1e-4).run()
    assert not at.exception and _step_counter(at) == 100
    cfg = at.session_state.run_config
    assert cfg.schedule == (Change(100, "lr_d", 1e-4),) and cfg.lr_d == 1e-3  # the run began at 1e-3
    assert at.query_params["schedule"] == "100:lr_d=0.0001"
    notes = [read(c.value) for c in [*at.caption, *at.markdown]]
    assert "Changed mid-run at step 100: lr_d 0.001 → 0.0001." in notes, notes  # the kind of change
    assert any("- step 100: lr_d 0.001 → 0.0001" in n for n in notes), notes  # the schedule under the chart
    at.button[1].click().run()
    assert _step_counter(at) == 200
    with at.session_state.run.holding() as run:
        assert same_run(run, Trainer(cfg).step(200))
    at.sidebar.slider(key="cfg_z_dim").set_value(3).run()  # the architecture: a new run
    assert _step_counter(at) == 0 and at.session_state.run_config.schedule == ()
    assert "A new run: the architecture changed." in [read(c.value) for c in at.caption]


def test_a_link_with_a_schedule_reproduces_it_and_shows_its_latest_settings():
    at = _playground(schedule="100:lr_d=0.0001,100:optimizer=rmsprop")
    cfg = at.session_state.run_config
    assert cfg.schedule == (Change(100, "lr_d", 1e-4), Change(100, "optimizer", "rmsprop")) and not at.warning
    assert at.sidebar.select_slider(key="cfg_lr_d").value == 1e-4  # the widgets: after the schedule
    at.button[1].click().run()
    at.button[1].click().run()
    assert _step_counter(at) == 200 and at.session_state.run_config == cfg
    with at.session_state.run.holding() as run:
        assert same_run(run, Trainer(cfg).step(200))


def test_a_hostile_schedule_in_a_link_is_named_in_the_page_and_the_rest_kept():
    at = _playground(schedule="[click](https://evil.example):lr_d=1", seed="5")
    assert at.session_state.run_config == RunConfig(steps=500, seed=5)
    (warning,) = at.warning
    text = read(warning.value)
    assert "schedule='[click](https:" in text and "is not step:field=value" in text and "](" not in warning.value


def test_both_engines_play_a_schedule_alike():
    cfg = RunConfig(steps=30, schedule=((10, "optimizer", "rmsprop"), (10, "lr_d", 5e-4), (20, "variant", "wgan"),
                                        (20, "beta2", 0.9)))
    fast, reference = (Trainer(cfg, engine=engine).step(30) for engine in ("mlp", "autograd"))
    close = dict(rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(fast.history.to_numpy(), reference.history.to_numpy(), **close)
    torch.testing.assert_close(fast.sample(300), reference.sample(300), **close)
    points = fast.data.x[:20]
    torch.testing.assert_close(fast.generator_push(points), reference.generator_push(points), **close)
    assert fast.settings.variant == "wgan" and fast.settings.clip == 0.01  # WGAN's clipping from step 20 on
    assert max(float(w.abs().max()) for layer in fast.game.engine.layers("d", 0) for w in layer) <= 0.01


def test_a_saved_generator_file_carries_the_schedule():
    cfg = BASE.replace(schedule=((20, "lr_d", 1e-4), (20, "variant", "lsgan")))
    run = Trainer(cfg).step(30)
    assert export.load_generator(export.generator_file(run)).config == cfg


def test_a_frame_after_a_loss_change_names_the_new_losss_judge():
    from ganplay import frames
    cfg = ganplay.RunConfig(n=200, batch_size=32, g_width=8, d_width=8, steps=12).replace(
        schedule=((5, "variant", "wgan-gp"),))
    before, after = (frames.frame_of(ganplay.Trainer(cfg).step(n)) for n in (4, 8))
    assert (before.hover.judge, after.hover.judge) == ("D's logit", "critic value")
    assert (before.wasserstein, after.wasserstein) == (False, True)
