"""Pins ganplay.collapse and its charts: the side-by-side configs, the metric track, the seeds table."""
import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import ganplay
from ganplay import collapse
from ganplay import collapse_charts as charts
from ganplay.collapse import Measure, Panel
from ganplay.datasets import load_dataset
from ganplay.metrics import ModeReport
from ganplay.frames import Extent
from ganplay.variants import VARIANTS

RING = load_dataset("ring8")
QUICK = ("nsgan", "lsgan")  # one stack with the shared recipe: the cheapest real side-by-side


class _OneModeRun:
    """Run-like: every sample sits on mode 3 of the ring, within 3σ."""

    config = ganplay.RunConfig(variant="gan", seed=7)
    data = RING

    def sample(self, n):
        return RING.centers[3] + 0.01 * np.random.default_rng(0).standard_normal((n, 2))


def _measure(variant, seed, captured, share, kl):
    return Measure(variant, seed, 2000, 8, captured, share, kl)


# --------------------------------------------------------------------------------------- configs


def test_paper_recipe_gives_wgan_gp_its_critic_steps_and_splits_it_into_its_own_stack():
    configs = collapse.variant_configs(ganplay.RunConfig(steps=10), collapse.DEFAULT_VARIANTS, shared_recipe=False)
    assert [(c.variant, c.d_steps, c.beta1, c.beta2) for c in configs] == [
        ("gan", 1, 0.5, 0.999), ("nsgan", 1, 0.5, 0.999), ("wgan-gp", 5, 0.0, 0.9), ("lsgan", 1, 0.5, 0.999)]
    assert [len(stack.configs) for stack in ganplay.SideBySide(configs).stacks] == [3, 1]


def test_shared_recipe_trains_every_variant_in_one_stack_with_the_same_optimiser():
    base = ganplay.RunConfig(dataset="grid25", steps=10, seed=3, g_width=32)
    configs = collapse.variant_configs(base, collapse.DEFAULT_VARIANTS, shared_recipe=True)
    for cfg in configs:
        assert {name: getattr(cfg, name) for name in collapse.SHARED_RECIPE} == collapse.SHARED_RECIPE
        assert (cfg.dataset, cfg.seed, cfg.g_width, cfg.steps) == ("grid25", 3, 32, 10)
    assert len(ganplay.SideBySide(configs).stacks) == 1


def test_configs_over_seeds_repeat_every_variant_per_seed():
    configs = collapse.variant_configs(ganplay.RunConfig(), QUICK, True, seeds=range(4, 7))
    assert [(c.seed, c.variant) for c in configs] == [(s, v) for s in (4, 5, 6) for v in QUICK]


@pytest.mark.parametrize("dataset, variants, problem", [
    ("moons", QUICK, "has no modes"),
    ("ring8", (), "choose 1 to 4"),
    ("ring8", ("gan", "nsgan", "wgan", "wgan-gp", "lsgan"), "choose 1 to 4"),
    ("ring8", ("gan", "gan"), "different variants"),
])
def test_configs_refuse_data_without_modes_and_bad_variant_lists(dataset, variants, problem):
    with pytest.raises(ValueError, match=problem):
        collapse.variant_configs(ganplay.RunConfig(dataset=dataset), variants, True)


# ------------------------------------------------------------------------------------------ track


def test_measure_of_a_one_mode_generator_captures_one_mode_at_reverse_kl_log8():
    assert collapse.measure(_OneModeRun(), 40) == Measure("gan", 7, 40, 8, 1, 1.0, pytest.approx(math.log(8)))


def test_track_records_on_fixed_steps_whatever_the_chunks():
    configs = collapse.variant_configs(ganplay.RunConfig(steps=300), QUICK, shared_recipe=True)
    at_once, in_chunks = collapse.Comparison(configs), collapse.Comparison(configs)
    at_once.step(300)
    while not in_chunks.finished:
        in_chunks.step(7)  # 7 does not divide the record interval 3
    assert in_chunks.track == at_once.track
    assert [m.step for m in at_once.track[::2]] == list(range(0, 301, 3))
    assert [m.variant for m in at_once.track[:4]] == ["nsgan", "lsgan", "nsgan", "lsgan"]


def test_comparison_steps_its_runs_and_track_together_and_stops_between_records():
    live = collapse.Comparison(collapse.variant_configs(ganplay.RunConfig(steps=300), QUICK, shared_recipe=True))
    live.step(30)
    assert collapse.steps_done(live.side) == 30 and live.track[-1].step == 30 and len(live.track) == 2 * 11
    live.step(70)
    assert collapse.steps_done(live.side) == 100 and live.track[-1].step == 99  # the next record falls on step 102
    assert not live.finished and live.step(1000).finished and collapse.steps_done(live.side) == 300


