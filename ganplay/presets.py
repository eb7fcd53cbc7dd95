"""Lesson presets: named settings that reproduce the lecture's claims, read from presets.toml (data, not code)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .config import RunConfig


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    look_for: tuple[str, str]
    overrides: Mapping[str, Any]

    def config(self) -> RunConfig:
        return RunConfig(**self.overrides)


def parse(text: str) -> Mapping[str, Preset]:
    """name -> Preset; a preset without exactly two lines of what to look for is refused."""
    presets = {}
    for name, entry in tomllib.loads(text).items():
        if len(entry.get("look_for", ())) != 2 or set(entry) != {"title", "look_for", "config"}:
            raise ValueError(f"preset {name!r}: needs title, config and two lines of look_for")
        presets[name] = Preset(name, entry["title"], tuple(entry["look_for"]), MappingProxyType(entry["config"]))
    return MappingProxyType(presets)


PRESETS: Mapping[str, Preset] = parse((Path(__file__).parent / "presets.toml").read_text(encoding="utf-8"))
