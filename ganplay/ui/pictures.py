"""The pages' picture views, for image data (`run.data.is_image`): grids of digits instead of point clouds.

Each grid is one PNG (ganplay.picture_charts builds it), shown with st.image. The digit classifier of
ganplay.digit_modes is fitted once per process, in the background, as soon as a page shows digits.
"""
from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from .. import Trainer, charts, digit_collapse, digit_modes
from .. import collapse_charts
from .. import picture_charts as pictures
from ..variants import VARIANTS
from .explain import how_to_read
from .live import draw

REPORT_EVERY = 250  # the live view re-counts the digits every this many steps (2,500 images: ~0.15 s)
_fitting: list[threading.Thread] = []  # the one thread that fits the digit classifier, once per process
_fitting_lock = threading.Lock()


def warm_classifier() -> threading.Thread:
    """Fit the digit classifier in a background thread, once per process (seconds under load), so that a page
    showing digits does not wait for it; every later call returns the same thread."""
    with _fitting_lock:
        if not _fitting:
            _fitting.append(threading.Thread(target=digit_modes.classifier, name="digit-classifier", daemon=True))
            _fitting[0].start()
    return _fitting[0]


def classifier_ready() -> bool:
    return not warm_classifier().is_alive()


def fitted_classifier() -> digit_modes.DigitClassifier:
    """The digit classifier, waiting for the background fit rather than fitting it a second time."""
    warm_classifier().join()
    return digit_modes.classifier()


def counts_digits(run: Trainer) -> bool:
    return run.config.dataset == "digits"  # the classifier knows 8×8 handwritten digits only


def image(grid: np.ndarray, caption: str | None = None) -> None:
    st.image(grid, caption=caption, output_format="PNG")  # PNG: lossless, the upscaled pixels stay sharp


