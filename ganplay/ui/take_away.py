"""Taking a run away: its samples, its generator, its data as trained, and the script that redoes it."""
from __future__ import annotations

import streamlit as st

from .. import Trainer, animation, checkpoint, export, pictures
from ..picture_charts import sheet_png
from . import caches

SHEET = 100  # generated images on the PNG sheet: ten rows of ten
PICTURE_LINES = ("from ganplay.picture_charts import sheet_png\n"
                 f"sheet = sheet_png(samples[:{SHEET}], run.data)  # the app's PNG sheet, as bytes\n"
                 'open("ganplay_digits.png", "wb").write(sheet)\n')


def take_away_section(run: Trainer) -> None:
    """Downloads of the run as it stands, and the script that redoes it; only while paused."""
    box = st.expander("Take it away: samples, generator, Python", icon=":material/download:",
                      key="take_away_open", on_change="rerun")
    if not box.open:
        return
    if st.session_state.get("playing"):
        box.caption("Pause the run to download it: the files hold the run as it stands.")
        return
    columns = box.columns(4)
    # the files are made on click (data as a callable), not on every rerun of the page
    columns[0].download_button(f"Samples ({export.SAMPLES:,} points, CSV)", lambda: export.samples_csv(run),
                               "ganplay_samples.csv", "text/csv", on_click="ignore", icon=":material/scatter_plot:")
    columns[1].download_button("Generator (PyTorch)", lambda: export.generator_file(run), "ganplay_generator.pt",
                               on_click="ignore", icon=":material/neurology:",
                               help="torch.load(path, weights_only=True): the state_dict and the config as JSON; "
                                    "ganplay.export.load_generator(path) gives a run that samples the same points.")
    columns[2].download_button("Run (continue later, .pt)", lambda: _run_file(run), "ganplay_run.pt",
                               on_click="ignore", icon=":material/save:",
                               help="G, D, their optimisers, the settings, the step and the random streams: upload it "
                                    "under “Continue a saved run” to train on exactly where it was (or to walk its "
                                    "latent space). Read with torch.load(path, weights_only=True).")
    if not run.data.is_image:
        columns[3].download_button("Training as a GIF", lambda: _training_gif(run), "ganplay_training.gif",
                                   "image/gif", on_click="ignore", icon=":material/animated_images:",
                                   help=f"The main view every few steps, from the frames this run published: at most "
                                        f"{animation.MAX_FRAMES} frames of {animation.SIZE} px, "
                                        f"{animation.MAX_BYTES // 2 ** 20} MB, {animation.MAX_SECONDS:g} s to draw.")
    if run.data.is_image:
        _picture_downloads(box, run)
    if run.config.dataset == "csv":
        box.download_button("Your data as trained (CSV)", lambda: export.data_csv(run.data), export.DATA_FILE,
                                   "text/csv", on_click="ignore", icon=":material/table:")
    box.markdown("**Copy as Python**: this script redoes the run in a notebook and draws the same samples.")
    box.code(export.python_snippet(run) + (PICTURE_LINES if run.data.is_image else ""), language="python")
    box.caption("To keep a picture: hover a chart and use the download button of its toolbar.")


def _picture_downloads(box, run: Trainer) -> None:
    """Generated images as one PNG sheet and as .npy rows (np.load gives (n, pixels) float32 in data units)."""
    columns = box.columns(2)
    columns[0].download_button(f"Digits sheet ({SHEET} images, PNG)",
                               lambda: sheet_png(run.sample(export.SAMPLES)[:SHEET], run.data),  # the snippet's samples[:SHEET]
                               "ganplay_digits.png", "image/png", on_click="ignore", icon=":material/image:")
    columns[1].download_button(f"Digits as rows ({export.SAMPLES:,} × {run.data.dim}, .npy)",
                               lambda: pictures.npy_bytes(run.sample(export.SAMPLES)), "ganplay_digits.npy",
                               on_click="ignore", icon=":material/grid_on:",
                               help="np.load(path): float32 rows of pixels in ink units, row-major "
                                    f"{run.data.image_shape[0]}×{run.data.image_shape[1]}")


def _run_file(run) -> bytes:
    """The run file of the visitor's run at the step the page shows, copied while nobody steps it. The run on the
    loop may stand ahead (another viewer trained it on, or a chunk ended after the last frame): then the config
    is replayed to that step, which training's determinism makes the same run."""
    with run.holding() as trainer:
        if trainer.step_count == run.step_count:
            return checkpoint.save_run(trainer)
    return checkpoint.save_run(Trainer(run.config, run.data).step(run.step_count))


def _training_gif(run) -> bytes:
    """The GIF of what the run published so far (its recording on the loop: the first, kept and latest frames)."""
    recorded = caches.live_loop().recording(run.config, key=run.viewer.key) or (run.frame,)  # evicted: the frame shown
    return animation.training_gif([frame.value for frame in recorded])
