"""Latent walk: move z and watch G(z) move; walk a path, sweep one axis, see the whole latent grid."""
import numpy as np
import streamlit as st

from ganplay import frames, latent, ui
from ganplay import latent_charts as charts

MODES = ("Point", "Path", "Sweep", "Manifold")
SWEEP_VALUES = 41

ui.ensure_entrypoint()
cfg = ui.settings_sidebar()

st.title("Latent walk")
st.caption("Take a walk in latent space: follow a line or curve between two points z and look at the "
           "deterministic path of generated observations G(z) in X-space; vary only one component zₖ to see its "
           "effect. Nothing trains here: every view is the trained generator, evaluated.")


def trained_run() -> ui.LiveRun | ui.Trainer | None:
    """The visitor's Playground run when it has trained on these settings, else these settings trained to the end
    (None when this server refuses to: the page says why)."""
    own = st.session_state.get("run")
    if own is not None and own.config == cfg and own.step_count > 0 and st.session_state.get("latent_finish") != cfg:
        return own
    return ui.train_with_progress(cfg, "Training a generator to walk through")


def finish() -> None:
    st.session_state.latent_finish = cfg


ui.continue_saved_run()
run = trained_run()
if run is None:
    st.stop()
ui.status_line(run.step_count, cfg, run.diverged_at)
if run is st.session_state.get("run"):
    note, button = st.columns([4, 1])
    note.info(f"Walking through your Playground run, as it stands at step {run.step_count:,}.")
    button.button("Train to the end", on_click=finish, icon=":material/fast_forward:", width="stretch",
                  disabled=run.finished,
                  help="Use these settings trained to the last step (your Playground run stays as it is)")
else:
    st.caption("These settings, trained to the end (shared with every visitor who picks them). "
               "Train on the Playground to walk through your own run as it learns.")

extent = frames.Extent.around(run.data.x)
names = latent.label_names(run.data)
sliders = latent.LatentSliders("latent_", cfg.z_dim, cfg.latent)


def move_end(name: str, z: np.ndarray | None = None) -> None:
    """Put a path end at z, or at a fresh draw from the prior."""
    if z is None:
        z, counter = sliders.draw(st.session_state)
        st.session_state.update(counter)
    st.session_state[f"latent_{name}"] = tuple(z)


def endpoint(name: str) -> np.ndarray:
    """A path end kept in the session: a draw from the prior until the visitor moves it."""
    if len(st.session_state.get(f"latent_{name}", ())) != cfg.z_dim:
        move_end(name)
    return np.array(st.session_state[f"latent_{name}"])


def point_view(z, label, points) -> None:
    if run.data.is_image:
        return ui.latent_walk_pictures(run, "Point", z, label)
    ui.how_to_read("latent_point")
    ui.draw(charts.point_chart(points, latent.point_frame(run, z, label), extent), width="content")
    st.caption("The amber dot is G(z) for the sliders' z. Move a slider: the dot moves, the generator does not change.")


def path_view(z, label, points) -> None:
    z0, z1 = endpoint("start"), endpoint("end")
    ends = st.columns(4)
    ends[0].button("z₀ ← sliders", on_click=move_end, args=("start", z), width="stretch")
    ends[1].button("Random z₀", on_click=move_end, args=("start",), width="stretch", icon=":material/casino:")
    ends[2].button("z₁ ← sliders", on_click=move_end, args=("end", z), width="stretch")
    ends[3].button("Random z₁", on_click=move_end, args=("end",), width="stretch", icon=":material/casino:")
    method = st.radio("Interpolation", list(latent.INTERPOLATIONS), horizontal=True, key="latent_method",
                      help="linear: (1 − t)·z₀ + t·z₁; spherical: the direction turns along a great circle")
    steps = st.slider("Steps", 2, 60, 20, key="latent_steps")
    if run.data.is_image:
        ui.latent_walk_pictures(run, "Path", z, label, path=latent.INTERPOLATIONS[method](z0, z1, steps))
        ui.how_to_read("latent_norm")
        return ui.draw(charts.norm_profile_chart(latent.norm_profile_frame(z0, z1, steps), method))
    path = latent.path_frame(run, z0, z1, steps, method, label)
    ui.how_to_read("latent_path")
    ui.draw(charts.path_chart(points, path, extent), width="content")
    st.caption("From G(z₀) (blue, t = 0) to G(z₁) (orange, t = 1). Below: ‖z(t)‖ along both interpolations. "
               "A Gaussian prior's mass lies near the sphere ‖z‖ ≈ √dim; the straight line dips inside it.")
    ui.how_to_read("latent_norm")
    ui.draw(charts.norm_profile_chart(latent.norm_profile_frame(z0, z1, steps), method))


