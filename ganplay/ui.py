"""The one Streamlit-aware module of ganplay: widgets and state shared by the pages.

Session state keys (all in one place):
  run_config   the visitor's RunConfig; survives page switches (widget state does not)
  run          the visitor's live Trainer for run_config
  playing      whether the live view advances on its timer
  cfg_<field>  the sidebar widget of one RunConfig field
  link_report  (config, ignored settings) of the link the session was opened with
  preset       the "Lesson preset" selectbox
  lesson       the chosen preset's name, kept across pages (widget state is not) and in classroom mode
  own_data     the visitor's own data (userdata.OwnData), uploaded or painted; never shared
  upload_table (file name, cells) of the last readable upload, for the label column choice
  painted      (x, y) of the painted points
  data_message (kind, text): what the last upload or paint stroke did
  <playing key>_last_frame  whether that live view's last frame was playing (the next one after Play trains first)
  other widgets: upload, upload_label, paint_canvas, projection, classroom_fields, own_data_open, take_away_open
"""
from __future__ import annotations

import contextlib
import time
import urllib.parse
from typing import Callable

import numpy as np
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from . import DATASETS, VARIANTS, RunConfig, Trainer, charts, export, userdata
from .cache import BoundedCache
from .config import field_specs
from .datasets import Dataset
from .presets import PRESETS

PREFIX = "cfg_"
WIDTHS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
BATCHES = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]
STEPS = [100, 200, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000]
RATES = [0.0, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 1.0, 10.0]
CLIPS = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0]
VARIANT_FIELDS = ("optimizer", "lr_g", "lr_d", "beta1", "beta2", "d_steps")
FRAME_SECONDS = 0.05  # the browser asks for a frame this often; a longer frame is simply followed by the next
TARGET_FRAME_SECONDS = 0.18  # a live view's frame period: five or six frames a second, the rest is training
FRAME_MARGIN_SECONDS = 0.04  # a frame's cost beyond drawing and training: messages, Streamlit's bookkeeping
# (The period is fixed, not stretched to a slow browser's: on a shared server a longer one is contention.)
STEP_BUDGET_SECONDS, MAX_STEP_BUDGET_SECONDS = 0.06, 0.2  # training per frame: at least, and at most (Pause waits)

# Every setting a visitor can change, by its sidebar label; a classroom link names the ones it keeps.
LABELS = {
    "dataset": "Dataset", "noise": "Spread (noise)", "conditional": "Conditional GAN (feed the label to G and D)",
    "variant": "Loss", "steps": "Generator steps", "batch_size": "Batch size", "lr_g": "Learning rate of G",
    "lr_d": "Learning rate of D", "d_steps": "Critic steps per G step (k)", "seed": "Seed",
    "z_dim": "Latent dimension z", "latent": "Noise distribution", "g_depth": "G hidden layers", "g_width": "G width",
    "d_depth": "D hidden layers", "d_width": "D width", "activation": "Activation", "optimizer": "Optimiser",
    "beta1": "β1 (Adam)", "beta2": "β2 (Adam) / α (RMSprop)", "gp_weight": "Gradient penalty λ",
    "clip": "Weight clip c", "spectral_norm": "Spectral normalisation of D", "r1_weight": "R1 penalty γ",
    "pack": "PacGAN packing m",
}
EXPANDERS = {"Networks": ("z_dim", "latent", "g_depth", "g_width", "d_depth", "d_width", "activation"),
             "Optimiser": ("optimizer", "beta1", "beta2"),
             "Remedies": ("gp_weight", "clip", "spectral_norm", "r1_weight", "pack")}
LINK_KEYS = (*field_specs(), "preset")  # the URL keys this module writes; others (classroom, pages') stay


def ensure_entrypoint() -> None:
    """Make app.py's st.navigation run, even when a fresh server's first visitor opens a page's URL.

    With a pages/ folder, Streamlit starts in its legacy multipage mode and runs that file alone
    (no page config, no navigation) until some session has called st.navigation. Call this first
    in every page.
    """
    # AppTest starts every run in that mode; a rerun there would swallow the clicks the test made.
    if PagesManager.uses_pages_directory and not st.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


# --- shareable links ----------------------------------------------------------------------------

