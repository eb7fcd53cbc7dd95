"""The one Streamlit-aware module of ganplay: widgets and state shared by the pages.

Session state keys (all in one place):
  run_config   the visitor's RunConfig; survives page switches (widget state does not)
  run          the visitor's live Trainer for run_config
  playing      whether the live view advances on its timer
  cfg_<field>  the sidebar widget of one RunConfig field
"""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from . import DATASETS, VARIANTS, RunConfig, Trainer
from .cache import BoundedCache
from .config import field_specs

PREFIX = "cfg_"
WIDTHS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
BATCHES = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]
STEPS = [100, 200, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000]
RATES = [0.0, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 1.0, 10.0]
VARIANT_FIELDS = ("optimizer", "lr_g", "lr_d", "beta1", "beta2", "d_steps")
FRAME_SECONDS = 0.15      # the live view asks for a frame this often; a frame still drawing delays the next
STEP_BUDGET_SECONDS = 0.08  # training time per frame; the rest goes to drawing


def ensure_entrypoint() -> None:
    """Make app.py's st.navigation run, even when a fresh server's first visitor opens a page's URL.

    With a pages/ folder, Streamlit starts in its legacy multipage mode and runs that file alone
    (no page config, no navigation) until some session has called st.navigation. Call this first
    in every page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# --- the visitor's settings -------------------------------------------------------------------

def current_config() -> RunConfig:
    if "run_config" not in st.session_state:
        st.session_state.run_config = RunConfig()
    return st.session_state.run_config


def _seed_widgets(cfg: RunConfig) -> None:
    """Widget state is dropped on pages that do not draw the widget: restore it from run_config."""
    for name in field_specs():
        st.session_state.setdefault(PREFIX + name, getattr(cfg, name))


def _on_variant_change() -> None:
    """A new variant brings its paper's optimiser, rates and k."""
    defaults = RunConfig(variant=st.session_state[PREFIX + "variant"])
    for name in VARIANT_FIELDS:
        st.session_state[PREFIX + name] = getattr(defaults, name)


def _on_dataset_change() -> None:
    name = st.session_state[PREFIX + "dataset"]
    st.session_state[PREFIX + "noise"] = DATASETS[name].default_noise
    if not DATASETS[name].labelled:
        st.session_state[PREFIX + "conditional"] = False


def _with(options: list, value) -> list:
    """Slider options that always include the current value (a shared link may carry any)."""
    return sorted(set(options) | {value})


def _help(name: str) -> str:
    return field_specs()[name]["help"]


def settings_sidebar(datasets: list[str] | None = None, hidden: frozenset[str] = frozenset()) -> RunConfig:
    """Draw every run setting in the sidebar and return the RunConfig they make."""
    cfg = current_config()
    _seed_widgets(cfg)
    datasets = datasets or [n for n in DATASETS if n != "csv"]
    if st.session_state[PREFIX + "dataset"] not in datasets:
        st.session_state[PREFIX + "dataset"] = datasets[0]
        _on_dataset_change()
    s, w = st.sidebar, PREFIX
    shown = lambda name: name not in hidden  # noqa: E731  (classroom links hide chosen controls)

    s.header("Data")
    if shown("dataset"):
        s.selectbox("Dataset", datasets, key=w + "dataset", format_func=lambda n: DATASETS[n].title,
                    on_change=_on_dataset_change, help=_help("dataset"))
    spec = DATASETS[st.session_state[w + "dataset"]]
    s.caption(spec.description)
    if shown("noise"):
        s.slider("Spread (noise)", 0.0, 2.0, key=w + "noise", step=0.01, help=_help("noise"))
    if shown("conditional"):
        s.toggle("Conditional GAN (feed the label to G and D)", key=w + "conditional", disabled=not spec.labelled,
                 help=_help("conditional"))

    s.header("GAN variant")
    if shown("variant"):
        s.selectbox("Loss", list(VARIANTS), key=w + "variant", format_func=lambda n: VARIANTS[n].title,
                    on_change=_on_variant_change, help=_help("variant"))
    variant = VARIANTS[st.session_state[w + "variant"]]
    s.caption(variant.description)
    s.latex(variant.d_loss_latex)
    s.latex(variant.g_loss_latex)

    s.header("Training")
    if shown("steps"):
        s.select_slider("Generator steps", _with(STEPS, st.session_state[w + "steps"]), key=w + "steps")
    if shown("batch_size"):
        s.select_slider("Batch size", _with(BATCHES, st.session_state[w + "batch_size"]), key=w + "batch_size")
    if shown("lr_g"):
        s.select_slider("Learning rate of G", _with(RATES, st.session_state[w + "lr_g"]), key=w + "lr_g",
                        format_func=lambda v: f"{v:g}", help=_help("lr_g"))
    if shown("lr_d"):
        s.select_slider("Learning rate of D", _with(RATES, st.session_state[w + "lr_d"]), key=w + "lr_d",
                        format_func=lambda v: f"{v:g}", help=_help("lr_d"))
    if shown("d_steps"):
        s.slider("Critic steps per G step (k)", 1, 10, key=w + "d_steps", help=_help("d_steps"))
    if shown("seed"):
        s.number_input("Seed", 0, 2**31 - 1, key=w + "seed", help=_help("seed"))

    with s.expander("Networks"):
        for name, label in (("z_dim", "Latent dimension z"),):
            if shown(name):
                st.slider(label, 1, 16, key=w + name, help=_help(name))
        if shown("latent"):
            st.radio("Noise distribution", ["normal", "uniform"], key=w + "latent", horizontal=True, help=_help("latent"))
        for net in ("g", "d"):
            if shown(f"{net}_depth"):
                st.slider(f"{net.upper()} hidden layers", 1, 6, key=w + f"{net}_depth")
            if shown(f"{net}_width"):
                st.select_slider(f"{net.upper()} width", _with(WIDTHS, st.session_state[w + f"{net}_width"]),
                                 key=w + f"{net}_width")
        if shown("activation"):
            st.selectbox("Activation", ["relu", "leaky_relu", "tanh", "elu"], key=w + "activation")

    with s.expander("Optimiser"):
        if shown("optimizer"):
            st.radio("Optimiser", ["adam", "rmsprop", "sgd"], key=w + "optimizer", horizontal=True)
        if shown("beta1"):
            st.slider("β1 (Adam)", 0.0, 0.99, key=w + "beta1", step=0.01)
        if shown("beta2"):
            st.slider("β2 (Adam) / α (RMSprop)", 0.5, 0.9999, key=w + "beta2", step=0.0001, format="%.4f")

    with s.expander("Remedies"):
        if variant.gradient_penalty and shown("gp_weight"):
            st.slider("Gradient penalty λ", 0.0, 100.0, key=w + "gp_weight", step=0.5)
        if variant.clip_weights and shown("clip"):
            st.select_slider("Weight clip c", _with([0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0],
                                                    st.session_state[w + "clip"]), key=w + "clip")
        if shown("spectral_norm"):
            st.toggle("Spectral normalisation of D", key=w + "spectral_norm", help=_help("spectral_norm"))
        if shown("r1_weight"):
            st.slider("R1 penalty γ", 0.0, 10.0, key=w + "r1_weight", step=0.1, help=_help("r1_weight"))
        if shown("pack"):
            st.slider("PacGAN packing m", 1, 8, key=w + "pack", help=_help("pack"))

    return _store(cfg)


