"""Playground: pick data (or bring your own), a GAN variant and its knobs; watch it train live; take it away."""
import dataclasses

import streamlit as st

from ganplay import charts, ui, views

ui.ensure_entrypoint()
cfg = ui.settings_sidebar()
run = ui.live_run(cfg)

st.title("Playground")
st.caption("Green dots are real data, purple dots are the generator's samples (the same latent points every frame). "
           "The background is the discriminator's verdict; arrows show where it pushes the fakes.")


def reset() -> None:
    st.session_state.run = ui.new_run(cfg)


toggle_column = ui.run_controls("playground", "playing", lambda: st.session_state.run, reset=reset)
toggles = toggle_column.columns(3)
show_critic = toggles[0].toggle("D heatmap", value=True)
show_push = toggles[1].toggle("G's gradient", value=False, help="The direction D pushes each generated sample")
show_kde = toggles[2].toggle("Densities", value=True)
view = ui.projection(run)  # data with more than two columns is drawn on a chosen plane


def frame(run: ui.Trainer) -> None:
    ui.status_line(run)
    snap = run.snapshot()
    if view is not None:
        snap = dataclasses.replace(snap, real=view.apply(snap.real), fake=view.apply(snap.fake))
    extent = views.Extent.around(run.data.x if view is None else view.apply(run.data.x))
    points = views.points_frame(snap, run.data.label_names)
    flat = run.data.dim == 2  # D's heatmap and G's gradient live in the data's own plane
    critic = views.critic_frame(run, extent) if show_critic and flat else None
    push = views.push_frame(run, snap.fake, extent, labels=snap.fake_labels) if show_push and flat else None
    left, right = st.columns([3, 2])
    with left:
        ui.chart(charts.training_scatter(points, extent, critic, push, run.config.variant_spec.is_wasserstein),
                 width="content")
    with right:
        st.markdown("**Losses**")
        ui.chart(charts.loss_chart(views.loss_frame(snap.history)))
        if show_kde:
            st.markdown("**Kernel density estimates: data and generator**")
            ui.chart(charts.kde_chart(views.kde_frame(snap.real, snap.fake, extent), extent))


ui.play_live("playing", lambda: st.session_state.run, draw=lambda: frame(st.session_state.run))
ui.own_data_section()
ui.take_away_section(st.session_state.run)
