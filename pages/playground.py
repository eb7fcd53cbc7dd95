"""Playground: pick data (or bring your own), a GAN variant and its knobs; watch it train live; take it away."""
import streamlit as st

from ganplay import charts, frames, ui

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
    if run.data.is_image:  # pictures: grids of digits, D's verdict framing each generated one
        return ui.picture_view(run, verdict=show_critic)
    shown = frames.frame_of(run, None if view is None else view.apply, critic=show_critic, push=show_push,
                            densities=show_kde)
    left, right = st.columns([3, 2])
    with left:
        ui.draw(charts.training_scatter(shown), width="content")
    with right:
        st.markdown("**Losses**")
        ui.draw(charts.loss_chart(shown.history))
        if show_kde:
            st.markdown("**Kernel density estimates: data and generator**")
            ui.draw(charts.kde_chart(shown), width="content")


ui.play_live("playing", lambda: st.session_state.run, draw=lambda: frame(st.session_state.run))
ui.own_data_section()
ui.take_away_section(st.session_state.run)
