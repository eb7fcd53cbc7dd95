"""Conditional GAN: feed the label y to both G and D, then ask G for exactly the classes you want."""
import numpy as np
import streamlit as st

from ganplay import DATASETS, frames, latent, metrics, ui
from ganplay import latent_charts

# blobs first: the page's choice when the visitor's data has no labels; "csv" is their own data, when they have some
LABELLED = ["blobs", *(name for name, spec in DATASETS.items() if spec.labelled and name != "blobs"), "csv"]
RUN, PLAYING = "conditional_run", "conditional_playing"  # this page's own live run: the Playground's is untouched
STATS_COLUMNS = {"label": "label y", "n_generated": "samples", "mean_error": "‖mean G − mean data‖",
                 "cov_error": "‖cov G − cov data‖_F", "sliced_w1": "sliced W1"}

ui.ensure_entrypoint()
cfg = ui.settings_sidebar(datasets=LABELLED, hidden=frozenset({"conditional"})).replace(conditional=True)
st.title("Conditional GAN")
st.caption("Simply feed the label y to both the generator and the discriminator: G(z | y) learns each class, and D "
           "judges a sample together with its label. The same principle applies to the other loss functions: this "
           "page trains the conditional form of the variant chosen in the sidebar.")
st.latex(r"\min_G \max_D \; \mathbb{E}_{(x, y)\sim p_{data}}[\log D(x \mid y)] + "
         r"\mathbb{E}_{z\sim p_z,\, y\sim p_y}[\log(1 - D(G(z \mid y) \mid y))]")
ui.continue_saved_run(RUN, PLAYING, conditional=True)
if cfg.dataset == "csv" and ui.data_for(cfg).y is None:
    st.warning("Your own data has no labels: choose a label column where you uploaded it (or paint blobs, one "
               "label each), or pick a labelled dataset in the sidebar.")
    st.stop()


run = ui.live_run(cfg, RUN, PLAYING)
ui.run_controls("conditional", PLAYING, lambda: st.session_state[RUN])
extent = frames.Extent.around(run.data.x)
names = latent.label_names(run.data)


def chosen_labels(run: ui.LiveRun) -> None:
    left, right = st.columns([1, 2])
    with left:
        # keyed by dataset: a choice made on other data never lands outside the options
        chosen = st.multiselect("Generate labels y", range(len(names)), default=list(range(len(names))),
                                format_func=names.__getitem__, key=f"conditional_labels_{cfg.dataset}")
        n = st.slider("Sample size", 10, 2000, 500, step=10, key="conditional_n")
        st.caption("Diamonds: G(z | y) for the chosen labels. Faint dots: the data, coloured the same way.")
    with right:
        if not chosen:
            st.info("Choose at least one label.")
            return
        with run.holding() as trainer:  # G of the run as it stands, nobody stepping it meanwhile
            if trainer.data.is_image:
                return ui.conditional_pictures(trainer, chosen, names)
            fake = latent.conditional_frame(trainer, chosen, n)
        ui.how_to_read("labelled_scatter")
        ui.draw(latent_charts.labelled_scatter(latent.real_frame(run.data), fake, extent, names), width="content")


def per_class(run: ui.LiveRun) -> None:
    st.subheader("Per class: data vs generated")
    if st.session_state[PLAYING]:
        st.caption(f"As of step {run.step_count:,}: redrawn when training pauses or ends.")
    samples, labels = latent.class_samples(run)
    stats = metrics.per_class_stats(samples, labels, run.data.x, run.data.y)
    stats = stats.assign(label=np.asarray(names)[stats["label"]]).rename(columns=STATS_COLUMNS)
    st.dataframe(stats, hide_index=True, column_config={c: st.column_config.NumberColumn(format="%.3f")
                                                        for c in list(STATS_COLUMNS.values())[2:]})
    if run.data.is_image:  # a density over the first two pixels says nothing
        return
    kdes = latent.class_kde_frame(run.data, samples, labels, extent)
    ui.how_to_read("class_kde")
    ui.chart(latent_charts.class_kde_chart(kdes, extent, names), width="content")


def draw(published) -> None:
    shown = published.value
    ui.status_line(shown.step, cfg, shown.diverged_at)
    chosen_labels(st.session_state[RUN])


def same_z(run: ui.LiveRun) -> None:
    sliders = latent.LatentSliders("conditional_", cfg.z_dim, cfg.latent)
    left, right = st.columns([1, 2])
    with left:
        label = st.radio("Label y held fixed", range(len(names)), format_func=lambda k: ui.as_text(names[k]),
                         horizontal=True, key=f"conditional_label_{cfg.dataset}")
        st.session_state.update(sliders.settled(st.session_state))
        for key, name in zip(sliders.keys, sliders.labels):
            st.slider(name, -sliders.span, sliders.span, step=latent.SLIDER_STEP, key=key)
        st.button("Randomise z", icon=":material/casino:", key="conditional_randomise",
                  on_click=lambda: st.session_state.update(sliders.randomised(st.session_state)))
    with right:
        if run.data.is_image:
            return ui.same_z_pictures(run, sliders.read(st.session_state), names)
        points = latent.same_z_frame(run, sliders.read(st.session_state), label)
        ui.how_to_read("same_z")
        ui.draw(latent_charts.same_z_chart(latent.real_frame(run.data), points, extent, names), width="content")
        st.caption(f"The large diamond is G(z | {ui.as_text(names[label])}); the small ones are the same z under the "
                   "other labels. Moving z moves the sample within its class; changing y moves it to another class.")


@st.fragment
def latent_view() -> None:
    """Slider moves rerun only this: G evaluated at one z under every label, no training."""
    st.subheader("One z, every label")
    ui.guarded(lambda: same_z(st.session_state[RUN]), "Drawing one z under every label")


ui.play_live(PLAYING, lambda: st.session_state[RUN], draw)
# Outside the timer, so playing stays light and Pause answers at once: redrawn on Play, Pause, Step and at the end.
ui.guarded(lambda: per_class(run), "Drawing the per-class view")
latent_view()
