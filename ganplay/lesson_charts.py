"""Altair charts for the lessons page: numpy in, alt.Chart out (testable without a server)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the charts take results, they do not compute them: no torch here
    from .flow import FlowGanResult
    from .lessons import PatternFit

MAX_LINE_POINTS = 500  # a 4001-point grid draws no better than 500 points and costs the browser 8×
SIMPLEX_CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, math.sqrt(3) / 2]])


def _thin(n: int) -> slice:
    return slice(None, None, max(1, math.ceil(n / MAX_LINE_POINTS)))


def _rule(field: str, value: float, axis: str = "y", title=alt.Undefined) -> alt.Chart:
    """A dashed reference line on the field (and title) of the chart it joins, so that the axis stays one."""
    channel = alt.Y if axis == "y" else alt.X
    return alt.Chart(pd.DataFrame({field: [value]})).mark_rule(strokeDash=[4, 4], color="gray").encode(
        channel(f"{field}:Q", title=title))


def descent_chart(paths: Mapping[str, np.ndarray], target: float) -> alt.Chart:
    """μ over Adam iterations, one line per estimator, and the optimum as a dashed rule."""
    df = pd.concat([pd.DataFrame({"iteration": np.arange(len(mu)), "μ": mu, "estimator": name})
                    for name, mu in paths.items()])
    lines = alt.Chart(df).mark_line().encode(x="iteration:Q", y="μ:Q", color="estimator:N")
    return (lines + _rule("μ", target)).properties(title=f"μ during training (dashed: μ* = {target:g})", height=260)


def gradient_histogram_chart(estimates: Mapping[str, np.ndarray], exact: float) -> alt.Chart:
    """Overlaid histograms of the gradient estimates; the true gradient as a dashed rule."""
    df = pd.concat([pd.DataFrame({"estimate": g, "estimator": name}) for name, g in estimates.items()])
    title = "estimate of dE|X−3|/dμ"
    bars = alt.Chart(df).mark_bar(opacity=0.55, binSpacing=0).encode(
        x=alt.X("estimate:Q", bin=alt.Bin(maxbins=80), title=title),
        y=alt.Y("count():Q", stack=None, title="repeats"),
        color="estimator:N")
    return (bars + _rule("estimate", exact, axis="x", title=title)).properties(
        title="Gradient estimates (dashed: exact)", height=260)


def simplex_chart(samples: np.ndarray, class_names: Sequence[str]) -> alt.Chart:
    """Samples of a 3-class relaxation inside the triangle: one-hot samples sit on the corners."""
    xy = samples @ SIMPLEX_CORNERS  # barycentric → Cartesian
    corners = pd.DataFrame({"x": SIMPLEX_CORNERS[[0, 1, 2, 0], 0], "y": SIMPLEX_CORNERS[[0, 1, 2, 0], 1],
                            "class": list(class_names) + [class_names[0]], "order": range(4)})
    axis = {"axis": None, "scale": alt.Scale(domain=[-0.1, 1.1])}
    edges = alt.Chart(corners).mark_line(color="gray").encode(
        x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), order="order:Q")
    labels = alt.Chart(corners.iloc[:3]).mark_text(dy=-10, fontWeight="bold").encode(x="x:Q", y="y:Q", text="class:N")
    points = alt.Chart(pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})).mark_circle(size=14, opacity=0.4).encode(
        x="x:Q", y="y:Q")
    return (edges + points + labels).properties(title="Samples on the simplex", height=300)


def sample_bars_chart(samples: np.ndarray, class_names: Sequence[str]) -> alt.Chart:
    """A few relaxed samples as grouped bars: near one-hot at small λ, near uniform at large λ."""
    n, k = samples.shape
    df = pd.DataFrame({"sample": np.repeat(np.arange(1, n + 1), k), "class": list(class_names) * n,
                       "value": samples.reshape(-1)})
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("sample:O"), xOffset="class:N", y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1])),
        color="class:N").properties(title="Individual samples", height=240)


def unit_histogram_chart(values: np.ndarray, title: str) -> alt.Chart:
    """Histogram of values in [0, 1] (relaxed Bernoulli samples)."""
    return alt.Chart(pd.DataFrame({"value": values})).mark_bar().encode(
        x=alt.X("value:Q", bin=alt.Bin(extent=[0, 1], step=0.025)), y=alt.Y("count():Q", title="samples"),
    ).properties(title=title, height=240)


def pattern_chart(fit: PatternFit) -> alt.Chart:
    """True vs learned frequency of every binary pattern, side by side."""
    df = pd.DataFrame({"pattern": fit.patterns * 2, "frequency": np.concatenate([fit.true, fit.learned]),
                       "source": ["data"] * len(fit.patterns) + ["generator"] * len(fit.patterns)})
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("pattern:N", sort=list(fit.patterns)), xOffset="source:N", y="frequency:Q", color="source:N",
    ).properties(title="Pattern frequencies: data vs trained generator", height=260)


def density_chart(x: np.ndarray, densities: Mapping[str, np.ndarray]) -> alt.Chart:
    """The densities of the optimal-D lesson on their common grid."""
    keep = _thin(len(x))
    df = pd.concat([pd.DataFrame({"x": x[keep], "density": d[keep], "density of": name})
                    for name, d in densities.items()])
    return alt.Chart(df).mark_area(opacity=0.4, line=True).encode(
        x="x:Q", y=alt.Y("density:Q", stack=None), color="density of:N").properties(height=200)


def discriminator_chart(x: np.ndarray, curves: Mapping[str, np.ndarray]) -> alt.Chart:
    """D(x) curves in [0, 1]: the closed form and the trained one."""
    keep = _thin(len(x))
    df = pd.concat([pd.DataFrame({"x": x[keep], "D(x)": d[keep], "discriminator": name})
                    for name, d in curves.items()])
    return alt.Chart(df).mark_line().encode(
        x="x:Q", y=alt.Y("D(x):Q", scale=alt.Scale(domain=[0, 1])), color="discriminator:N",
        strokeDash="discriminator:N").properties(height=200)


def jsd_curve_chart(shifts: np.ndarray, jsd: np.ndarray, current: tuple[float, float]) -> alt.Chart:
    """JSD against the generator's mean, with log 2 (its ceiling) dashed and the current setting marked."""
    line = alt.Chart(pd.DataFrame({"mean of p_g": shifts, "JSD (nats)": jsd})).mark_line().encode(
        x="mean of p_g:Q", y="JSD (nats):Q")
    point = alt.Chart(pd.DataFrame({"mean of p_g": [current[0]], "JSD (nats)": [current[1]]})).mark_point(
        size=80, filled=True, color="crimson").encode(x="mean of p_g:Q", y="JSD (nats):Q")
    return (line + point + _rule("JSD (nats)", math.log(2))).properties(
        title="JSD saturates at log 2 (dashed)", height=200)


