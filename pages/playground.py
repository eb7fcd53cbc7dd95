"""Playground: pick data (or bring your own), a GAN variant and its knobs; watch it train live; take it away."""
from dataclasses import replace

import streamlit as st

from ganplay import charts, frames, manifold_charts, schedule, ui

ui.ensure_entrypoint()
cfg = ui.settings_sidebar()
run = ui.live_run(cfg)

st.title("Playground")
st.caption("Green dots are real data, purple dots are the generator's samples (the same latent points every frame). "
           "The background is the discriminator's verdict; arrows show where it pushes the fakes.")

toggle_column = ui.run_controls("playground", "playing", lambda: st.session_state.run)
in_3d = run.data.dim == 3 and not run.data.is_image  # drawn in a rotatable 3-D view too
toggles = toggle_column.columns(4 if in_3d else 3)
show_critic = toggles[0].toggle("D heatmap", value=True)
show_push = toggles[1].toggle("G's gradient", value=False, help="The direction D pushes each generated sample")
show_kde = toggles[2].toggle("Densities", value=True)
show_mesh = in_3d and toggles[3].toggle("Latent grid", value=True, help="G's latent plane as a mesh in the 3-D view")
view = ui.projection(run)  # data with more than two columns is drawn on a chosen plane
extent = None if view is None else frames.Extent.around(view.apply(run.data.x))
box = manifold_charts.Box.around(run.data.x) if in_3d else None  # the 3-D view's fixed camera


def viewed(shown: frames.Frame) -> frames.Frame:
    """The published frame (every layer, the data's own plane) as this visitor looks at it."""
    if extent is not None:
        real, fake = view.apply(shown.real), view.apply(shown.fake)
        shown = replace(shown, real_2d=real, fake_2d=fake, extent=extent,
                        densities=frames.density_grids(real, fake, extent) if show_kde else None)
    return replace(shown, critic=shown.critic if show_critic else None, push=shown.push if show_push else None,
                   densities=shown.densities if show_kde else None)


def frame(published) -> None:
    shown = viewed(published.value)
    if run.data.is_image:  # pictures: grids of digits, D's verdict framing each generated one, read off the run itself
        with run.holding() as trainer:
            ui.status_line(trainer.step_count, cfg, trainer.diverged_at)
            return ui.picture_view(trainer, verdict=show_critic)
    ui.status_line(shown.step, cfg, shown.diverged_at)
    if shown.manifold is not None:
        ui.manifold_view(shown, box, mesh=show_mesh)
    left, right = st.columns([3, 2])
    with left:
        ui.how_to_read("scatter")
        ui.draw(charts.training_scatter(shown), width="content")
    with right:
        ui.how_to_read("losses", "Losses")
        ui.draw(charts.loss_chart(shown.history, changes=schedule.marks(cfg)))
        ui.schedule_list(cfg)
        if show_kde:
            ui.how_to_read("densities", "Densities: data and generator")
            ui.draw(charts.kde_chart(shown), width="content")


ui.play_live("playing", lambda: st.session_state.run, draw=frame)
ui.slow_motion_section(cfg, lambda: st.session_state.run, "playing", plane=None if view is None else view.apply)
ui.hood_section(cfg, lambda: st.session_state.run, "playing")
ui.own_data_section()
ui.continue_saved_run()
ui.take_away_section(st.session_state.run)