def test_repeat_over_seeds_returns_each_runs_final_measure_and_reports_progress():
    seen = []
    finals = collapse.repeat_over_seeds(ganplay.RunConfig(steps=20, seed=5), QUICK, True, 3, progress=seen.append)
    assert [(m.variant, m.seed, m.step) for m in finals] == [(v, s, 20) for s in (5, 6, 7) for v in QUICK]
    assert seen == [i / 20 for i in range(1, 21)]


# ------------------------------------------------------------------------------------------ tables


def test_seeds_table_shows_mean_and_sample_std_and_each_seeds_modes():
    finals = [_measure("nsgan", s, m, q, kl) for s, (m, q, kl) in
              enumerate([(8, 0.70, 0.0), (8, 0.80, 0.1), (5, 0.60, 0.4), (8, 0.70, 0.1), (6, 0.70, 0.4)])]
    finals += [_measure("lsgan", s, 8, 0.9, 0.05) for s in range(5)]
    table = collapse.seeds_table(finals)
    assert table.index.tolist() == ["Non-saturating GAN", "LSGAN"]
    assert table.loc["Non-saturating GAN"].tolist() == [5, "7.0 ± 1.4", "70% ± 7%", "0.20 ± 0.19", "3 of 5",
                                                        "8, 8, 5, 8, 6"]
    assert table.loc["LSGAN"].tolist() == [5, "8.0 ± 0.0", "90% ± 0%", "0.05 ± 0.00", "5 of 5", "8, 8, 8, 8, 8"]


def test_track_frame_names_variants_by_their_titles():
    frame = collapse.track_frame([_measure("wgan-gp", 0, 3, 0.25, 1.0)])
    assert frame.to_dict("records") == [{"variant": "WGAN-GP", "seed": 0, "step": 2000, "modes": 8,
                                         "modes_captured": 3, "high_quality_share": 0.25, "reverse_kl": 1.0}]


def _panel(variant, counts):
    counts = np.asarray(counts)
    fake = np.repeat(RING.centers, 200, axis=0)
    return Panel(variant, fake, ModeReport(counts, counts.sum() / 2500, int((counts >= 20).sum()), 0.0))


def test_a_mode_is_captured_from_twenty_high_quality_samples():
    modes = collapse.modes_frame([_panel("LSGAN", [20, 19, 0, 2441, 20, 0, 0, 0])], RING)
    assert modes.captured.tolist() == [True, False, False, True, True, False, False, False]
    np.testing.assert_allclose(modes[["x", "y"]].to_numpy(), RING.centers)


def test_points_frame_keeps_the_first_samples_of_each_panel():
    points = collapse.points_frame([_panel("A", [0] * 8), _panel("B", [0] * 8)])
    shown = collapse.SHOWN_POINTS
    assert points.variant.value_counts().to_dict() == {"A": shown, "B": shown}
    assert_array_equal(points[["x", "y"]].to_numpy()[:shown], np.repeat(RING.centers, 200, axis=0)[:shown])


# ------------------------------------------------------------------------------------------ charts


def test_mode_grid_has_a_panel_per_variant_and_rings_of_three_sigma():
    shown = [_panel("Minimax GAN", [2500, 0, 0, 0, 0, 0, 0, 0]), _panel("LSGAN", [300] * 8)]
    extent = Extent(-3.0, 3.0, -3.0, 3.0)
    drawing = charts.mode_grid(collapse.points_frame(shown), collapse.modes_frame(shown, RING), extent, 0.05,
                               size=240)
    panels = drawing.datasets["panels"].drop_duplicates("panel")
    assert panels.panel.tolist() == ["Minimax GAN: 1 of 8 modes", "LSGAN: 8 of 8 modes"]
    assert panels.order.tolist() == [0, 1] and drawing.spec["facet"]["sort"] == {"field": "order", "op": "min"}
    ring = drawing.spec["spec"]["layer"][1]["mark"]
    assert ring["size"] == pytest.approx((2 * 3 * 0.05 / 6.0 * 240) ** 2)  # a 12-pixel disc: 3σ each side


def test_counts_chart_draws_the_capture_threshold():
    modes = collapse.modes_frame([_panel("LSGAN", [300] * 8)], RING)
    spec = charts.counts_chart(modes, charts.variant_colours([VARIANTS["lsgan"]]), collapse.CAPTURE_COUNT).to_dict()
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert spec["datasets"][rule["data"]["name"]].to_pylist() == [{"count": 20}]
