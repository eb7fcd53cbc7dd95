"""Lesson presets are data: each builds a valid RunConfig, trains, and tells students what to look for."""
import re

import numpy as np
import pytest

from ganplay import RunConfig, Trainer
from ganplay.presets import PRESETS, parse


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_a_valid_config_that_trains(name):
    preset = PRESETS[name]
    run = Trainer(preset.config().replace(batch_size=32)).step(3)
    assert run.status == "training" and run.step_count == 3
    assert np.isfinite(run.history[["d_loss", "g_loss"]].to_numpy()).all()


def test_every_preset_has_a_title_two_lines_to_look_for_and_a_url_safe_name():
    for name, preset in PRESETS.items():
        assert re.fullmatch(r"[a-z0-9-]+", name) and preset.title
        assert len(preset.look_for) == 2 and all(len(line) > 20 for line in preset.look_for)


def test_presets_cover_the_lectures_claims():
    variants = {(p.config().variant, p.config().dataset, p.config().conditional) for p in PRESETS.values()}
    assert {("nsgan", "ring8", False), ("gan", "ring8", False), ("wgan", "ring8", False), ("wgan-gp", "ring8", False),
            ("lsgan", "ring8", False), ("nsgan", "blobs", True), ("nsgan", "iris", False)} <= variants


def test_the_saturation_pair_differs_only_in_the_loss():
    minimax, ns = PRESETS["saturation-minimax"].config(), PRESETS["saturation-nsgan"].config()
    assert minimax.replace(variant="nsgan") == ns


def test_a_preset_config_round_trips_through_the_url():
    for preset in PRESETS.values():
        assert RunConfig.from_query(preset.config().to_query()) == (preset.config(), [])


def test_a_malformed_preset_file_is_refused():
    with pytest.raises(ValueError, match="preset 'x': needs title, config and two lines of look_for"):
        parse('[x]\ntitle = "X"\nlook_for = ["only one"]\nconfig = {}\n')
    with pytest.raises(ValueError, match="variant: 'dcgan' is not one of"):
        parse('[x]\ntitle = "X"\nlook_for = ["a", "b"]\nconfig = { variant = "dcgan" }\n')["x"].config()
