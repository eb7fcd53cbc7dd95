"""RunConfig validates every field, fills the variant's defaults, and round-trips through a URL."""
import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganplay import DATASETS, VARIANTS, RunConfig
from ganplay.config import field_specs


def test_defaults_train_the_nsgan_on_the_ring():
    cfg = RunConfig()
    assert (cfg.dataset, cfg.variant, cfg.optimizer, cfg.d_steps) == ("ring8", "nsgan", "adam", 1)
    assert cfg.noise == DATASETS["ring8"].default_noise


def test_variant_defaults_fill_only_unset_fields():
    assert RunConfig(variant="wgan").optimizer == "rmsprop" and RunConfig(variant="wgan").d_steps == 5
    assert RunConfig(variant="wgan", optimizer="adam").optimizer == "adam"
    assert (RunConfig(variant="wgan-gp").beta1, RunConfig(variant="wgan-gp").beta2) == (0.0, 0.9)


@pytest.mark.parametrize("field,value,message", [
    ("g_width", 513, "g_width: 513 is outside"), ("d_depth", 7, "d_depth: 7 is outside"),
    ("batch_size", 4096, "batch_size"), ("steps", 50_001, "steps"), ("n", 50_001, "n: 50001"),
    ("z_dim", 17, "z_dim"), ("variant", "dcgan", "variant: 'dcgan' is not one of"),
    ("dataset", "mnist", "dataset"), ("lr_g", -1.0, "lr_g"), ("lr_d", math.nan, "lr_d: nan"),
    ("lr_d", math.inf, "lr_d"), ("steps", 10.5, "steps: expected int"), ("spectral_norm", "yes", "spectral_norm"),
    ("seed", True, "seed: expected int"), ("activation", "gelu", "activation"), ("pack", 3, "pack"),
    ("clip", 0.0, "clip"), ("data_id", "../etc", "data_id: '../etc' does not match"),
    ("data_id", 12, "data_id: expected str"),
])
def test_every_invalid_field_raises_a_clear_value_error(field, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        RunConfig(**{field: value})


def test_conditional_needs_labels():
    with pytest.raises(ValueError, match="swissroll.*no labels"):
        RunConfig(dataset="swissroll", conditional=True)


def test_only_your_own_data_carries_a_data_id():
    assert RunConfig(dataset="csv", data_id="0123abcd").data_id == "0123abcd"
    with pytest.raises(ValueError, match="data_id: only your own data"):
        RunConfig(dataset="ring8", data_id="0123abcd")


def test_config_is_hashable_and_frozen():
    cfg = RunConfig()
    assert hash(cfg) == hash(RunConfig()) and {cfg: 1}[RunConfig()] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.steps = 3


def _value(name, spec):
    if "choices" in spec:
        return st.sampled_from(spec["choices"])
    if "pattern" in spec:
        return st.from_regex(spec["pattern"], fullmatch=True)
    kind = dataclasses.fields(RunConfig)[[f.name for f in dataclasses.fields(RunConfig)].index(name)].type
    lo, hi = spec.get("range", (None, None))
    if kind.startswith("bool"):
        return st.booleans()
    if kind.startswith("int"):
        return st.integers(lo, hi)
    return st.floats(lo, hi, allow_nan=False)


CONFIGS = st.fixed_dictionaries({}, optional={name: _value(name, spec) for name, spec in field_specs().items()})


@settings(max_examples=300, deadline=None)
@given(CONFIGS)
def test_every_valid_config_round_trips_through_the_url(values):
    try:
        cfg = RunConfig(**values)
    except ValueError:
        return  # combinations (conditional without labels, pack not dividing batch) are refused
    restored, ignored = RunConfig.from_query(cfg.to_query())
    assert ignored == [] and restored == cfg


def test_garbage_in_the_url_is_ignored_and_named():
    cfg, ignored = RunConfig.from_query({"variant": "wgan", "steps": "1e99", "lr_g": "fast", "z_dim": "4",
                                         "spectral_norm": "maybe", "page": "playground"})
    assert cfg == RunConfig(variant="wgan", z_dim=4)
    assert [i.split("=")[0] for i in ignored] == ["steps", "lr_g", "spectral_norm"]


@pytest.mark.parametrize("params, kept, dropped", [
    ({"pack": "8", "batch_size": "100", "seed": "7", "steps": "500"}, dict(batch_size=100, seed=7, steps=500),
     ["pack='8' (pack: batch_size 100 must be a multiple of pack 8)"]),
    ({"conditional": "true", "dataset": "swissroll", "seed": "3", "z_dim": "4"},
     dict(dataset="swissroll", seed=3, z_dim=4),
     ["conditional='true' (conditional: dataset 'swissroll' has no labels; choose one of "
      f"{', '.join(n for n, s in DATASETS.items() if s.labelled)})"]),
    ({"conditional": "1", "dataset": "moons", "pack": "3", "data_id": "ab"}, dict(dataset="moons", conditional=True),
     ["data_id='ab' (data_id: only your own data (dataset 'csv') has one, not 'moons')",
      "pack='3' (pack: batch_size 256 must be a multiple of pack 3)"]),
])
def test_url_values_valid_alone_but_not_together_drop_only_the_conflicting_field_and_name_it(params, kept, dropped):
    assert RunConfig.from_query(params) == (RunConfig(**kept), dropped)


def test_a_message_echoes_at_most_forty_characters_of_a_value():
    cfg, ignored = RunConfig.from_query({"seed": "7" * 100_000, "variant": "[x](http://example.invalid)" * 10})
    assert cfg == RunConfig()
    assert ignored == ["seed='" + "7" * 38 + "… (expected int)",
                       "variant='[x](http://example.invalid)[x](http://… (variant: "
                       "'[x](http://example.invalid)[x](http://… is not one of " + ", ".join(VARIANTS) + ")"]
    assert max(map(len, ignored)) < 200


def test_python_snippet_reproduces_the_config():
    cfg = RunConfig(variant="lsgan", steps=123, lr_d=3e-4)
    namespace = {}
    exec(cfg.to_python().split("run =")[0], namespace)
    assert namespace["cfg"] == cfg


def test_every_variant_and_dataset_name_is_a_valid_choice():
    for name in VARIANTS:
        assert RunConfig(variant=name).variant == name
    for name in DATASETS:
        assert RunConfig(dataset=name).dataset == name


def test_every_widget_hint_fits_its_field():
    from ganplay.config import SECTIONS, widgets
    hints = widgets()
    assert set(hints) == {f.name for f in dataclasses.fields(RunConfig)} - {"n", "data_seed", "data_id", "schedule"}
    for name, widget in hints.items():
        spec = field_specs()[name]
        assert widget.section in SECTIONS and widget.kind in ("select", "radio", "slider", "stops", "toggle", "number")
        assert ("choices" in spec) == (widget.kind in ("select", "radio")), name
        if widget.kind == "stops":
            assert all(spec["range"][0] <= v <= spec["range"][1] for v in widget.options), name
        if widget.span is not None:
            assert spec["range"][0] <= widget.span[0] < widget.span[1] <= spec["range"][1], name
    places = [(w.section, w.order) for w in hints.values()]
    assert len(set(places)) == len(places)  # no two widgets in one place


def test_an_integer_range_reads_in_full_and_a_float_range_as_g():
    _, ignored = RunConfig.from_query({"seed": "-1", "lr_g": "99"})
    assert ignored == ["seed='-1' (seed: -1 is outside the allowed range 0..2147483647)",
                       "lr_g='99' (lr_g: 99.0 is outside the allowed range 0..10)"]


@pytest.mark.parametrize("text,named", [("７", "full-width"), ("1e３", "full-width"), ("٣", "non-ASCII")])
def test_full_width_and_other_unicode_digits_are_refused_and_named(text, named):
    cfg, ignored = RunConfig.from_query({"seed": text})
    assert cfg == RunConfig()
    assert ignored == [f"seed={text!r} (expected int in ASCII digits, got {named} characters)"]
