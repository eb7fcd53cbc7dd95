"""Pins ganplay.protocols and the capture rules: the papers' geometry, both thresholds, the batched repeat."""
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import ganplay
from ganplay import metrics as M
from ganplay import protocols as P
from ganplay.datasets import load_dataset

PACGAN_RING = [(math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)) for k in range(8)]
PACGAN_GRID = list(itertools.product(range(-4, 5, 2), range(-4, 5, 2)))  # their config.py's MEANS, in order


# ------------------------------------------------------------------------------------- capture rules


def _one_sample_on_mode_two_rest_far(centers, std, n=2500):
    """One sample on mode 2; the other n − 1 far from every mode (no high-quality sample)."""
    far = np.full((n - 1, 2), 100.0)
    return np.vstack([centers[2] + 0.5 * std, far])


def test_one_sample_on_a_mode_captures_it_under_any_but_not_under_twenty():
    ring = load_dataset("ring8-unit", 8)
    samples = _one_sample_on_mode_two_rest_far(ring.centers, ring.std)
    any_rule = M.mode_report_from(samples, ring, rule="any")
    twenty = M.mode_report_from(samples, ring, rule="twenty")
    assert any_rule.modes_captured == 1 and twenty.modes_captured == 0
    assert any_rule.counts.tolist() == [0, 0, 1, 0, 0, 0, 0, 0]
    assert any_rule.high_quality_share == pytest.approx(1 / 2500)
    assert any_rule.captured(20) == 0 and twenty.captured(1) == 1


def test_twenty_high_quality_samples_capture_under_both_rules_and_nineteen_only_under_any():
    grid = load_dataset("grid25", 25)
    near = grid.centers[7] + 0.1 * grid.std * np.random.default_rng(0).standard_normal((20, 2))
    samples = np.vstack([near, np.full((2480, 2), 100.0)])
    assert M.mode_report_from(samples, grid, rule="twenty").modes_captured == 1
    assert M.mode_report_from(samples[1:], grid, rule="twenty", min_count=20).modes_captured == 0
    assert M.mode_report_from(samples[1:], grid, rule="any").modes_captured == 1


def test_capture_rules_scale_only_where_they_say_so():
    assert M.CAPTURE_RULES["any"].min_count(10_000) == 1
    assert M.CAPTURE_RULES["twenty"].min_count(2500) == 20 and M.CAPTURE_RULES["twenty"].min_count(250) == 2
    assert "extensions.py" in M.CAPTURE_RULES["any"].source and "MetricLogger" in M.CAPTURE_RULES["any"].source


def test_an_unknown_rule_is_refused_by_name():
    with pytest.raises(ValueError, match="rule: unknown 'veegan'"):
        M.mode_report(np.zeros((3, 2)), np.zeros((1, 2)), 0.1, rule="veegan")


# ------------------------------------------------------------------------------------------ geometry


def test_pacgan_ring_is_eight_modes_on_the_unit_circle_with_sigma_001():
    spec = P.PROTOCOLS["pacgan-ring"]
    data = load_dataset(spec.dataset, 16)
    np.testing.assert_allclose(data.centers, PACGAN_RING, atol=1e-7)
    assert data.std == 0.01 and spec.rule == "any" and spec.samples == 2500 and spec.paper_seeds == 10


def test_pacgan_and_gdpp_grid_is_25_modes_spacing_2_sigma_005():
    for name in ("pacgan-grid", "gdpp-grid"):
        data = load_dataset(P.PROTOCOLS[name].dataset, 25)
        np.testing.assert_array_equal(data.centers, np.array(PACGAN_GRID, dtype=np.float32))
        assert data.std == 0.05


def test_paper_rows_are_the_tables_numbers():
    ring = {row.method: row for row in P.PROTOCOLS["pacgan-ring"].rows}
    assert (ring["GAN"].modes, ring["GAN"].high_quality, ring["GAN"].reverse_kl) == (6.3, 98.2, 0.45)
    assert ring["PacGAN2"].errors == (0.1, 2.0, 0.03)
    grid = {row.method: row for row in P.PROTOCOLS["gdpp-grid"].rows}
    assert (grid["WGAN-GP"].modes, grid["WGAN-GP"].high_quality) == (24.2, 28.7)


def test_pacgan_contenders_see_a_batch_of_packs_of_m_samples():
    spec = P.PROTOCOLS["pacgan-grid"]
    assert [(spec.config(c).pack, spec.config(c).batch_size) for c in ("gan", "pacgan2", "pacgan4")] == [
        (1, 128), (2, 256), (4, 512)]
    assert spec.config("gan").variant == "nsgan"  # PacGAN's code trains the non-saturating loss
    wgan = spec.config("wgan-gp")  # gan_toy.py's recipe at three times its rates: the grid's target needs them
    assert (wgan.d_steps, wgan.lr_g, wgan.lr_d, wgan.beta1, wgan.beta2, wgan.gp_weight) == (5, 3e-4, 3e-4, 0.5, 0.9, 0.1)
    ring = P.PROTOCOLS["pacgan-ring"].config("wgan-gp")
    assert (ring.lr_g, ring.lr_d) == (1e-4, 1e-4)  # gan_toy.py's own, measured on the ring