def flow_samples_chart(result: FlowGanResult) -> alt.Chart:
    """Held-out data and the flow's samples on one scatter."""
    df = pd.concat([pd.DataFrame({"x1": pts[:, 0], "x2": pts[:, 1], "points": name})
                    for name, pts in (("held-out data", result.test), ("flow samples", result.samples))])
    return alt.Chart(df).mark_circle(size=10, opacity=0.45).encode(
        x="x1:Q", y="x2:Q", color="points:N").properties(title=f"λ = {result.loss.mle_weight:g}", height=320)


def flow_tradeoff_chart(results: Sequence[FlowGanResult]) -> alt.HConcatChart:
    """For every λ trained: held-out log-likelihood (symlog axis: λ = 0 is far below) and sample quality."""
    df = pd.DataFrame({"λ": [f"{r.loss.mle_weight:g}" for r in results],
                       "test log-likelihood": [r.test_log_likelihood for r in results],
                       "high-quality share": [r.high_quality_share for r in results]})
    order = [f"{w:g}" for w in sorted({r.loss.mle_weight for r in results})]
    base = alt.Chart(df).mark_bar().encode(x=alt.X("λ:O", sort=order))
    return alt.hconcat(
        base.encode(y=alt.Y("test log-likelihood:Q", scale=alt.Scale(type="symlog"))).properties(
            title="Held-out log-likelihood (higher is better)", width=260, height=220),
        base.encode(y=alt.Y("high-quality share:Q", scale=alt.Scale(domain=[0, 1]))).properties(
            title="Samples within 3σ of a mode", width=260, height=220))
