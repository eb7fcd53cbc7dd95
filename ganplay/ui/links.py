"""Shareable links: the settings in the URL, the warning about a link's unusable values, the share box, classroom
links; and the entry point every page calls first."""
from __future__ import annotations

import urllib.parse

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from .. import RunConfig
from ..config import clip, echo, field_specs, widgets
from ..presets import PRESETS
from .text import as_text

LINK_KEYS = (*field_specs(), "preset")  # the URL keys this module writes; others (classroom, pages') stay


def ensure_entrypoint() -> None:
    """Make app.py's st.navigation run, even when a fresh server's first visitor opens a page's URL.

    With a pages/ folder, Streamlit starts in its legacy multipage mode and runs that file alone
    (no page config, no navigation) until some session has called st.navigation. Call this first
    in every page. (A private flag: tests/test_ui_live.py fails, naming it, if Streamlit changes it.)
    """
    # AppTest starts every run in that mode; a rerun there would swallow the clicks the test made.
    if PagesManager.uses_pages_directory and not st.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def labels() -> dict[str, str]:
    """Every setting a visitor can change, by its sidebar label; a classroom link names the ones it keeps."""
    return {name: widget.label for name, widget in widgets().items()}


def config_from_link(params: dict[str, str]) -> tuple[RunConfig, str | None, list[str]]:
    """(config, lesson preset, ignored settings) of a link; a preset's settings are the base, the link's win."""
    preset, ignored = params.get("preset"), []
    if preset in PRESETS:
        params = {**PRESETS[preset].config().to_query(), **params}
    elif preset is not None:
        ignored.append(f"preset={echo(preset)} (no such lesson preset)")
        preset = None
    cfg, bad = RunConfig.from_query(params)
    if cfg.dataset == "csv":
        cfg, bad = RunConfig.from_query({k: v for k, v in params.items() if k not in ("dataset", "data_id")})
        bad.append("dataset=csv (a link cannot carry your own data: upload it again)")
    return cfg, preset, ignored + bad


def classroom() -> tuple[frozenset[str], list[str]]:
    """Settings a `?classroom=lr_g,lr_d` link hides (all but those named), and names that are not settings."""
    text = st.query_params.get("classroom")
    if text is None:
        return frozenset(), []
    kept, known = {name.strip() for name in text.split(",") if name.strip()}, labels()
    return frozenset(known) - kept, sorted(kept - set(known))


def repeated_keys() -> list[str]:
    """Keys a link gives more than once (`?seed=1&seed=7`): only the last value is read, and the warning says so."""
    return [f"{clip(key)} is given {len(values)} times: only the last, {echo(values[-1])}, is read"
            for key in st.query_params if len(values := st.query_params.get_all(key)) > 1]


def current_config() -> RunConfig:
    """The visitor's settings; a session's first call takes them from the link it was opened with."""
    if "run_config" not in st.session_state:
        cfg, preset, ignored = config_from_link(st.query_params.to_dict())
        ignored += [f"classroom: {echo(name)} is not a setting" for name in classroom()[1]]
        ignored += repeated_keys()
        st.session_state.run_config, st.session_state.lesson = cfg, preset
        if ignored:
            st.session_state.link_report = (cfg, ignored)
    return st.session_state.run_config


def link_warning(cfg: RunConfig) -> None:
    """Name the settings of the opening link that could not be used, while its settings are on show
    (the link's values as text: a shared link must not put a link or an image in ganplay's own warning)."""
    report = st.session_state.get("link_report")
    if report and report[0] == cfg:
        st.warning("This link had settings that could not be used, so their defaults are shown: "
                   + "; ".join(map(as_text, report[1])), icon=":material/link_off:")


def _link_params(cfg: RunConfig) -> dict[str, str]:
    """The settings as URL parameters; the preset's name only while its settings are untouched."""
    preset = st.session_state.get("lesson")
    return {**cfg.to_query(), **({"preset": preset} if preset and PRESETS[preset].config() == cfg else {})}


def write_link(cfg: RunConfig) -> None:
    """Keep the address bar in step with the settings, touching only the keys this module owns."""
    wanted = _link_params(cfg)
    for key in LINK_KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


def _link(params: dict[str, str]) -> str:
    return f"{st.context.url or ''}?{urllib.parse.urlencode(params, safe=',')}"


def share_box(cfg: RunConfig, teacher: bool) -> None:
    with st.sidebar.expander("Share this run", icon=":material/link:"):
        st.caption("Whoever opens this link gets these settings and seed, so the same pictures.")
        st.code(_link(st.query_params.to_dict()), language=None, wrap_lines=True)
        if cfg.dataset == "csv":
            st.caption("Your own data cannot travel in a link: send the file along.")
        if teacher:
            known = labels()
            kept = st.multiselect("Classroom link: students may change only", list(known), format_func=known.get,
                                  key="classroom_fields")
            if kept:
                st.code(_link({**st.query_params.to_dict(), "classroom": ",".join(kept)}), language=None,
                        wrap_lines=True)
