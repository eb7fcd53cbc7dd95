"""Lessons: the lecture's side lessons, runnable. Widgets -> core (cached) -> charts; no torch here."""
from __future__ import annotations

from typing import Callable, TypeVar

import numpy as np
import streamlit as st

from ganplay import flow, lessons, ui
from ganplay import lesson_charts as charts

T = TypeVar("T")
CLASSES = ("a", "b", "c")
TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
MLE_WEIGHTS = (0.0, 0.01, 0.1, 1.0, 10.0, 100.0)
SHIFTS = np.linspace(-8, 12, 121)


# ------------------------------------------------------------------ cached core calls

def with_progress(train: Callable[[Callable[[float], None]], T], text: str) -> T:
    """train(progress) under a bar made and removed inside the cached call: a cache hit replays nothing visible."""
    bar = st.progress(0.0, text=text)
    result = train(lambda fraction: bar.progress(fraction, text=text))
    bar.empty()
    return result


@st.cache_data(max_entries=32, show_spinner=False)
def descents(n_samples: int) -> dict[str, np.ndarray]:
    return {e.title: lessons.minimise_expected_cost(name, n_samples=n_samples)
            for name, e in lessons.ESTIMATORS.items()}


@st.cache_data(max_entries=32, show_spinner=False)
def estimates(mu: float, n_samples: int) -> dict[str, np.ndarray]:
    return {e.title: lessons.gradient_estimates(name, mu, n_samples) for name, e in lessons.ESTIMATORS.items()}


@st.cache_data(max_entries=32, show_spinner=False)
def bernoulli_gan(temperature: float) -> lessons.PatternFit:
    return with_progress(lambda p: lessons.train_bernoulli_gan(temperature, progress=p),
                         "Training the Bernoulli GAN…")


@st.cache_data(max_entries=32, show_spinner=False)
def jsd_curve(std: float) -> np.ndarray:
    return lessons.jsd_curve(SHIFTS, std)


@st.cache_data(max_entries=32, show_spinner=False)
def trained_discriminator(p_g: lessons.Mixture1D) -> lessons.TrainedD:
    return with_progress(lambda p: lessons.train_discriminator(p_g, progress=p), "Training D…")


@st.cache_data(max_entries=32, show_spinner=False)
def flow_gan(mle_weight: float) -> flow.FlowGanResult:
    return with_progress(lambda p: flow.train_flow_gan(flow.HybridLoss(mle_weight=mle_weight), progress=p),
                         "Training the Flow-GAN…")


# ------------------------------------------------------------------ page helpers

def trained_on_demand(lesson: str, setting, label: str) -> bool:
    """True once Train was pressed for this setting in this session; the results then come from the cache."""
    done = st.session_state.setdefault("lessons_trained", set())
    if st.button(label, key=f"lessons_{lesson}_train", type="primary"):
        done.add((lesson, setting))
    if (lesson, setting) not in done:
        st.info(f"Press **{label}** to train with these settings (a few seconds).")
    return (lesson, setting) in done


def settings_trained(lesson: str) -> list:
    return sorted(s for name, s in st.session_state.get("lessons_trained", set()) if name == lesson)


# ------------------------------------------------------------------ the lessons