def test_grid_protocols_say_whether_wgan_gp_reaches_the_target_and_why():
    for name in ("pacgan-grid", "gdpp-grid"):
        note = P.PROTOCOLS[name].notes[-1]
        assert "≥ 20 modes and ≥ 25 % high quality within 20,000 steps" in note and "24.2 modes, 28.7 %" in note
    assert "Reached" in P.PROTOCOLS["pacgan-grid"].notes[-1]
    assert "not measured" in P.PROTOCOLS["gdpp-grid"].notes[-1]


def test_remedies_follow_the_variant_registry():
    assert ("unrolled" in P.CONTENDERS) == ("unrolled" in ganplay.VARIANTS)
    assert all(c.why for c in P.CONTENDERS.values())


# ------------------------------------------------------------------------------------------ repeats


def test_batched_repeat_equals_each_run_trained_alone():
    outcomes = P.repeat("pacgan-ring", ("gan", "pacgan2"), n_seeds=2, steps=30)
    spec = P.PROTOCOLS["pacgan-ring"]
    side = ganplay.SideBySide([spec.config(c, s, 30) for c in ("gan", "pacgan2") for s in (0, 1)])
    side.step(30)
    assert [len(stack.configs) for stack in side.stacks] == [2, 2]  # the seeds of a method share a stack
    for outcome, run in zip(outcomes, side.runs):
        alone = ganplay.train(run.config)
        assert torch.equal(torch.from_numpy(run.sample(2500)), torch.from_numpy(alone.sample(2500)))
        assert outcome == P._outcome(spec, outcome.contender, alone)
    assert [(o.contender, o.seed, o.step) for o in outcomes] == [
        ("gan", 0, 30), ("gan", 1, 30), ("pacgan2", 0, 30), ("pacgan2", 1, 30)]


def test_results_table_puts_mean_std_beside_the_papers_row():
    outcomes = [P.Outcome("gan", s, 10, 8, m, m - 1, q, kl) for s, (m, q, kl) in
                enumerate([(6, 0.9, 0.5), (8, 0.7, 0.1)])]
    table = P.results_table("pacgan-ring", outcomes)
    row = table.loc["GAN (non-saturating)"]
    assert row["modes captured"] == "7.0 ± 1.4" and row["high quality"] == "80.0 % ± 14.1 %"
    assert row["paper: modes"] == "6.3 ± 0.5" and row["paper: reverse KL"] == "0.45 ± 0.09"
    assert row["modes (≥ 20 of 2,500)"] == "6.0"


@pytest.mark.parametrize("args, message", [
    (("nope", ("gan",), 5, 10), "protocol: unknown 'nope'"),
    (("pacgan-ring", (), 5, 10), "methods: choose one or more"),
    (("pacgan-ring", ("gan", "gan"), 5, 10), "methods: choose one or more"),
    (("pacgan-ring", ("gan",), 1, 10), "seeds: 1 is outside 2..10"),
    (("pacgan-ring", ("gan",), 5, 20_001), "steps: 20001 is outside 1..20,000"),
])
def test_bad_requests_are_refused_with_the_field_named(args, message):
    with pytest.raises(ValueError, match=message):
        P.check_request(*args)


def test_a_repeat_that_would_take_too_long_stops_with_a_message():
    with pytest.raises(P.TooCostly, match="more than the 0 s this server allows"):
        P.repeat("pacgan-ring", ("gan",), n_seeds=2, steps=100, max_seconds=0.0)


# ------------------------------------------------------------------------------------- the page section

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/mode_collapse.py").run()
    assert not at.exception
    return at


def test_reproduce_trains_the_protocol_and_shows_the_papers_numbers_beside(page):
    assert page.selectbox(key="collapse_protocol").value == "pacgan-ring"
    assert page.multiselect(key="collapse_protocol_methods").value == list(P.PROTOCOLS["pacgan-ring"].contenders)
    assert any("at least 1 high-quality sample" in m.value and "MetricLogger" in m.value for m in page.markdown)
    page.multiselect(key="collapse_protocol_methods").set_value(["gan", "pacgan2"]).run()
    page.select_slider(key="collapse_protocol_steps").set_value(100).run()
    page.button(key="collapse_reproduce").click().run()
    assert not page.exception and not page.error
    table = next(frame.value for frame in page.dataframe if "paper: modes" in frame.value.columns)
    assert table.index.tolist() == ["GAN (non-saturating)", "PacGAN2"]
    assert table["seeds"].tolist() == [5, 5]
    assert table["paper: modes"].tolist() == ["6.3 ± 0.5", "7.9 ± 0.1"]
    assert any("Lin, Khetan, Fanti & Oh" in caption.value for caption in page.caption)


def test_a_new_protocol_brings_its_own_methods_and_steps(page):
    page.selectbox(key="collapse_protocol").set_value("gdpp-grid").run()
    assert page.multiselect(key="collapse_protocol_methods").value == list(P.PROTOCOLS["gdpp-grid"].default_contenders)
    assert page.select_slider(key="collapse_protocol_steps").value == 2000


def test_an_extreme_request_gets_a_message_instead_of_a_training(page):
    page.multiselect(key="collapse_protocol_methods").set_value(list(P.CONTENDERS)).run()
    page.slider(key="collapse_protocol_seeds").set_value(10).run()
    page.select_slider(key="collapse_protocol_steps").set_value(20_000).run()
    assert not page.exception
    assert any("times the most this server trains at once" in w.value for w in page.warning)
    assert not [b for b in page.button if b.key == "collapse_reproduce"]
    page.multiselect(key="collapse_protocol_methods").set_value([]).run()
    assert any(i.value == "Pick at least one method to train." for i in page.info)
