"""The settings sidebar, generated from RunConfig's field table (`config.widgets()`), as CleanRL's CLI from `Args`."""
from __future__ import annotations

from typing import Any

import streamlit as st

from .. import DATASETS, VARIANTS, RunConfig, schedule
from ..config import FOLDED, SECTIONS, Widget, field_specs, widgets
from ..presets import PRESETS
from . import links, midrun, own_data
from .state import PREFIX, labelled, on_dataset_change, own, previous_choice, swap_recipe
from .text import as_text


def _load(cfg: RunConfig) -> None:
    """Set every widget to cfg (from callbacks, before the widgets are drawn)."""
    for name in widgets():
        st.session_state[PREFIX + name] = getattr(cfg, name)
    st.session_state.run_config = cfg


def _seed_widgets(cfg: RunConfig) -> None:
    """Carry the sidebar across pages: Streamlit treats another page's widget as new and would reset it.

    Re-assigning a widget's value makes it the new widget's initial value (Streamlit's documented
    workaround); a widget never drawn yet starts from run_config, after its schedule's changes.
    """
    latest = schedule.latest(cfg)
    for name in widgets():
        key = PREFIX + name
        st.session_state[key] = st.session_state[key] if key in st.session_state else getattr(latest, name)


def _on_variant_change() -> None:
    """A new variant brings its paper's optimiser, rates and k, and the dataset's recipe for it."""
    variant = st.session_state[PREFIX + "variant"]
    defaults = RunConfig(variant=variant)
    for name in VARIANTS[variant].defaults:
        st.session_state[PREFIX + name] = getattr(defaults, name)
    swap_recipe(previous_choice())


def _on_preset_change() -> None:
    if st.session_state.preset:
        _load(PRESETS[st.session_state.preset].config())


def _dataset_title(name: str) -> str:
    return f"Your own data ({own().source})" if name == "csv" else DATASETS[name].title


def _dataset_note(box) -> None:
    dataset = st.session_state[PREFIX + "dataset"]
    box.caption(as_text(own_data.caption(own())) if dataset == "csv" else DATASETS[dataset].description)


def _variant_note(box) -> None:
    variant = VARIANTS[st.session_state[PREFIX + "variant"]]
    box.caption(variant.description)
    box.latex(r"\small " + variant.d_loss_latex)  # small: the sidebar is narrow
    box.latex(r"\small " + variant.g_loss_latex)


NOTES = {"dataset": _dataset_note, "variant": _variant_note}  # drawn after the field, even when it is hidden


def _draw(box, name: str, widget: Widget, **extra) -> None:
    """One field's widget, as its hint says; `extra` carries what only the page knows (options, callbacks)."""
    spec, key = field_specs()[name], PREFIX + name
    value = st.session_state[key]
    kwargs: dict[str, Any] = {"key": key, **({"help": spec["help"]} if widget.tooltip else {}), **extra}
    if widget.kind in ("select", "radio"):
        options = kwargs.pop("options", list(spec["choices"]))
        if widget.kind == "select":
            box.selectbox(widget.label, options, **kwargs)
        else:
            box.radio(widget.label, options, horizontal=True, **kwargs)
    elif widget.kind == "slider":
        lo, hi = widget.span or spec["range"]  # always including the current value: a shared link may carry any
        optional = {"step": widget.step, "format": widget.format and f"%{widget.format}"}
        box.slider(widget.label, min(lo, value), max(hi, value), **{k: v for k, v in optional.items() if v}, **kwargs)
    elif widget.kind == "stops":
        if widget.format:
            kwargs["format_func"] = lambda v: format(v, widget.format)
        box.select_slider(widget.label, sorted(set(widget.options) | {value}), **kwargs)
    elif widget.kind == "toggle":
        box.toggle(widget.label, **kwargs)
    elif widget.kind == "number":
        box.number_input(widget.label, *spec["range"], **kwargs)
    else:
        raise ValueError(f"{name}: unknown widget kind {widget.kind!r}")


