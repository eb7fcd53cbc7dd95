"""Mode collapse: which modes each variant's generator covers, over time, side by side and over seeds."""
import streamlit as st

from ganplay import DATASETS, VARIANTS, RunConfig, collapse, frames, protocols, ui
from ganplay import collapse_charts as charts
from ganplay.config import widgets
from ganplay.metrics import CAPTURE_RULES, DEFAULT_RULE

RECIPES = {"paper": "Each variant's paper recipe", "shared": "One recipe for all (one batched computation)"}
MODE_DATASETS = [name for name, spec in DATASETS.items() if spec.has_modes]
PROTOCOL = protocols.PROTOCOLS[protocols.DEFAULT_PROTOCOL]
LESSON = collapse.LESSON  # the defaults: a plain GAN and a remedy where the difference shows on every seed measured
WIDGETS = {"collapse_dataset": LESSON.dataset, "collapse_variants": list(LESSON.variants),
           "collapse_recipe": "paper", "collapse_steps": LESSON.steps, "collapse_seed": 0, "collapse_n_seeds": 5,
           "collapse_protocol": PROTOCOL.name, "collapse_protocol_methods": list(PROTOCOL.default_contenders),
           "collapse_protocol_seeds": 5, "collapse_protocol_steps": PROTOCOL.base["steps"]}
PROTOCOL_STEPS = (100, 500, 1000, 2000, 5000, 10_000, 20_000)
REPRODUCE_SECONDS = 900.0  # the longest one repeat may train on this server (measured as it goes)

ui.ensure_entrypoint()
st.title("Mode collapse")
st.markdown(
    "The lecture's central warning: the generator may learn **only a mode of the target distribution**, and "
    "the claim that other losses (WGAN, LSGAN) and remedies help. Here several GAN variants learn the same data from the same seed "
    "and architecture, side by side in one batched computation, and each is scored as in VEEGAN, PacGAN and GDPP: "
    "of 2,500 samples, those within 3 standard deviations of a mode are **high quality**. A mode is **captured** "
    f"here with {CAPTURE_RULES[DEFAULT_RULE].title}: ganplay's stricter rule (the papers' code counts a mode from "
    "one sample; *Reproduce the paper* below scores each protocol with its paper's rule).")

# --- settings ------------------------------------------------------------------------------------

# Streamlit drops the state of widgets a page does not draw: keep it across page switches ourselves.
for key, value in st.session_state.setdefault("collapse_settings", WIDGETS).items():
    st.session_state.setdefault(key, value)
s = st.sidebar
s.header("Data")
dataset = s.selectbox("Dataset", MODE_DATASETS, key="collapse_dataset", format_func=lambda n: DATASETS[n].title)
s.caption(DATASETS[dataset].description)
s.header("Variants")
variants = s.multiselect("GAN variants (up to 4)", list(VARIANTS), max_selections=collapse.MAX_VARIANTS,
                         key="collapse_variants", format_func=lambda v: VARIANTS[v].title)
recipe = s.radio("Optimiser settings", list(RECIPES), format_func=RECIPES.get, key="collapse_recipe",
                 help="Paper recipe: each variant's own optimiser, rates and critic steps k (WGAN-GP: Adam "
                      "β = (0, 0.9), k = 5; WGAN: RMSprop, k = 5; the others Adam(10⁻³, β = (0.5, 0.999)), "
                      "k = 1). One recipe: Adam(10⁻³, β = (0.5, 0.999)) and k = 1 for all, equal compute.")
s.header("Training")
steps = s.select_slider("Generator steps", widgets()["steps"].options[:8], key="collapse_steps")
seed = s.number_input("Seed", 0, 2**31 - 1, key="collapse_seed")
if not variants:
    st.info("Pick at least one GAN variant in the sidebar.")
    st.stop()
base = RunConfig(dataset=dataset, steps=steps, seed=seed, batch_size=collapse.BATCH_SIZE)
configs = collapse.variant_configs(base, variants, recipe == "shared")
st.caption(
    "Default: each variant trains with **its own paper's recipe**, the fair test of the lecture's claim: WGAN's "
    "argument needs a critic trained close to its optimum, so WGAN-GP takes 5 critic steps per generator step. "
    "*One recipe for all* gives every variant the same optimiser and one critic step: equal compute, one "
    "batched stack, and a critic too weak for WGAN-GP. Same data, seed, networks (G and D with two hidden "
    f"layers of 64), batch ({collapse.BATCH_SIZE}) and generator steps either way.")