def sweep_view(z, label, points) -> None:
    values = np.linspace(-sliders.span, sliders.span, SWEEP_VALUES)
    if run.data.is_image:  # a row of 11 images per axis
        sweeps = [latent.axis_sweep(z, k, values[::4]) for k in range(cfg.z_dim)]
        return ui.latent_walk_pictures(run, "Sweep", z, label, sweep=np.stack(sweeps))
    sweep = latent.sweep_frame(run, z, values, label)
    ui.how_to_read("latent_sweep")
    ui.draw(charts.sweep_chart(points, sweep, latent.point_frame(run, z, label), extent), width="content")
    st.caption("Each curve varies one zₖ over its range with the others at the sliders' values; dots grow towards "
               "+zₖ. All curves pass through the amber G(z).")


def manifold_view(z, label, points) -> None:
    if cfg.z_dim < 2:
        st.info("With one latent dimension the manifold is a curve: the Sweep view shows it.")
        return
    dims = (0, 1)
    if cfg.z_dim > 2:
        pick, axes = st.columns(2), list(range(cfg.z_dim))
        # keyed by z_dim: a choice made for other settings never lands outside the options
        dims = (pick[0].selectbox("Grid axis across", axes, 0, format_func=latent.axis_name,
                                  key=f"latent_across_{cfg.z_dim}"),
                pick[1].selectbox("Grid axis along", axes, 1, format_func=latent.axis_name,
                                  key=f"latent_along_{cfg.z_dim}"))
        if dims[0] == dims[1]:
            st.warning("Pick two different axes.")
            return
    resolution = st.slider("Grid lines", 3, 30, 15, key="latent_resolution")
    if run.data.is_image:
        plane = latent.manifold_grid(cfg.z_dim, resolution, sliders.span, dims, base=z)
        return ui.latent_walk_pictures(run, "Manifold", z, label, plane=plane)
    mesh = latent.manifold_frame(run, resolution, sliders.span, dims, base=z, label=label)
    ui.how_to_read("latent_manifold")
    ui.draw(charts.manifold_chart(points, mesh, extent), width="content")
    others = "" if cfg.z_dim == 2 else " (a 2-D slice: the other axes at the sliders' values)"
    st.caption(f"A square grid in z{others}, pushed through G. Where the mesh stretches, G spreads probability thin; "
               "where it folds or bunches up, samples pile up.")


VIEWS = dict(zip(MODES, (point_view, path_view, sweep_view, manifold_view)))


@st.fragment
def explorer() -> None:
    """Slider moves rerun only this: no training, only G evaluated on a handful of points and one chart."""
    controls, view = st.columns([1, 2])
    with controls:
        mode = st.radio("View", MODES, horizontal=True, key="latent_mode")
        label = None
        if cfg.conditional:
            label = st.selectbox("Label y (held fixed)", range(len(names)), format_func=names.__getitem__,
                                 key=f"latent_label_{cfg.dataset}")
        st.session_state.update(sliders.settled(st.session_state))
        for key, name in zip(sliders.keys, sliders.labels):
            st.slider(name, -sliders.span, sliders.span, step=latent.SLIDER_STEP, key=key)
        st.button("Randomise z", icon=":material/casino:",
                  on_click=lambda: st.session_state.update(sliders.randomised(st.session_state)))
        z = sliders.read(st.session_state)
        if cfg.z_dim > latent.SLIDERS:
            st.caption("Held fixed (Randomise draws them): " +
                       ", ".join(f"{latent.axis_name(k)} = {v:.2f}" for k, v in enumerate(z) if k >= latent.SLIDERS))
    with view:
        points = latent.backdrop_frame(run, label=label)
        ui.guarded(lambda: VIEWS[mode](z, label, points), f"Drawing the {mode.lower()} view")


explorer()
