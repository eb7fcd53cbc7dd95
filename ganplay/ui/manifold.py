"""The Playground's 3-D view of 3-D data: real and generated points and G's latent grid in a rotatable orbit view
(pydeck), and the generated points' distance to the true surface over training."""
from __future__ import annotations

import streamlit as st

from .. import manifold_charts
from ..frames import Frame
from .explain import how_to_read
from .live import draw

HEIGHT = 460


def manifold_view(frame: Frame, box: manifold_charts.Box, mesh: bool = True) -> None:
    """The 3-D view (left) and, for data with a known surface, the distance metric and its track (right)."""
    view = frame.manifold
    left, right = st.columns([3, 2])
    with left:
        how_to_read("manifold_3d")
        st.pydeck_chart(manifold_charts.deck(frame, box, mesh=mesh, height=HEIGHT), height=HEIGHT)
        grid = ("" if not mesh or view.lines is None else
                " Lines: G's latent plane, a grid over (z₁, z₂) with any other zₖ at 0, orange along z₁, blue along "
                "z₂" + ("; red where G leaves the true surface between two grid points: a tear, or a fold bridging "
                        "two layers." if view.torn is not None else "."))
        st.caption("Drag to rotate, scroll to zoom. Green: data, purple: G's samples (fixed z)." + grid)
    if view.distance is None:
        return
    with right:
        st.metric("Mean distance to the true surface", f"{view.distance:.3f}",
                  help="The mean Euclidean distance of the purple points to the nearest point of the surface the "
                       f"data was drawn from (data units; overestimated by at most {view.error:.0e}). The data's own "
                       f"points lie {view.data_distance:.3f} from it: their noise.")
        how_to_read("manifold_distance")
        draw(manifold_charts.distance_chart(view))
        st.caption("Purple: G's samples over training; dashed green: the data's own distance. A GAN fits the "
                   "surface \"extremely well, but not perfectly\".")