def _live_report(run: Trainer) -> tuple[digit_modes.DigitReport, int]:
    """The run's digit report, re-counted every REPORT_EVERY steps (kept in session state as picture_report)."""
    bucket = (id(run), run.config, run.step_count // REPORT_EVERY, run.finished)
    kept = st.session_state.get("picture_report")
    if kept is None or kept[0] != bucket:
        kept = (bucket, digit_modes.run_report(run), run.step_count)
        st.session_state.picture_report = kept
    return kept[1], kept[2]


def report_line(report: digit_modes.DigitReport, step: int) -> str:
    covered = ", ".join(map(str, report.covered_digits)) or "none"
    return (f"**Digits covered: {report.covered} of 10** ({covered}) · **confident share "
            f"{report.confident_share:.1%}** · KL to uniform {report.kl_to_uniform:.2f} nats "
            f"(a classifier's reading of {report.samples:,} samples at step {step:,})")


def picture_view(run: Trainer, verdict: bool = True) -> None:
    """The Playground's frame for image data: generated digits (each cell keeps its z) framed by D's
    verdict, real digits beside them, the classifier's count, and the losses."""
    shown = pictures.picture_frame(run, verdict=verdict)
    fakes, reals, losses = st.columns(3)
    with fakes:
        how_to_read("digit_fakes", "Generated: G at 64 fixed latent points")
        image(shown.fake)
    with reals:
        how_to_read("digit_reals", "Real digits")
        image(shown.real)
    with losses:
        how_to_read("losses", "Losses")
        draw(charts.loss_chart(shown.history))
    if verdict:
        judged = ("rescaled over these 64 images (a critic's value, Wasserstein or MMD witness, has no fixed scale)"
                  if run.settings.variant_spec.raw_critic else "σ(D's logit)")
        packed = (f" With PacGAN m = {run.config.pack}, D judges m images at once: each here is judged packed "
                  "with copies of itself." if run.config.pack > 1 else "")
        st.caption(f"Frames: D's verdict per generated image, {judged}: green \"real\", orange \"fake\".{packed}")
    if counts_digits(run):
        if classifier_ready():
            st.markdown(report_line(*_live_report(run)))
        else:
            st.caption("Counting digits: the digit classifier is being fitted (once per server, a few seconds)…")


def latent_images(run: Trainer, z: np.ndarray, label: int | None, columns: int, caption: str,
                  scale: int = pictures.SCALE) -> None:
    """G at the latent points z, as one grid image, `columns` to a row (latent walk views)."""
    how_to_read("latent_pictures")
    image(pictures.images_at(run, z, label, columns, scale))
    st.caption(caption)


def latent_walk_pictures(run: Trainer, mode: str, z: np.ndarray, label: int | None, path: np.ndarray | None = None,
                         plane: np.ndarray | None = None, sweep: np.ndarray | None = None) -> None:
    """The latent walk's views as pictures: one image, a path as a row, one row per swept axis, the plane."""
    if mode == "Point":
        latent_images(run, z, label, 1, "G(z) for the sliders' z: move a slider and the digit changes; the "
                      "generator does not.", scale=pictures.SCALE * 3)
    elif mode == "Path":
        latent_images(run, path, label, min(len(path), 10), "From G(z₀) (top left) to G(z₁) (bottom right), "
                      "row by row: the GAN paper's latent walk. Below: ‖z(t)‖ along both interpolations.",
                      scale=pictures.SCALE + 2)
    elif mode == "Sweep":
        latent_images(run, sweep.reshape(-1, run.config.z_dim), label, sweep.shape[1],
                      "One row per latent axis zₖ (top: z₁), swept from −span to +span with the others at the "
                      "sliders' values: what each direction of z draws.")
    else:
        latent_images(run, plane[::-1].reshape(-1, run.config.z_dim), label, plane.shape[1],
                      "The latent plane: G at a square grid of z, the first axis across, the second upwards. "
                      "Neighbouring digits morph into each other; where a digit changes class, G jumps.")


def conditional_pictures(run: Trainer, chosen: list[int], names: list[str]) -> None:
    """A grid of each chosen label's samples, a row (or rows) per label."""
    per_label = 10 * max(1, 6 // len(chosen))
    how_to_read("conditional_pictures")
    image(pictures.labelled_images(run, chosen, per_label))
    st.caption(f"G(z | y) for y = {', '.join(names[k] for k in chosen)}: {per_label} samples each, "
               "a new row per label.")
    if counts_digits(run):
        fitted_classifier()
        hits = [digit_modes.label_accuracy(run.sample(100, labels=k), k) for k in chosen]
        st.caption("The digit classifier reads them as asked: " + ", ".join(f"{names[k]} {h:.0%}"
                                                                          for k, h in zip(chosen, hits)))


def same_z_pictures(run: Trainer, z: np.ndarray, names: list[str]) -> None:
    how_to_read("same_z_pictures")
    image(pictures.same_z_images(run, z))
    st.caption(f"One z under every label, {names[0]} to {names[-1]}: the same style (slant, thickness) drawn as "
               "each class (Mirza & Osindero's demonstration). Moving z changes the style; y, the class.")


@st.cache_data(max_entries=8, show_spinner=False)
def _digit_track(variants: tuple[str, ...], steps: int, seed: int) -> tuple[digit_collapse.DigitMeasure, ...]:
    text = f"Training {len(variants)} variants on the digits side by side, counting digits as they learn…"
    bar = st.progress(0.0, text=text)
    track = digit_collapse.digit_track(digit_collapse.digit_configs(variants, steps, seed),
                                       progress=lambda f: bar.progress(f, text=text))
    bar.empty()
    return track


def digit_collapse_section(variants: list[str], steps: int, seed: int) -> None:
    """Mode collapse on the digits: the classifier's counts over training, per variant side by side."""
    st.subheader("On pictures: handwritten digits")
    st.markdown(
        "The stacked-MNIST experiments of the unrolled-GAN, VEEGAN and PacGAN papers count modes with a classifier: "
        "here one fitted on `load_digits` reads "
        f"{digit_modes.SAMPLES:,} generated digits. A digit is **covered** with at least "
        f"{digit_modes.MIN_SHARE:.0%} of them confidently in its class (top probability ≥ "
        f"{digit_modes.CONFIDENT:.0%}); the **confident share** is their quality; **KL to uniform** of the "
        "confident classes is 0 for an even spread, log 10 ≈ 2.30 for one digit. Each variant trains with the "
        "digits recipe (z 16, widths 256, PacGAN m = 2) and its own paper's optimiser.")
    settings = (tuple(variants), steps, seed)
    requested = st.session_state.setdefault("collapse_digit_runs", set())
    st.button(f"Train on the digits ({steps:,} steps)", key="collapse_digits", icon=":material/draw:",
              on_click=requested.add, args=(settings,))
    if settings not in requested:
        st.info(f"Press **Train on the digits** to train {len(variants)} variant(s) for {steps:,} steps on the "
                "8×8 digits and count their digits ten times along the way: this takes a while.")
        return
    fitted_classifier()  # (the background fit, not a second one inside the cached training)
    track = digit_collapse.track_frame(_digit_track(*settings))
    colours = collapse_charts.variant_colours([VARIANTS[v] for v in variants])
    how_to_read("digit_track")
    st.altair_chart(pictures.digit_track_chart(track, colours), width="content")
    st.caption("Mode collapse shows as few digits covered while the confident share is high; a KL near 2.3 means "
               "most confident samples are one digit. The classifier's accuracy on held-out real digits: "
               f"{fitted_classifier().accuracy:.1%}.")