def _store(previous: RunConfig) -> RunConfig:
    """Build the config from the widgets; an impossible combination keeps the previous one and says why."""
    values = {name: st.session_state.get(PREFIX + name, getattr(previous, name)) for name in field_specs()}
    try:
        cfg = RunConfig(**values)
    except ValueError as problem:
        st.sidebar.error(f"Setting refused: {problem}")
        cfg = previous
    st.session_state.run_config = cfg
    return cfg


# --- the visitor's live run -------------------------------------------------------------------

def live_run(cfg: RunConfig) -> Trainer:
    """The visitor's own run of cfg; a new config starts a new run, and the page says so."""
    run = st.session_state.get("run")
    if run is None or run.config != cfg:
        if run is not None:
            st.toast("Settings changed: the run starts over from step 0.")
        run = Trainer(cfg)
        st.session_state.run = run
        st.session_state.playing = False
    return run


def advance(run: Trainer, budget: float = STEP_BUDGET_SECONDS) -> None:
    """Train for about `budget` seconds, in chunks that shrink when the server is busy."""
    start, chunk = time.perf_counter(), 10
    while run.status not in ("done", "diverged") and time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        run.step(chunk)
        took = max(time.perf_counter() - t0, 1e-4)
        chunk = int(min(max(chunk * 0.05 / took, 1), 500))  # aim at 50 ms a chunk


def train_with_progress(cfg: RunConfig, label: str = "Training") -> Trainer:
    """Train cfg to the end under a progress bar; finished runs are shared between visitors."""
    def make() -> Trainer:
        run, bar = Trainer(cfg), st.progress(0.0, text=label)
        while run.status not in ("done", "diverged"):
            run.step(max(cfg.steps // 50, 1))
            bar.progress(run.step_count / cfg.steps, text=f"{label}: step {run.step_count:,} of {cfg.steps:,}")
        bar.empty()
        return run
    return finished_runs().get_or_make(cfg, make)


@st.cache_resource(max_entries=1)
def finished_runs() -> BoundedCache:
    return BoundedCache(max_entries=12)


# --- small drawing helpers --------------------------------------------------------------------

def chart(altair_chart, width="stretch", **kwargs) -> None:
    st.altair_chart(altair_chart, width=width, **kwargs)


def status_line(run: Trainer) -> None:
    """Progress bar and step counter; a clear message when training diverged."""
    cfg = run.config
    st.progress(min(run.step_count / cfg.steps, 1.0), text=f"Step {run.step_count:,} of {cfg.steps:,}")
    if run.status == "diverged":
        st.error(f"Training diverged at step {run.diverged_at:,}: a loss or weight became NaN or infinite. "
                 "The last finite state is shown. Try a smaller learning rate (or fewer critic steps).")


def guarded(action: Callable[[], None], what: str) -> None:
    """Run a page section; any failure becomes a message, never a traceback for the visitor."""
    try:
        action()
    except Exception as problem:  # noqa: BLE001 - the page must survive anything the core raises
        st.error(f"{what} failed: {problem}")