def _extras(datasets: list[str]) -> dict[str, dict[str, Any]]:
    """What a widget needs beyond its hint: the page's datasets, titles from the registries, callbacks."""
    titles = {name: _dataset_title(name) for name in datasets}  # AppTest formats outside the run, too
    return {"dataset": {"options": datasets, "format_func": titles.get, "on_change": on_dataset_change},
            "variant": {"format_func": lambda n: VARIANTS[n].title, "on_change": _on_variant_change},
            "conditional": {"disabled": not labelled(st.session_state[PREFIX + "dataset"])}}


def _draw_fields(hidden: frozenset[str], datasets: list[str]) -> None:
    """Every section in its order: a header, or an expander when it folds away (and has a field to show)."""
    values, extras = {name: st.session_state[PREFIX + name] for name in widgets()}, _extras(datasets)
    for title in SECTIONS:
        fields = [(name, widget) for name, widget in widgets().items() if widget.section == title]
        if title not in FOLDED:
            box = st.sidebar
            box.header(title)
        elif any(name not in hidden for name, _ in fields):
            box = st.sidebar.expander(title)
        else:
            continue
        for name, widget in fields:
            if name not in hidden and (widget.shown is None or widget.shown(values)):
                _draw(box, name, widget, **extras.get(name, {}))
            if name in NOTES:
                NOTES[name](box)


def settings_sidebar(datasets: list[str] | None = None, hidden: frozenset[str] = frozenset()) -> RunConfig:
    """Draw every run setting in the sidebar, keep the URL in step, and return the RunConfig they make."""
    cfg = links.current_config()
    links.link_warning(cfg)
    _seed_widgets(cfg)
    datasets = [n for n in datasets or DATASETS if n != "csv" or own() is not None]
    if st.session_state[PREFIX + "dataset"] not in datasets:
        st.session_state[PREFIX + "dataset"] = datasets[0]
        on_dataset_change()
    locked, _ = links.classroom()
    if locked:
        st.sidebar.info("Classroom mode: your teacher left only some settings to change.", icon=":material/school:")
    _preset_box(choosable=not locked)
    _draw_fields(hidden | locked, datasets)
    cfg = _store(cfg)
    links.write_link(cfg)
    links.share_box(cfg, teacher=not locked)
    return cfg


def _store(previous: RunConfig) -> RunConfig:
    """Build the config from the widgets; an impossible combination keeps the previous one and says why. A change
    of mid-run fields continues the visitor's run from the step they see (ui/midrun.py), others make a new run."""
    latest = schedule.latest(previous)  # what the widgets showed: the settings after the schedule's changes
    values = {name: st.session_state.get(PREFIX + name, getattr(latest, name)) for name in field_specs()
              if name != "schedule"}
    values["data_id"] = own().data_id if values["dataset"] == "csv" else ""  # not a widget: the data's hash
    try:
        cfg = midrun.follow(previous, RunConfig(**values))
    except ValueError as problem:
        st.sidebar.error(f"Setting refused: {as_text(problem)}")
        cfg = previous
    st.session_state.run_config = cfg
    return cfg


def _preset_box(choosable: bool) -> None:
    if choosable:
        st.session_state.setdefault("preset", st.session_state.get("lesson"))  # widget state dies on other pages
        st.sidebar.selectbox("Lesson preset", list(PRESETS), key="preset", on_change=_on_preset_change,
                             format_func=lambda n: PRESETS[n].title, placeholder="Choose a lesson…",
                             help="Settings that show one claim of the lecture; every setting stays changeable.")
        st.session_state.lesson = st.session_state.preset
    if st.session_state.get("lesson"):
        st.sidebar.info("**What to look for.** " + " ".join(PRESETS[st.session_state.lesson].look_for),
                        icon=":material/visibility:")