# --- the live side-by-side -----------------------------------------------------------------------

comparing = ui.Comparing(tuple(configs))
ui.live_run(comparing, "collapse_live", "collapse_playing")
ui.run_controls("collapse", "collapse_playing", lambda: st.session_state.collapse_live)
data = st.session_state.collapse_live.data
colours = charts.variant_colours([VARIANTS[cfg.variant] for cfg in configs])


def status(shown: ui.ComparisonFrame) -> None:
    st.progress(min(shown.step / steps, 1.0), text=f"Step {shown.step:,} of {steps:,}")
    for title, step in shown.diverged:
        st.warning(f"{title} diverged at step {step:,} (a loss became NaN or infinite): its last finite state is shown.")


def frame(published) -> None:
    shown: ui.ComparisonFrame = published.value
    status(shown)
    modes = collapse.modes_frame(shown.panels, data)
    ui.how_to_read("mode_grid")
    ui.draw(charts.mode_grid(collapse.points_frame(shown.panels), modes, frames.Extent.around(data.x), data.std),
            width="content")
    st.caption("Purple: each generator's samples (the same latent points every frame). Green rings: the data's "
               "modes, drawn at 3σ, the high-quality zone; a ring fills once its mode is captured.")
    track = collapse.track_frame(shown.track)
    captured, quality, text = st.columns([3, 3, 2])
    with captured:
        ui.how_to_read("modes_track")
        ui.draw(charts.modes_track_chart(track, colours, len(data.centers)))
    with quality:
        ui.how_to_read("quality_track")
        ui.draw(charts.quality_track_chart(track, colours))
    text.markdown(
        "**What to look for.** Mode collapse: few modes captured while the high-quality share is high, so the "
        "generator makes good samples of **only a few modes**. It may also *hop*: it leaves one mode for "
        "another as D learns to reject it, and the modes line dips. A remedy (MMD's closed-form critic, an "
        "unrolled D, WGAN-GP, PacGAN below) should keep every mode, often with blurrier samples. Check it here, "
        "then over seeds below.")
    counts, text = st.columns([6, 2])
    with counts:
        ui.how_to_read("mode_counts")
        ui.draw(charts.counts_chart(modes, colours, collapse.CAPTURE_COUNT))
    text.markdown(
        "**Now, per mode.** A collapsed generator leaves **empty bars**: modes it never produces. Bars below "
        f"the dashed line ({collapse.CAPTURE_COUNT} samples) are not captured; a healthy generator gives "
        "every mode about the same bar.")


ui.play_live("collapse_playing", lambda: st.session_state.collapse_live, draw=frame)
st.caption(LESSON.caption())


# --- repeat over seeds ---------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def seed_finals(base: RunConfig, variants: tuple[str, ...], shared: bool, n_seeds: int) -> tuple:
    """The final Measures of every variant over n_seeds seeds; the bar is made and removed inside the cached call."""
    text = f"Training {len(variants)} variants × {n_seeds} seeds side by side…"
    bar = st.progress(0.0, text=text)
    finals = collapse.repeat_over_seeds(base, variants, shared, n_seeds, lambda f: bar.progress(f, text=text))
    bar.empty()
    return finals


def repeat_over_seeds() -> None:
    st.subheader("Repeat over seeds")
    st.markdown(
        "One lucky run proves nothing. Lucic et al., *Are GANs created equal?* (2018), trained many GAN losses "
        "from many seeds: most reached similar scores with enough tuning and random restarts, none consistently "
        "beat the non-saturating GAN, and they ask for results as distributions over runs, not a best run. "
        "Train every variant from several seeds, in one batched computation, and compare the final scores.")
    n_seeds = st.slider("Seeds", 2, 10, key="collapse_n_seeds",
                        help=f"Seeds {seed} to {seed} + n − 1, each training {steps:,} generator steps")
    settings = (base, tuple(variants), recipe == "shared", n_seeds)
    requested = st.session_state.setdefault("collapse_seed_runs", set())
    # a callback, not the return value: under AppTest ui.ensure_entrypoint reruns the page, dropping the latter
    st.button(f"Train over {n_seeds} seeds", key="collapse_repeat", icon=":material/repeat:",
              on_click=requested.add, args=(settings,))
    if settings not in requested:
        st.info(f"Press **Train over {n_seeds} seeds** to train {len(variants) * n_seeds} runs "
                f"of {steps:,} steps in one batch: this takes a while.")
        return
    st.dataframe(collapse.seeds_table(seed_finals(*settings)))
    st.caption("Mean ± sample standard deviation over seeds of the final scores; *modes per seed* lists each run.")


