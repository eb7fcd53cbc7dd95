"""RunConfig: one frozen dataclass holding every setting of a run.

It is the cache key, it round-trips through a URL query string, and it prints itself as a runnable
snippet. Each field carries its own limits, so validation, URL parsing and the UI read one table.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .datasets import DATASETS, MAX_DIMS, MAX_ROWS
from .variants import VARIANTS

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu")
NOISES = ("normal", "uniform")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
ALWAYS_SHOWN = ("dataset", "variant", "seed")  # a link or snippet always says what it trains, and with which seed


def _choice(default, choices, help):
    return field(default=default, metadata={"choices": tuple(choices), "help": help})


def _number(default, lo, hi, help, *, log=False):
    return field(default=default, metadata={"range": (lo, hi), "log": log, "help": help})


def _flag(default, help):
    return field(default=default, metadata={"help": help})


def _text(default, pattern, help):
    return field(default=default, metadata={"pattern": pattern, "help": help})


@dataclass(frozen=True)
class RunConfig:
    dataset: str = _choice("ring8", DATASETS, "which data the GAN learns")
    n: int = _number(2000, 2, MAX_ROWS, "number of data points")
    noise: float | None = _number(None, 0.0, 5.0, "spread of the dataset (its own default when unset)")
    data_seed: int = _number(0, 0, 2**31 - 1, "seed of the data sample (kept apart from the training seed)")
    variant: str = _choice("nsgan", VARIANTS, "the GAN loss")
    conditional: bool = _flag(False, "feed the label to G and D (labelled datasets)")
    z_dim: int = _number(2, 1, MAX_DIMS, "latent dimension")
    latent: str = _choice("normal", NOISES, "distribution of z: N(0, I) or U(-1, 1)")
    g_depth: int = _number(2, 1, 6, "hidden layers of G")
    g_width: int = _number(64, 1, 512, "units per hidden layer of G")
    d_depth: int = _number(2, 1, 6, "hidden layers of D")
    d_width: int = _number(64, 1, 512, "units per hidden layer of D")
    activation: str = _choice("relu", ACTIVATIONS, "hidden-layer nonlinearity")
    spectral_norm: bool = _flag(False, "spectral normalisation of D's weights")
    optimizer: str | None = _choice(None, OPTIMIZERS, "optimiser (the variant's default when unset)")
    lr_g: float | None = _number(None, 0.0, 10.0, "generator learning rate (0 freezes G)")
    lr_d: float | None = _number(None, 0.0, 10.0, "discriminator learning rate (0 freezes D)")
    beta1: float | None = _number(None, 0.0, 0.999, "Adam β1 (the variant's default when unset)")
    beta2: float | None = _number(None, 0.0, 0.9999, "Adam β2 / RMSprop α (the variant's default when unset)")
    batch_size: int = _number(256, 1, 2048, "samples per batch")
    d_steps: int | None = _number(None, 1, 10, "critic steps per generator step, k")
    gp_weight: float = _number(10.0, 0.0, 1000.0, "λ of the WGAN-GP gradient penalty")
    r1_weight: float = _number(0.0, 0.0, 1000.0, "γ of the R1 penalty on real data (any variant)")
    clip: float = _number(0.01, 1e-4, 10.0, "WGAN weight-clipping bound c", log=True)
    pack: int = _number(1, 1, 8, "PacGAN: D judges this many samples at once")
    steps: int = _number(2000, 1, 50_000, "generator steps of the run")
    seed: int = _number(0, 0, 2**31 - 1, "training seed")
    data_id: str = _text("", "[0-9a-f]{0,16}", "content hash of your own data (dataset 'csv'): new data, new run")

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

    @property
    def variant_spec(self):
        return VARIANTS[self.variant]

    def replace(self, **changes) -> "RunConfig":
        return dataclasses.replace(self, **changes)

    def changed_fields(self) -> dict[str, Any]:
        """The settings that differ from a default RunConfig of the same variant and dataset, and those three."""
        base = RunConfig(dataset=self.dataset, variant=self.variant)
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(base, f.name) or f.name in ALWAYS_SHOWN}

    def to_query(self) -> dict[str, str]:
        """The changed settings as URL query parameters."""
        return {k: _to_text(v) for k, v in self.changed_fields().items()}

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> tuple["RunConfig", list[str]]:
        """Parse URL parameters; unknown, malformed or out-of-range ones are ignored and named."""
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
                ignored.append(f"{key}={text!r} ({problem})")
        try:
            return cls(**values), ignored
        except ValueError as problem:  # fields valid alone but not together (e.g. conditional)
            ignored.append(str(problem))
            return cls(**{k: v for k, v in values.items() if k in ("dataset", "variant")}), ignored

    def as_call(self) -> str:
        """This config as Python source: `ganplay.RunConfig(...)` with the changed settings."""
        return f"ganplay.RunConfig({', '.join(f'{k}={v!r}' for k, v in self.changed_fields().items())})"

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
    """name -> metadata (choices or range, help): what a widget needs to offer a field."""
    return {f.name: f.metadata for f in dataclasses.fields(RunConfig)}


def _base_type(f: dataclasses.Field) -> type:
    return {"int": int, "float": float, "bool": bool, "str": str}[str(f.type).split(" |")[0]]


def _check(f: dataclasses.Field, value: Any) -> None:
    if value is None and f.default is None:
        return
    kind = _base_type(f)
    ok_type = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok_type = True
    if not ok_type:
        raise ValueError(f"{f.name}: expected {kind.__name__}, got {value!r}")
    if "pattern" in f.metadata and not re.fullmatch(f.metadata["pattern"], value):
        raise ValueError(f"{f.name}: {value!r} does not match {f.metadata['pattern']}")
    if "choices" in f.metadata and value not in f.metadata["choices"]:
        raise ValueError(f"{f.name}: {value!r} is not one of {', '.join(f.metadata['choices'])}")
    if "range" in f.metadata:
        lo, hi = f.metadata["range"]
        if not (isinstance(value, int) or math.isfinite(value)) or not lo <= value <= hi:
            raise ValueError(f"{f.name}: {value!r} is outside the allowed range {lo:g}..{hi:g}")


def _to_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _from_text(f: dataclasses.Field, text: str) -> Any:
    kind = _base_type(f)
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError("expected true or false")
        return text.lower() in ("true", "1")
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ValueError(f"expected {kind.__name__}") from None