def _config_from_link(params: dict[str, str]) -> tuple[RunConfig, str | None, list[str]]:
    """(config, lesson preset, ignored settings) of a link; a preset's settings are the base, the link's win."""
    preset, ignored = params.get("preset"), []
    if preset in PRESETS:
        params = {**PRESETS[preset].config().to_query(), **params}
    elif preset is not None:
        ignored.append(f"preset={preset!r} (no such lesson preset)")
        preset = None
    cfg, bad = RunConfig.from_query(params)
    if cfg.dataset == "csv":
        cfg, bad = RunConfig.from_query({k: v for k, v in params.items() if k not in ("dataset", "data_id")})
        bad.append("dataset=csv (a link cannot carry your own data: upload it again)")
    return cfg, preset, ignored + bad


def _link_params(cfg: RunConfig) -> dict[str, str]:
    """The settings as URL parameters; the preset's name only while its settings are untouched."""
    preset = st.session_state.get("lesson")
    return {**cfg.to_query(), **({"preset": preset} if preset and PRESETS[preset].config() == cfg else {})}


def _write_link(cfg: RunConfig) -> None:
    """Keep the address bar in step with the settings, touching only the keys this module owns."""
    wanted = _link_params(cfg)
    for key in LINK_KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


def _link(params: dict[str, str]) -> str:
    return f"{st.context.url or ''}?{urllib.parse.urlencode(params, safe=',')}"


def _classroom() -> tuple[frozenset[str], list[str]]:
    """Settings a `?classroom=lr_g,lr_d` link hides (all but those named), and names that are not settings."""
    text = st.query_params.get("classroom")
    if text is None:
        return frozenset(), []
    kept = {name.strip() for name in text.split(",") if name.strip()}
    return frozenset(LABELS) - kept, sorted(kept - set(LABELS))


# --- the visitor's settings -------------------------------------------------------------------

def current_config() -> RunConfig:
    """The visitor's settings; a session's first call takes them from the link it was opened with."""
    if "run_config" not in st.session_state:
        cfg, preset, ignored = _config_from_link(st.query_params.to_dict())
        ignored += [f"classroom: {name!r} is not a setting" for name in _classroom()[1]]
        st.session_state.run_config, st.session_state.lesson = cfg, preset
        if ignored:
            st.session_state.link_report = (cfg, ignored)
    return st.session_state.run_config


def _load(cfg: RunConfig) -> None:
    """Set every widget to cfg (from callbacks, before the widgets are drawn)."""
    for name in LABELS:
        st.session_state[PREFIX + name] = getattr(cfg, name)
    st.session_state.run_config = cfg


def _seed_widgets(cfg: RunConfig) -> None:
    """Carry the sidebar across pages: Streamlit treats another page's widget as new and would reset it.

    Re-assigning a widget's value makes it the new widget's initial value (Streamlit's documented
    workaround); a widget never drawn yet starts from run_config.
    """
    for name in LABELS:
        key = PREFIX + name
        st.session_state[key] = st.session_state[key] if key in st.session_state else getattr(cfg, name)


def _own() -> userdata.OwnData | None:
    return st.session_state.get("own_data")


def _labelled(dataset: str) -> bool:
    own = _own()
    return own is not None and own.dataset.y is not None if dataset == "csv" else DATASETS[dataset].labelled


def _dataset_title(name: str) -> str:
    return f"Your own data ({_own().source})" if name == "csv" else DATASETS[name].title


def _on_variant_change() -> None:
    """A new variant brings its paper's optimiser, rates and k."""
    defaults = RunConfig(variant=st.session_state[PREFIX + "variant"])
    for name in VARIANT_FIELDS:
        st.session_state[PREFIX + name] = getattr(defaults, name)


def _on_dataset_change() -> None:
    name = st.session_state[PREFIX + "dataset"]
    st.session_state[PREFIX + "noise"] = DATASETS[name].default_noise
    if not _labelled(name):
        st.session_state[PREFIX + "conditional"] = False


def _on_preset_change() -> None:
    if st.session_state.preset:
        _load(PRESETS[st.session_state.preset].config())


def _with(options: list, value) -> list:
    """Slider options that always include the current value (a shared link may carry any)."""
    return sorted(set(options) | {value})


def _span(name: str, lo, hi) -> tuple:
    """Slider bounds that always include the current value, for the same reason."""
    value = st.session_state[PREFIX + name]
    return min(lo, value), max(hi, value)


def _help(name: str) -> str:
    return field_specs()[name]["help"]