ui.guarded(repeat_over_seeds, "Repeating over seeds")


# --- reproduce the paper -------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def protocol_outcomes(protocol: str, methods: tuple[str, ...], n_seeds: int, steps: int) -> tuple:
    """A protocol's outcomes, shared by every visitor who asks the same; the bar lives inside the cached call.
    It trains in this session's thread (others go on); leaving the page stops it at the next bar update."""
    text = f"Training {len(methods)} methods × {n_seeds} seeds, {steps:,} steps each…"
    bar = st.progress(0.0, text=text)
    try:
        return protocols.repeat(protocol, methods, n_seeds, steps, lambda f: bar.progress(min(f, 1.0), text=text),
                                max_seconds=REPRODUCE_SECONDS)
    finally:
        bar.empty()


def protocol_defaults() -> None:
    """A new protocol starts from its own methods and training length."""
    spec = protocols.PROTOCOLS[st.session_state.collapse_protocol]
    st.session_state.collapse_protocol_methods = list(spec.default_contenders)
    st.session_state.collapse_protocol_steps = spec.base["steps"]


def reproduce_the_paper() -> None:
    st.subheader("Reproduce the paper")
    st.markdown(
        "The papers' own experiments: their data, sample count and capture rule, with ganplay's networks (every "
        "difference is listed below). Every method trains from several seeds in one batched computation; the "
        "table puts the mean ± standard deviation over seeds **beside the paper's numbers**.")
    name = st.selectbox("Protocol", list(protocols.PROTOCOLS), key="collapse_protocol", on_change=protocol_defaults,
                        format_func=lambda n: protocols.PROTOCOLS[n].title)
    spec = protocols.PROTOCOLS[name]
    rule = CAPTURE_RULES[spec.rule]
    st.markdown(f"**Data:** {spec.geometry}. **Scored:** {spec.samples:,} samples; high quality within 3σ of the "
                f"nearest centre; a mode is captured with **{rule.title}** (the rule in use: {rule.source}). "
                f"**The paper trains** {spec.paper_training}.")
    methods = st.multiselect("Methods", list(protocols.CONTENDERS), key="collapse_protocol_methods",
                             format_func=lambda c: protocols.CONTENDERS[c].title)
    st.markdown("\n".join(f"- **{protocols.CONTENDERS[c].title}**: {protocols.CONTENDERS[c].why}" for c in methods))
    seeds_column, steps_column = st.columns(2)
    n_seeds = seeds_column.slider("Seeds", 5, protocols.MAX_SEEDS, key="collapse_protocol_seeds")
    steps = steps_column.select_slider("Generator steps", PROTOCOL_STEPS, key="collapse_protocol_steps")
    with st.expander("How ganplay's runs differ from the paper's"):
        st.markdown("\n".join(f"- {line}" for line in spec.differences))
    for note in spec.notes:
        st.caption(note)
    if not methods:
        st.info("Pick at least one method to train.")
        return
    try:
        protocols.check_request(name, methods, n_seeds, steps)
    except ValueError as problem:
        st.warning(ui.as_text(problem))
        return
    settings = (name, tuple(methods), n_seeds, steps)
    requested = st.session_state.setdefault("collapse_protocol_runs", set())
    st.button("Reproduce", key="collapse_reproduce", icon=":material/science:", on_click=requested.add,
              args=(settings,))
    if settings in requested:
        try:
            outcomes = protocol_outcomes(*settings)
        except protocols.TooCostly as problem:
            requested.discard(settings)
            st.warning(ui.as_text(problem))
            return
        st.dataframe(protocols.results_table(name, outcomes))
        st.caption(f"ganplay: mean ± sample standard deviation over {n_seeds} seeds, {steps:,} steps, scored with "
                   f"{rule.title} (the column *≥ 20 of 2,500* counts with ganplay's stricter rule). Paper: "
                   f"{spec.citation}.")
    else:
        st.info(f"Press **Reproduce** to train {len(methods) * n_seeds} runs of {steps:,} steps: this takes minutes.")
    with st.expander("The paper's whole table"):
        st.dataframe(protocols.paper_table(name))
        st.caption(spec.citation)


ui.guarded(reproduce_the_paper, "Reproducing the paper")
ui.guarded(lambda: ui.digit_collapse_section(variants, steps, seed), "Counting digits")  # the picture analogue
st.session_state.collapse_settings = {key: st.session_state[key] for key in WIDGETS}
