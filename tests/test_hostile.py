"""Hostile input: anything through the API or the URL is either accepted and trains, or refused clearly."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ganplay
from ganplay import RunConfig
from ganplay.config import field_specs

FIELDS = [f.name for f in dataclasses.fields(RunConfig)]
ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["ring8", "csv", "wgan-gp", "relu", "adam", "normal", "1e9", "-1"]),
    st.lists(st.integers(), max_size=3),
)


def _in_range(name, value):
    """A value from the field's own legal range or choices, so that some configs are valid."""
    spec = field_specs()[name]
    if "choices" in spec:
        return st.sampled_from(spec["choices"])
    lo, hi = spec.get("range", (0, 1))
    if isinstance(value, bool):
        return st.booleans()
    return st.integers(int(lo), int(min(hi, 64))) if isinstance(value, int) else st.floats(lo, hi)


LEGAL = st.fixed_dictionaries({}, optional={
    name: _in_range(name, getattr(RunConfig(), name) if getattr(RunConfig(), name) is not None else 0.1)
    for name in FIELDS if name != "data_id" and "pattern" not in field_specs()[name]})


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), ANYTHING, max_size=6))
def test_any_values_are_accepted_or_refused_with_a_named_field(values):
    try:
        RunConfig(**values)
    except ValueError as problem:
        assert str(problem).split(":")[0] in FIELDS, problem


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LEGAL)
def test_every_accepted_config_trains_or_stops_as_diverged(values):
    try:
        cfg = RunConfig(**values)
    except ValueError:
        return
    cfg = cfg.replace(steps=2, n=min(cfg.n, 3000))
    data = ganplay.from_array(np.random.default_rng(0).normal(size=(50, 3)),
                              y=np.arange(50) % 2) if cfg.dataset == "csv" else None
    run = ganplay.train(cfg, data)
    assert run.finished
    assert np.isfinite(run.sample(10)).all()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=15), st.text(max_size=20), max_size=8))
def test_any_url_gives_a_valid_config_and_names_what_it_ignored(params):
    cfg, ignored = RunConfig.from_query(params)
    assert isinstance(cfg, RunConfig)
    for text in ignored:
        assert isinstance(text, str) and text


@pytest.mark.parametrize("extreme", [
    dict(lr_g=10.0, lr_d=10.0), dict(batch_size=1), dict(g_width=1, d_width=1), dict(d_steps=10),
    dict(lr_g=10.0, lr_d=10.0, batch_size=1, g_width=1, d_width=1, d_steps=10, optimizer="sgd"),
])
@pytest.mark.parametrize("variant", ["gan", "wgan", "wgan-gp", "lsgan"])
def test_extreme_but_legal_settings_train_or_diverge_with_the_step_shown(extreme, variant):
    run = ganplay.train(RunConfig(variant=variant, steps=60, **extreme))
    assert run.finished
    if run.status == "diverged":
        assert 0 <= run.diverged_at < 60 and len(run.history) == run.diverged_at
    assert np.isfinite(run.sample(50)).all() and np.isfinite(run.history.to_numpy()).all()


def test_limits_that_keep_a_shared_server_safe():
    limits = {name: spec["range"][1] for name, spec in field_specs().items() if "range" in spec}
    assert (limits["g_width"], limits["d_depth"], limits["batch_size"], limits["steps"], limits["n"],
            limits["z_dim"]) == (512, 6, 2048, 50_000, 50_000, 16)
    assert math.isfinite(limits["lr_g"])


@pytest.mark.parametrize("scale", [1e19, 1e30])
def test_data_whose_float32_std_overflows_still_trains_and_samples_finite_points(scale):
    x = np.random.default_rng(0).normal(size=(200, 2)) * scale
    run = ganplay.Trainer(RunConfig(dataset="csv", steps=5, batch_size=32), ganplay.from_array(x)).step(5)
    assert run.status == "done"
    game = run._game
    assert game.standardiser.scale == pytest.approx(x.astype(np.float32).astype(np.float64).std(axis=0), rel=1e-12)
    assert np.isfinite(run.sample(50)).all()


def test_data_beyond_float32s_range_is_refused_by_the_trainer_with_the_reason():
    data = ganplay.from_array(np.array([[1e39, 1.0], [2.0, 3.0], [4.0, 5.0]]))  # float64-finite, inf as float32
    with pytest.raises(ValueError, match=r"data: values beyond 32-bit floats' range \(about ±3.4e38\)"):
        ganplay.Trainer(RunConfig(dataset="csv"), data)


def test_a_frame_of_points_that_are_not_finite_is_refused_before_any_chart_sees_a_nan_window():
    from ganplay import frames
    with pytest.raises(ValueError, match="the data: some points are NaN or infinite, so there is nothing to draw"):
        frames.Extent.around(np.array([[0.0, 1.0], [np.inf, 2.0]], dtype=np.float32))


def test_the_divergence_message_blames_the_learning_rate_only_after_learning_began():
    from ganplay.ui.text import divergence_text
    own, ring = RunConfig(dataset="csv"), RunConfig()
    assert "Your data's values may be too extreme" in divergence_text(own, 0)
    first = divergence_text(ring, 0)
    assert first.startswith("Training diverged at its first step, before anything was learnt") and "data" not in first.lower()
    later = divergence_text(ring, 1234)
    assert later.startswith("Training diverged at step 1,234") and "smaller learning rate" in later