def settings_sidebar(datasets: list[str] | None = None, hidden: frozenset[str] = frozenset()) -> RunConfig:
    """Draw every run setting in the sidebar, keep the URL in step, and return the RunConfig they make."""
    cfg = current_config()
    _link_warning(cfg)
    _seed_widgets(cfg)
    datasets = [n for n in datasets or DATASETS if n != "csv" or _own() is not None]
    if st.session_state[PREFIX + "dataset"] not in datasets:
        st.session_state[PREFIX + "dataset"] = datasets[0]
        _on_dataset_change()
    locked, _ = _classroom()
    hidden = hidden | locked
    s, w = st.sidebar, PREFIX
    shown = lambda name: name not in hidden  # noqa: E731  (classroom links hide chosen controls)

    if locked:
        s.info("Classroom mode: your teacher left only some settings to change.", icon=":material/school:")
    _preset_box(choosable=not locked)

    s.header("Data")
    if shown("dataset"):
        titles = {name: _dataset_title(name) for name in datasets}  # AppTest formats outside the run, too
        s.selectbox(LABELS["dataset"], datasets, key=w + "dataset", format_func=titles.get,
                    on_change=_on_dataset_change, help=_help("dataset"))
    dataset = st.session_state[w + "dataset"]
    s.caption(_own_caption(_own()) if dataset == "csv" else DATASETS[dataset].description)
    if shown("noise") and dataset != "csv":
        s.slider(LABELS["noise"], *_span("noise", 0.0, 2.0), key=w + "noise", step=0.01, help=_help("noise"))
    if shown("conditional"):
        s.toggle(LABELS["conditional"], key=w + "conditional", disabled=not _labelled(dataset),
                 help=_help("conditional"))

    s.header("GAN variant")
    if shown("variant"):
        s.selectbox(LABELS["variant"], list(VARIANTS), key=w + "variant", format_func=lambda n: VARIANTS[n].title,
                    on_change=_on_variant_change, help=_help("variant"))
    variant = VARIANTS[st.session_state[w + "variant"]]
    s.caption(variant.description)
    s.latex(r"\small " + variant.d_loss_latex)  # small: the sidebar is narrow
    s.latex(r"\small " + variant.g_loss_latex)

    s.header("Training")
    for name, options in (("steps", STEPS), ("batch_size", BATCHES)):
        if shown(name):
            s.select_slider(LABELS[name], _with(options, st.session_state[w + name]), key=w + name)
    for name in ("lr_g", "lr_d"):
        if shown(name):
            s.select_slider(LABELS[name], _with(RATES, st.session_state[w + name]), key=w + name,
                            format_func=lambda v: f"{v:g}", help=_help(name))
    if shown("d_steps"):
        s.slider(LABELS["d_steps"], 1, 10, key=w + "d_steps", help=_help("d_steps"))
    if shown("seed"):
        s.number_input(LABELS["seed"], 0, 2**31 - 1, key=w + "seed", help=_help("seed"))

    boxes = {title: s.expander(title) for title, names in EXPANDERS.items() if any(map(shown, names))}
    with boxes.get("Networks", contextlib.nullcontext()):
        if shown("z_dim"):
            st.slider(LABELS["z_dim"], 1, 16, key=w + "z_dim", help=_help("z_dim"))
        if shown("latent"):
            st.radio(LABELS["latent"], ["normal", "uniform"], key=w + "latent", horizontal=True, help=_help("latent"))
        for net in ("g", "d"):
            if shown(f"{net}_depth"):
                st.slider(LABELS[f"{net}_depth"], 1, 6, key=w + f"{net}_depth")
            if shown(f"{net}_width"):
                st.select_slider(LABELS[f"{net}_width"], _with(WIDTHS, st.session_state[w + f"{net}_width"]),
                                 key=w + f"{net}_width")
        if shown("activation"):
            st.selectbox(LABELS["activation"], ["relu", "leaky_relu", "tanh", "elu"], key=w + "activation")

    with boxes.get("Optimiser", contextlib.nullcontext()):
        if shown("optimizer"):
            st.radio(LABELS["optimizer"], ["adam", "rmsprop", "sgd"], key=w + "optimizer", horizontal=True)
        if shown("beta1"):
            st.slider(LABELS["beta1"], *_span("beta1", 0.0, 0.99), key=w + "beta1", step=0.01)
        if shown("beta2"):
            st.slider(LABELS["beta2"], *_span("beta2", 0.5, 0.9999), key=w + "beta2", step=0.0001, format="%.4f")

    with boxes.get("Remedies", contextlib.nullcontext()):
        if variant.gradient_penalty and shown("gp_weight"):
            st.slider(LABELS["gp_weight"], *_span("gp_weight", 0.0, 100.0), key=w + "gp_weight", step=0.5)
        if variant.clip_weights and shown("clip"):
            st.select_slider(LABELS["clip"], _with(CLIPS, st.session_state[w + "clip"]), key=w + "clip")
        if shown("spectral_norm"):
            st.toggle(LABELS["spectral_norm"], key=w + "spectral_norm", help=_help("spectral_norm"))
        if shown("r1_weight"):
            st.slider(LABELS["r1_weight"], *_span("r1_weight", 0.0, 10.0), key=w + "r1_weight", step=0.1,
                      help=_help("r1_weight"))
        if shown("pack"):
            st.slider(LABELS["pack"], 1, 8, key=w + "pack", help=_help("pack"))

    cfg = _store(cfg)
    _write_link(cfg)
    _share_box(cfg, teacher=not locked)
    return cfg


