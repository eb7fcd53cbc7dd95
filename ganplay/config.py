"""RunConfig: one frozen dataclass holding every setting of a run.

It is the cache key, it round-trips through a URL query string, and it prints itself as a runnable
snippet. Each field carries its own limits, so validation, URL parsing and the UI read one table.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import schedule as _schedule
from .datasets import DATASETS, MAX_DIMS, MAX_ROWS
from .variants import VARIANTS

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu")
NOISES = ("normal", "uniform")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
RATES = (0.0, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 1.0, 10.0)
ECHO = 40  # characters of a visitor's value a message repeats, at most
ALWAYS_SHOWN = ("dataset", "variant", "seed")  # a link or snippet always says what it trains, and with which seed
SECTIONS = ("Data", "GAN variant", "Training", "Networks", "Optimiser", "Remedies")  # the sidebar, top to bottom
FOLDED = ("Networks", "Optimiser", "Remedies")  # sections drawn as expanders


def _with_penalty(values: Mapping[str, Any]) -> bool:
    return VARIANTS[values["variant"]].gradient_penalty


def _with_clipping(values: Mapping[str, Any]) -> bool:
    return VARIANTS[values["variant"]].clip_weights


def _with_unrolling(values: Mapping[str, Any]) -> bool:
    return VARIANTS[values["variant"]].unrolled


def _sampled(values: Mapping[str, Any]) -> bool:
    return values["dataset"] != "csv"  # your own data has no spread to set


@dataclass(frozen=True)
class Widget:
    """How the sidebar offers a field: the sidebar is generated from these hints, as CleanRL's CLI from `Args`.

    kind: "select" (selectbox of the field's choices), "radio" (of its choices), "slider" (over `span`, else the
    field's range), "stops" (select_slider over `options`), "toggle" or "number" (number_input over the range).
    A slider's or a stops widget's range always grows to take in the current value (a link may carry any).
    """
    label: str
    kind: str
    section: str  # one of SECTIONS
    order: int  # place within its section
    options: tuple = ()  # the stops of a "stops" widget
    span: tuple[float, float] | None = None  # a slider's bounds when narrower than the field's range
    step: float | None = None
    format: str | None = None  # a format spec for the values shown (".4f", "g")
    tooltip: bool = True  # show the field's help
    shown: Callable[[Mapping[str, Any]], bool] | None = None  # given every widget's value: draw this one?


def _choice(default, choices, help, widget=None):
    return field(default=default, metadata={"choices": tuple(choices), "help": help, "widget": widget})


def _number(default, lo, hi, help, *, log=False, widget=None):
    return field(default=default, metadata={"range": (lo, hi), "log": log, "help": help, "widget": widget})


def _flag(default, help, widget=None):
    return field(default=default, metadata={"help": help, "widget": widget})


def _text(default, pattern, help):
    return field(default=default, metadata={"pattern": pattern, "help": help, "widget": None})


@dataclass(frozen=True)
class RunConfig:
    dataset: str = _choice("ring8", DATASETS, "which data the GAN learns",
        widget=Widget("Dataset", "select", "Data", 0))
    n: int = _number(2000, 2, MAX_ROWS, "number of data points")
    noise: float | None = _number(None, 0.0, 5.0, "spread of the dataset (its own default when unset)",
        widget=Widget("Spread (noise)", "slider", "Data", 1, span=(0.0, 2.0), step=0.01,
            shown=_sampled))
    data_seed: int = _number(0, 0, 2**31 - 1, "seed of the data sample (kept apart from the training seed)")
    variant: str = _choice("nsgan", VARIANTS, "the GAN loss",
        widget=Widget("Loss", "select", "GAN variant", 0))
    unroll: int = _number(5, 0, 10, "look-ahead steps K of D that G's loss is taken through (Unrolled GAN; "
        "0: the plain GAN)", widget=Widget("Look-ahead steps K", "slider", "GAN variant", 1, shown=_with_unrolling))
    conditional: bool = _flag(False, "feed the label to G and D (labelled datasets)",
        widget=Widget("Conditional GAN (feed the label to G and D)", "toggle", "Data", 2))
    z_dim: int = _number(2, 1, MAX_DIMS, "latent dimension",
        widget=Widget("Latent dimension z", "slider", "Networks", 0))
    latent: str = _choice("normal", NOISES, "distribution of z: N(0, I) or U(-1, 1)",
        widget=Widget("Noise distribution", "radio", "Networks", 1))
    g_depth: int = _number(2, 1, 6, "hidden layers of G",
        widget=Widget("G hidden layers", "slider", "Networks", 2, tooltip=False))
    g_width: int = _number(64, 1, 512, "units per hidden layer of G",
        widget=Widget("G width", "stops", "Networks", 3, WIDTHS, tooltip=False))
    d_depth: int = _number(2, 1, 6, "hidden layers of D",
        widget=Widget("D hidden layers", "slider", "Networks", 4, tooltip=False))
    d_width: int = _number(64, 1, 512, "units per hidden layer of D",
        widget=Widget("D width", "stops", "Networks", 5, WIDTHS, tooltip=False))
    activation: str = _choice("relu", ACTIVATIONS, "hidden-layer nonlinearity",
        widget=Widget("Activation", "select", "Networks", 6, tooltip=False))
    spectral_norm: bool = _flag(False, "spectral normalisation of D's weights",
        widget=Widget("Spectral normalisation of D", "toggle", "Remedies", 2))
    optimizer: str | None = _choice(None, OPTIMIZERS, "optimiser (the variant's default when unset)",
        widget=Widget("Optimiser", "radio", "Optimiser", 0, tooltip=False))
    lr_g: float | None = _number(None, 0.0, 10.0, "generator learning rate (0 freezes G)",
        widget=Widget("Learning rate of G", "stops", "Training", 2, RATES, format="g"))
    lr_d: float | None = _number(None, 0.0, 10.0, "discriminator learning rate (0 freezes D)",
        widget=Widget("Learning rate of D", "stops", "Training", 3, RATES, format="g"))
    beta1: float | None = _number(None, 0.0, 0.999, "Adam β1 (the variant's default when unset)",
        widget=Widget("β1 (Adam)", "slider", "Optimiser", 1, span=(0.0, 0.99), step=0.01, tooltip=False))
    beta2: float | None = _number(None, 0.0, 0.9999, "Adam β2 / RMSprop α (the variant's default when unset)",
        widget=Widget("β2 (Adam) / α (RMSprop)", "slider", "Optimiser", 2, span=(0.5, 0.9999), step=0.0001,
            format=".4f", tooltip=False))
    batch_size: int = _number(256, 1, 2048, "samples per batch",
        widget=Widget("Batch size", "stops", "Training", 1, (1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048),
            tooltip=False))
    d_steps: int | None = _number(None, 1, 10, "critic steps per generator step, k",
        widget=Widget("Critic steps per G step (k)", "slider", "Training", 4))
    gp_weight: float = _number(10.0, 0.0, 1000.0, "λ of the WGAN-GP gradient penalty",
        widget=Widget("Gradient penalty λ", "slider", "Remedies", 0, span=(0.0, 100.0), step=0.5,
            tooltip=False, shown=_with_penalty))
    r1_weight: float = _number(0.0, 0.0, 1000.0, "γ of the R1 penalty on real data (any variant)",
        widget=Widget("R1 penalty γ", "slider", "Remedies", 3, span=(0.0, 10.0), step=0.1))
    clip: float = _number(0.01, 1e-4, 10.0, "WGAN weight-clipping bound c", log=True,
        widget=Widget("Weight clip c", "stops", "Remedies", 1, (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0),
            tooltip=False, shown=_with_clipping))
    pack: int = _number(1, 1, 8, "PacGAN: D judges this many samples at once",
        widget=Widget("PacGAN packing m", "slider", "Remedies", 4))
    steps: int = _number(2000, 1, 50_000, "generator steps of the run",
        widget=Widget("Generator steps", "stops", "Training", 0,
            (100, 200, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000), tooltip=False))
    seed: int = _number(0, 0, 2**31 - 1, "training seed",
        widget=Widget("Seed", "number", "Training", 5))
    data_id: str = _text("", "[0-9a-f]{0,16}", "content hash of your own data (dataset 'csv'): new data, new run")
    # changes while the run plays, (step, field, value) each (ganplay/schedule.py): part of the run, so of its key
    schedule: tuple = field(default=(), metadata={"schedule": True, "help": "changes mid-run", "widget": None})

    def __post_init__(self):
        for f in dataclasses.fields(self):
            _check(f, getattr(self, f.name))
        variant = VARIANTS[self.variant]
        for name, value in variant.defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        if self.noise is None:
            object.__setattr__(self, "noise", DATASETS[self.dataset].default_noise)
        if self.conditional and not DATASETS[self.dataset].labelled and self.dataset != "csv":
            raise ValueError(f"conditional: dataset {self.dataset!r} has no labels; "
                             f"choose one of {', '.join(n for n, s in DATASETS.items() if s.labelled)}")
        if self.data_id and self.dataset != "csv":
            raise ValueError(f"data_id: only your own data (dataset 'csv') has one, not {self.dataset!r}")
        if self.batch_size % self.pack:
            raise ValueError(f"pack: batch_size {self.batch_size} must be a multiple of pack {self.pack}")
        if self.schedule != ():
            object.__setattr__(self, "schedule", _schedule.checked(self))  # last: its changes read the other fields

    @property
    def variant_spec(self):
        return VARIANTS[self.variant]

    @property
    def lookahead(self) -> int:
        """The look-ahead steps G's loss takes: unroll for an unrolled variant, else none."""
        return self.unroll if self.variant_spec.unrolled else 0

    def replace(self, **changes) -> "RunConfig":
        return dataclasses.replace(self, **changes)

    def changed_fields(self) -> dict[str, Any]:
        """The settings that differ from a default RunConfig of the same variant and dataset, and those three."""
        base = RunConfig(dataset=self.dataset, variant=self.variant)
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(base, f.name) or f.name in ALWAYS_SHOWN}

    def to_query(self) -> dict[str, str]:
        """The changed settings as URL query parameters."""
        return {k: to_text(v) for k, v in self.changed_fields().items()}

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> tuple["RunConfig", list[str]]:
        """Parse URL parameters; unknown, malformed or out-of-range ones are ignored and named, and of fields
        valid alone but not together (conditional on unlabelled data, a pack that does not divide the batch)
        the one the check names is dropped, the others kept."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        values, ignored = {}, []
        for key, text in params.items():
            if key not in known:
                continue  # other pages' parameters share the URL
            try:
                values[key] = _from_text(known[key], text)
                _check(known[key], values[key])
            except ValueError as problem:
                values.pop(key, None)
                ignored.append(f"{key}={echo(text)} ({problem})")
        while True:
            try:
                return cls(**values), ignored
            except ValueError as problem:
                name = str(problem).split(":", 1)[0]  # every check names its field first
                if name not in values or name in ("dataset", "variant"):  # no field of the link's to blame
                    return cls(**{k: v for k, v in values.items() if k in ("dataset", "variant")}), [
                        *ignored, str(problem)]
                ignored.append(f"{name}={echo(params[name])} ({problem})")
                del values[name]

    def as_call(self) -> str:
        """This config as Python source: `ganplay.RunConfig(...)` with the changed settings."""
        source = {k: _schedule.as_source(v) if k == "schedule" else repr(v) for k, v in self.changed_fields().items()}
        return f"ganplay.RunConfig({', '.join(f'{k}={v}' for k, v in source.items())})"

    def to_python(self) -> str:
        """A short script that reproduces this run in a notebook."""
        return (
            "import ganplay\n\n"
            f"cfg = {self.as_call()}\n"
            "run = ganplay.train(cfg)\n"
            "samples = run.sample(2500)\n"
            "print(run.status, run.history.tail())\n"
        )


def field_specs() -> dict[str, Mapping[str, Any]]:
    """name -> metadata (choices or range, help, widget): what a widget needs to offer a field."""
    return {f.name: f.metadata for f in dataclasses.fields(RunConfig)}


def widgets() -> dict[str, Widget]:
    """name -> Widget of every field the sidebar draws, in the sidebar's order."""
    hinted = {name: spec["widget"] for name, spec in field_specs().items() if spec["widget"] is not None}
    return dict(sorted(hinted.items(), key=lambda item: (SECTIONS.index(item[1].section), item[1].order)))