def stochastic_backpropagation() -> None:
    st.markdown(
        r"To learn θ of a sampler we need $\nabla_\theta\, \mathbb{E}_{p_\theta}[f(X)]$. The **pathwise** estimator "
        "writes X = μ + ε and differentiates through the sample (`Normal(μ, 1).rsample()`); the **score-function** "
        r"(REINFORCE) estimator needs only $\log p_\theta$, but the lecture warns it *is often unusable without "
        "variance reduction*.")
    st.latex(r"\mu^* = \arg\min_\mu \; \mathbb{E}_{X\sim N(\mu,1)}\,|X-3|")
    for e in lessons.ESTIMATORS.values():
        st.latex(rf"\text{{{e.title}: }}\; {e.latex}")
    left, right = st.columns(2)
    n_samples = left.select_slider("Samples per estimate, n", (1, 2, 4, 8, 16, 32, 64, 128, 256), value=16,
                                   key="lessons_sb_n")
    mu = right.slider("μ at which to estimate the gradient", -3.0, 6.0, 0.0, 0.5, key="lessons_sb_mu")
    paths, draws = descents(n_samples), estimates(mu, n_samples)
    with left:
        ui.how_to_read("descent", "Adam on μ, from μ = 0")
        ui.chart(charts.descent_chart(paths, lessons.TARGET))
    with right:
        ui.how_to_read("gradient_histogram", f"2000 estimates at μ = {mu:g}, each from n = {n_samples} samples")
        ui.chart(charts.gradient_histogram_chart(draws, lessons.exact_gradient(mu)))
    for column, (name, e) in zip(st.columns(len(lessons.ESTIMATORS)), lessons.ESTIMATORS.items()):
        column.metric(f"Variance, {e.title.lower()}", f"{np.var(draws[e.title]):.3g}",
                      help=f"exact: {lessons.estimator_variance(name, mu, n_samples):.3g}")
    st.caption("Per sample the score-function variance is 3 + (μ − 3)² − g² against 1 − g² for the "
               "pathwise one (g the true gradient): it grows with the distance to the optimum.")


def relaxation() -> None:
    st.markdown(
        "A discrete sample has no gradient. The **Concrete / Gumbel-softmax** relaxation replaces the one-hot "
        "argmax by a softmax at temperature λ: differentiable for λ > 0, and one-hot again as λ → 0.")
    st.latex(r"y_i = \frac{\exp\big((\log \pi_i + g_i)/\lambda\big)}{\sum_j \exp\big((\log \pi_j + g_j)/\lambda\big)},"
             r"\qquad g_i \sim \mathrm{Gumbel}(0, 1)")
    temperature = st.select_slider("Temperature λ", TEMPERATURES, value=0.5, key="lessons_gs_temperature")
    p = st.slider("p of RelaxedBernoulli(λ, p)", 0.0, 1.0, 0.3, 0.05, key="lessons_gs_p")
    ui.how_to_read("relaxed_bernoulli")
    ui.chart(charts.unit_histogram_chart(lessons.relaxed_bernoulli(p, temperature, 2000),
                                         f"RelaxedBernoulli(λ = {temperature:g}, p = {p:g})"))
    weights = [c.slider(f"π_{name} (weight)", 0.0, 1.0, w, 0.05, key=f"lessons_gs_pi_{name}")
               for c, name, w in zip(st.columns(3), CLASSES, (0.2, 0.3, 0.5))]
    samples = lessons.relaxed_categorical(weights, temperature, 600)
    left, right = st.columns(2)
    with left:
        ui.how_to_read("simplex")
        ui.chart(charts.simplex_chart(samples, CLASSES))
    with right:
        ui.how_to_read("sample_bars")
        ui.chart(charts.sample_bars_chart(samples[:6], CLASSES))
    st.metric("Mean distance to one-hot, 1 − max_i y_i", f"{lessons.distance_to_one_hot(samples):.3f}")


def discrete_gan() -> None:
    st.subheader("A GAN with discrete outputs")
    st.markdown(
        "The lecture's toy: G outputs a *dependent* Bernoulli vector. Bits 1–2 and 3–4 of the data always "
        "agree, so independent coins cannot fit it; through z they can. D sees the relaxed samples.")
    st.latex(r"\eta = \sigma(g(z)),\quad X_k \sim \mathrm{Bernoulli}(\eta_k)"
             r"\;\approx\; \tilde X_k = \sigma\Big(\tfrac{\log\eta_k - \log(1-\eta_k) + L_k}{\lambda}\Big),"
             r"\quad L_k \sim \mathrm{Logistic}(0,1)")
    temperature = st.select_slider("Training temperature λ", TEMPERATURES[2:], value=0.5,
                                   key="lessons_gs_train_temperature")
    if trained_on_demand("bernoulli", temperature, "Train the Bernoulli GAN"):
        fit = bernoulli_gan(temperature)
        ui.how_to_read("bernoulli_patterns")
        ui.chart(charts.pattern_chart(fit))
        st.metric("Total variation, data vs generator", f"{fit.total_variation:.3f}")