def _store(previous: RunConfig) -> RunConfig:
    """Build the config from the widgets; an impossible combination keeps the previous one and says why."""
    values = {name: st.session_state.get(PREFIX + name, getattr(previous, name)) for name in field_specs()}
    values["data_id"] = _own().data_id if values["dataset"] == "csv" else ""  # not a widget: the data's hash
    try:
        cfg = RunConfig(**values)
    except ValueError as problem:
        st.sidebar.error(f"Setting refused: {problem}")
        cfg = previous
    st.session_state.run_config = cfg
    return cfg


def _link_warning(cfg: RunConfig) -> None:
    """Name the settings of the opening link that could not be used, while its settings are on show."""
    report = st.session_state.get("link_report")
    if report and report[0] == cfg:
        st.warning("This link had settings that could not be used, so their defaults are shown: "
                   + "; ".join(report[1]), icon=":material/link_off:")


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


def _share_box(cfg: RunConfig, teacher: bool) -> None:
    with st.sidebar.expander("Share this run", icon=":material/link:"):
        st.caption("Whoever opens this link gets these settings and seed, so the same pictures.")
        st.code(_link(st.query_params.to_dict()), language=None, wrap_lines=True)
        if cfg.dataset == "csv":
            st.caption("Your own data cannot travel in a link: send the file along.")
        if teacher:
            kept = st.multiselect("Classroom link: students may change only", list(LABELS), format_func=LABELS.get,
                                  key="classroom_fields")
            if kept:
                st.code(_link({**st.query_params.to_dict(), "classroom": ",".join(kept)}), language=None,
                        wrap_lines=True)


# --- the visitor's own data ---------------------------------------------------------------------

def _own_caption(own: userdata.OwnData) -> str:
    data = own.dataset
    labels = f", {data.n_classes} label{'s' * (data.n_classes != 1)}" if data.y is not None else ", no labels"
    return (f"{own.source}: {len(data.x):,} rows × {data.dim} columns{labels}. "
            "Trained standardised, shown in its units.")


def _use_own(own: userdata.OwnData) -> None:
    """Make own the visitor's data and select it (from callbacks, before the sidebar is drawn)."""
    st.session_state.own_data = own
    st.session_state[PREFIX + "dataset"] = "csv"
    _on_dataset_change()


def _on_upload() -> None:
    file = st.session_state.upload
    st.session_state.pop("upload_table", None)
    if file is None:
        return
    try:
        table = userdata.read_table(file.getvalue(), file.name)
    except ValueError as problem:
        st.session_state.data_message = ("error", f"{problem}. Your previous data is kept.")
        return
    st.session_state.upload_table = (file.name, table)
    st.session_state.upload_label = userdata.suggested_label(table)
    _use_upload()


def _use_upload() -> None:
    name, table = st.session_state.upload_table
    label = st.session_state.upload_label
    try:
        own = userdata.table_to_data(table, label, name)
    except ValueError as problem:
        st.session_state.data_message = ("error", f"{problem}. Your previous data is kept.")
        return
    _use_own(own)
    st.session_state.data_message = ("success", f"Training on {_own_caption(own)}"
                                     + "".join(f"\n\n{note[0].upper()}{note[1:]}." for note in own.notes))


def _painted() -> tuple[np.ndarray, np.ndarray]:
    return st.session_state.get("painted", (np.zeros((0, 2)), np.zeros(0, dtype=int)))


