"""Under the hood's charts (Altair): the players' gradient norms and D's largest singular values over training.

Tables in (hood.Readings' columns), charts out; no torch and no Streamlit here.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .charts import LOSS_COLOURS
from .frames import thin_history

MAX_POINTS = 1500  # per line: a 50,000-step trace draws no better than this
NORM_NAMES = {"g_grad": "‖∇G‖ (G's loss)", "d_grad": "‖∇D‖ (D's loss + penalty)"}
PAD = alt.AutoSizeParams(type="pad")  # the plot keeps its height; legend and title go around it
LAYER_COLOURS = ["#1c7ed6", "#0ca678", "#f59f00", "#ae3ec9", "#e64980", "#495057", "#74b816"]


def _log_y(title: str) -> alt.Y:
    return alt.Y("value:Q", title=title, scale=alt.Scale(type="log"))


def grad_norm_chart(norms: pd.DataFrame, trains_critic: bool = True, height: int = 220) -> alt.Chart:
    """‖∇θ‖ of G and of D at each generator step, on a log scale (vanishing gradients fall by decades)."""
    columns = ["g_grad", "d_grad"] if trains_critic else ["g_grad"]  # MMD's D never trains: its norm is 0
    table = thin_history(norms, MAX_POINTS).melt("step", columns, var_name="of", value_name="value")
    table = table[table.value > 0].assign(of=lambda t: t["of"].map(NORM_NAMES))
    colours = alt.Scale(domain=[NORM_NAMES[c] for c in columns],
                        range=[LOSS_COLOURS["g_loss" if c == "g_grad" else "d_loss"] for c in columns])
    return alt.Chart(table).mark_line(strokeWidth=1.2).encode(
        x=alt.X("step:Q", title="generator step"), y=_log_y("gradient norm"),
        color=alt.Color("of:N", scale=colours, title=None, legend=alt.Legend(orient="top")),
        tooltip=["of:N", "step:Q", alt.Tooltip("value:Q", format=".3g")],
    ).properties(height=height, title="Gradient norms", autosize=PAD)


def sigma_table(sigmas: pd.DataFrame) -> pd.DataFrame:
    """Per step: each layer's σ_max and their product (a bound on D's Lipschitz constant), long form."""
    product = sigmas.groupby("step", as_index=False)["sigma"].agg(lambda s: float(np.prod(s)))
    layers = sigmas.assign(of=lambda t: "layer " + t["layer"].astype(str))
    return pd.concat([layers[["step", "of", "sigma"]], product.assign(of="product")], ignore_index=True).rename(
        columns={"sigma": "value"})


def sigma_chart(sigmas: pd.DataFrame, spectral_norm: bool, every: int, height: int = 220) -> alt.LayerChart:
    """D's largest singular value per layer and their product; with spectral normalisation a rule at 1."""
    table = sigma_table(sigmas).dropna()
    names = [*sorted(n for n in table["of"].unique() if n != "product"), "product"]
    colours = alt.Scale(domain=names, range=[*LAYER_COLOURS[:len(names) - 1], "#212529"])
    spacing = "generator step" + (f" (read every {every}th)" if every > 1 else "")
    lines = alt.Chart(table).mark_line(strokeWidth=1.2).encode(
        x=alt.X("step:Q", title=spacing), y=_log_y("σ_max"),
        color=alt.Color("of:N", scale=colours, sort=names, title=None, legend=alt.Legend(orient="top")),
        strokeDash=alt.condition(alt.datum.of == "product", alt.value([5, 3]), alt.value([1, 0])),
        tooltip=["of:N", "step:Q", alt.Tooltip("value:Q", format=".4g")],
    )
    title = "D's largest singular values" + (" (spectrally normalised)" if spectral_norm else "")
    if not spectral_norm:
        return lines.properties(height=height, title=title, autosize=PAD)
    one = alt.Chart(pd.DataFrame({"value": [1.0]})).mark_rule(color="#868e96", strokeDash=[2, 2]).encode(y="value:Q")
    return alt.layer(lines, one).properties(height=height, title=title, autosize=PAD)