def optimal_discriminator() -> None:
    st.markdown(
        "For a fixed G the best D is known in closed form; at that D the value function is a Jensen–Shannon "
        "divergence. Move p_g away from the data: once the supports separate the JSD sticks at log 2, "
        "the minimax G loss goes flat, and that is why NS-GAN exists.")
    st.latex(r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}, \qquad "
             r"V(D^*, G) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)")
    left, right = st.columns(2)
    mean = left.slider("Mean of p_g", -6.0, 10.0, 3.0, 0.5, key="lessons_od_mean")
    std = right.slider("Standard deviation of p_g", 0.2, 3.0, 1.0, 0.1, key="lessons_od_std")
    p_g = lessons.Mixture1D.gaussian(mean, std)
    theory = lessons.optimal_d(p_g)
    ui.how_to_read("optimal_d_densities")
    ui.chart(charts.density_chart(theory.x, {"p_data (two modes)": theory.p_data, "p_g": theory.p_g}))
    curves = {"D* (closed form)": theory.d_star}
    metrics = {"JSD (nats)": theory.jsd, "−log 4 + 2·JSD": theory.value_from_jsd, "V(D*, G)": theory.value}
    if trained_on_demand("optimal_d", (mean, std), "Train D"):
        trained = trained_discriminator(p_g)
        curves["D trained on samples"] = trained.d
        metrics["V(D trained, G)"] = trained.value
    ui.how_to_read("optimal_d")
    ui.chart(charts.discriminator_chart(theory.x, curves))
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items()):
        column.metric(label, f"{value:.4f}")
    ui.how_to_read("jsd_curve")
    ui.chart(charts.jsd_curve_chart(SHIFTS, jsd_curve(std), (mean, theory.jsd)))


def flow_gan_lesson() -> None:
    st.markdown(
        "A normalizing flow is an invertible G, so its likelihood is exact and GAN and maximum-likelihood "
        "training can be mixed. Grover et al. (Flow-GAN): adversarial training gives good samples but a poor "
        "log-likelihood; MLE the opposite. λ = 0 is a pure GAN (NS-GAN), large λ pure MLE.")
    st.latex(r"\min_G \max_D \; V(G, D) - \lambda\, \mathbb{E}_{x\sim p_{data}} \log p_G(x), \qquad "
             r"\log p_G(x) = \log p_Z\big(f^{-1}(x)\big) + \log\Big|\det \frac{\partial f^{-1}(x)}{\partial x}\Big|")
    mle_weight = st.select_slider("λ (weight of the log-likelihood)", MLE_WEIGHTS, value=0.0, key="lessons_fg_lambda")
    if trained_on_demand("flow", mle_weight, "Train the Flow-GAN"):
        result = flow_gan(mle_weight)
        left, right = st.columns(2)
        left.metric("Held-out log-likelihood (nats / point)", f"{result.test_log_likelihood:.2f}")
        right.metric("Samples within 3σ of a mode", f"{result.high_quality_share:.0%}")
        ui.how_to_read("flow_samples")
        ui.chart(charts.flow_samples_chart(result))
    results = [flow_gan(w) for w in settings_trained("flow")]
    if len(results) > 1:
        ui.how_to_read("flow_tradeoff")
        st.altair_chart(charts.flow_tradeoff_chart(results))  # two fixed-width panels: no stretching


LESSONS = {
    "Stochastic backprop": (("The estimators", stochastic_backpropagation),),
    "Gumbel-softmax": (("Sampling the relaxation", relaxation), ("The Bernoulli GAN", discrete_gan)),
    "Optimal D and JSD": (("The optimal-D lesson", optimal_discriminator),),
    "Flow-GAN": (("The Flow-GAN lesson", flow_gan_lesson),),
}

ui.ensure_entrypoint()
st.title("Lessons from the lecture")
for tab, sections in zip(st.tabs(list(LESSONS)), LESSONS.values()):
    with tab:
        for what, section in sections:
            ui.guarded(section, what)