def _on_paint() -> None:
    box = st.session_state.paint_canvas.selection.get("brush", {})
    if "x" not in box or "y" not in box:
        return
    try:
        x, y = userdata.paint_blob(*_painted(), (*box["x"], *box["y"]))
    except ValueError as problem:
        st.session_state.data_message = ("error", str(problem))
        return
    st.session_state.painted = (x, y)
    _use_own(userdata.painted_data(x, y))
    st.session_state.data_message = ("success", f"Training on {_own_caption(_own())}")


def _clear_paint() -> None:
    st.session_state.pop("painted", None)
    if _own() is not None and _own().source == "painted":
        del st.session_state.own_data
    st.session_state.pop("data_message", None)


def own_data_section() -> None:
    """Upload a CSV or paint blobs; the result becomes the dataset 'Your own data' in the sidebar."""
    if "dataset" in _classroom()[0]:
        return
    box = st.expander("Your own data: upload a CSV or paint points", icon=":material/upload_file:",
                      key="own_data_open", on_change="rerun")
    if not box.open:
        return
    upload, paint = box.tabs(["Upload a CSV", "Paint"])
    with upload:
        st.file_uploader("A CSV file with a header row: 2 to 16 numeric columns, up to 50,000 rows, optionally "
                         "a label column", type="csv", key="upload", on_change=_on_upload)
        if "upload_table" in st.session_state:
            st.selectbox("Label column (optional: makes a conditional GAN possible)",
                         [None, *st.session_state.upload_table[1].columns], key="upload_label",
                         format_func=lambda c: "no labels" if c is None else c, on_change=_use_upload)
    with paint:
        x, y = _painted()
        st.caption("Drag a rectangle on the canvas: a blob of 200 points appears there. Each blob is a label.")
        st.altair_chart(charts.paint_canvas(x, y, userdata.PAINT_WINDOW), key="paint_canvas", on_select=_on_paint,
                        selection_mode="brush", width="content")
        st.button("Clear the painting", on_click=_clear_paint, disabled=not len(x), icon=":material/delete:")
    if "data_message" in st.session_state:
        kind, text = st.session_state.data_message
        (box.error if kind == "error" else box.success)(text)


def data_for(cfg: RunConfig) -> Dataset | None:
    """The data a run of cfg trains on when it is not a registered dataset's sample."""
    return _own().dataset if cfg.dataset == "csv" else None


@st.cache_resource(max_entries=8)
def _projections(data_id: str, _dataset: Dataset) -> list[userdata.Projection]:
    return userdata.projections(_dataset)  # keyed by the content hash, so safe to share


def projection(run: Trainer) -> userdata.Projection | None:
    """For data with more than two columns: which plane to draw it on (PCA or a pair of columns)."""
    if run.data.dim <= 2:
        return None
    options = _projections(run.config.data_id, run.data)
    index = st.selectbox("Draw through", range(len(options)), format_func=lambda i: options[i].title,
                         key="projection", help="The data has more than two columns: choose the plane to look at.")
    return options[min(index, len(options) - 1)]


# --- taking a run away --------------------------------------------------------------------------

def take_away_section(run: Trainer) -> None:
    """Downloads of the run as it stands, and the script that redoes it; only while paused."""
    box = st.expander("Take it away: samples, generator, Python", icon=":material/download:",
                      key="take_away_open", on_change="rerun")
    if not box.open:
        return
    if st.session_state.get("playing"):
        box.caption("Pause the run to download it: the files hold the run as it stands.")
        return
    columns = box.columns(3)
    # the files are made on click (data as a callable), not on every rerun of the page
    columns[0].download_button(f"Samples ({export.SAMPLES:,} points, CSV)", lambda: export.samples_csv(run),
                               "ganplay_samples.csv", "text/csv", on_click="ignore", icon=":material/scatter_plot:")
    columns[1].download_button("Generator (PyTorch)", lambda: export.generator_file(run), "ganplay_generator.pt",
                               on_click="ignore", icon=":material/neurology:",
                               help="torch.load(path, weights_only=True): the state_dict and the config as JSON; "
                                    "ganplay.export.load_generator(path) gives a run that samples the same points.")
    if run.config.dataset == "csv":
        columns[2].download_button("Your data as trained (CSV)", lambda: export.data_csv(run.data), export.DATA_FILE,
                                   "text/csv", on_click="ignore", icon=":material/table:")
    box.markdown("**Copy as Python**: this script redoes the run in a notebook and draws the same samples.")
    box.code(export.python_snippet(run), language="python")
    box.caption("To keep a picture: hover a chart and use the download button of its toolbar.")