def echo(value: Any) -> str:
    """A value as a message repeats it: its repr, cut to ECHO characters with "…" (a link may carry 100 KB)."""
    return clip(repr(value))


def clip(text: str) -> str:
    """text cut to ECHO characters with "…": a visitor's name (of a file, a column) as a message shows it."""
    return text if len(text) <= ECHO else text[:ECHO - 1] + "…"


def _limit(value: float) -> str:
    """A limit as a message shows it: integers in full (2147483647, not 2.14748e+09), other numbers as %g."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _base_type(f: dataclasses.Field) -> type:
    return {"int": int, "float": float, "bool": bool, "str": str}[str(f.type).split(" |")[0]]


def read_value(name: str, text: str) -> Any:
    """A field's value from a link's text, checked against the field's limits (ValueError naming the field)."""
    f = _FIELDS[name]
    value = _from_text(f, text)
    _check(f, value)
    return value


def _check(f: dataclasses.Field, value: Any) -> None:
    if value is None and f.default is None:
        return
    if "schedule" in f.metadata:
        return  # checked as a whole in RunConfig.__post_init__, against the other fields
    kind = _base_type(f)
    ok_type = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok_type = True
    if not ok_type:
        raise ValueError(f"{f.name}: expected {kind.__name__}, got {echo(value)}")
    if "pattern" in f.metadata and not re.fullmatch(f.metadata["pattern"], value):
        raise ValueError(f"{f.name}: {echo(value)} does not match {f.metadata['pattern']}")
    if "choices" in f.metadata and value not in f.metadata["choices"]:
        raise ValueError(f"{f.name}: {echo(value)} is not one of {', '.join(f.metadata['choices'])}")
    if "range" in f.metadata:
        lo, hi = f.metadata["range"]
        if not (isinstance(value, int) or math.isfinite(value)) or not lo <= value <= hi:
            raise ValueError(f"{f.name}: {echo(value)} is outside the allowed range {_limit(lo)}..{_limit(hi)}")


def to_text(value: Any) -> str:
    """A field's value as a link's text."""
    if isinstance(value, tuple):
        return _schedule.to_text(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _from_text(f: dataclasses.Field, text: str) -> Any:
    if "schedule" in f.metadata:
        return _schedule.from_text(text)
    kind = _base_type(f)
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError("expected true or false")
        return text.lower() in ("true", "1")
    if not text.isascii():  # int() and float() read full-width and other Unicode digits: a link is ASCII
        wide = any("\uff01" <= c <= "\uff5e" for c in text)
        raise ValueError(f"expected {kind.__name__} in ASCII digits, got {'full-width' if wide else 'non-ASCII'} "
                         "characters")
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ValueError(f"expected {kind.__name__}") from None


_FIELDS = {f.name: f for f in dataclasses.fields(RunConfig)}