# --- the visitor's live run -------------------------------------------------------------------

def new_run(cfg: RunConfig) -> Trainer:
    return Trainer(cfg, data_for(cfg))


def live_run(cfg: RunConfig, key: str = "run", playing_key: str = "playing") -> Trainer:
    """The visitor's own run of cfg under st.session_state[key]; a new config starts a new run, and the
    page says so. Pages with a run of their own pass their own keys."""
    run = st.session_state.get(key)
    if run is None or run.config != cfg:
        if run is not None:
            st.toast("Settings changed: the run starts over from step 0.")
        run = new_run(cfg)
        st.session_state[key], st.session_state[playing_key] = run, False
    return run


def advance(run: Trainer, budget: float = STEP_BUDGET_SECONDS) -> None:
    """Train for about `budget` seconds: a short chunk measures the speed, the next fills the rest."""
    start, chunk = time.perf_counter(), 5
    while run.status not in ("done", "diverged"):
        began = time.perf_counter()
        run.step(chunk)
        now = time.perf_counter()
        if now - start >= budget:
            break
        chunk = int(max(1, (budget - (now - start)) * chunk / max(now - began, 1e-6)))


def play_live(playing_key: str, advance: Callable[[float], bool], draw: Callable[[], None]) -> None:
    """A page's live view: a fragment that, while st.session_state[playing_key], draws the current frame and
    then trains for the next (advance(seconds) says whether the run finished).

    Drawing first lets the browser render one frame while the server trains the next; only the first
    frame after Play trains first, so that it already shows progress.
    """
    @st.fragment(run_every=FRAME_SECONDS if st.session_state.get(playing_key) else None)
    def live_view() -> None:
        playing, was_playing = st.session_state.get(playing_key), f"{playing_key}_last_frame"
        resumed = playing and not st.session_state.get(was_playing)
        st.session_state[was_playing] = playing
        finished = resumed and advance(STEP_BUDGET_SECONDS)
        began = time.perf_counter()
        guarded(draw, "Drawing the frame")
        if playing and not resumed and not finished:
            finished = advance(training_budget(time.perf_counter() - began))
        if finished:
            st.session_state[playing_key] = False
            st.rerun()  # the whole page: stops the timer, brings back the Play button, draws the last frame
    live_view()


def training_budget(drawing: float) -> float:
    """Seconds of training for a frame that took `drawing` seconds to draw: what TARGET_FRAME_SECONDS leaves."""
    return min(MAX_STEP_BUDGET_SECONDS, max(STEP_BUDGET_SECONDS, TARGET_FRAME_SECONDS - drawing - FRAME_MARGIN_SECONDS))


def train_with_progress(cfg: RunConfig, label: str = "Training") -> Trainer:
    """Train cfg to the end under a progress bar; finished runs are shared between visitors."""
    def make() -> Trainer:
        run, bar = new_run(cfg), st.progress(0.0, text=label)
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


def run_controls(name: str, playing_key: str, finished: bool, step: Callable[[], None],
                 reset: Callable[[], None]):
    """Play / Pause / Step / Reset of a live view whose flag is st.session_state[playing_key].

    Buttons are keyed `<name>_play` etc.; returns the row's wide last column for the page's toggles.
    """
    def play() -> None:
        st.session_state[playing_key] = not finished

    def pause() -> None:
        st.session_state[playing_key] = False

    def step_once() -> None:
        pause()
        step()

    def start_over() -> None:
        pause()
        reset()

    buttons = st.columns([1, 1, 1, 5])
    if st.session_state.get(playing_key):
        buttons[0].button("Pause", on_click=pause, icon=":material/pause:", width="stretch", key=f"{name}_pause")
    else:
        buttons[0].button("Play", on_click=play, icon=":material/play_arrow:", width="stretch", type="primary",
                          disabled=finished, key=f"{name}_play")
    buttons[1].button("Step", on_click=step_once, icon=":material/skip_next:", width="stretch", disabled=finished,
                      help="Advance 100 generator steps", key=f"{name}_step")
    buttons[2].button("Reset", on_click=start_over, icon=":material/replay:", width="stretch", key=f"{name}_reset")
    return buttons[3]


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
