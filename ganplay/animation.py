"""The training as an animated GIF: the Playground's main view (D's verdict, real points, G's fakes) every N
steps, drawn by hand with Pillow from the frames a run published (its recording), the step in a corner.

Bounded: at most MAX_FRAMES frames of SIZE × SIZE pixels, at most MAX_BYTES (frames are dropped evenly until it
fits), and at most MAX_SECONDS of drawing (measured on the first frames: the rest are thinned to fit). Drawing
is raster work on at most 1,200 points and a 64 × 64 verdict per frame, no browser. No Streamlit here.
"""
from __future__ import annotations

import io
import math
import time
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .charts import FAKE, PURPLE_GREEN, REAL, VERDICT_OPACITY, colour_map, verdict_range
from .frames import Frame

MAX_FRAMES, SIZE, MAX_BYTES, MAX_SECONDS = 200, 400, 4 * 2 ** 20, 20.0
FRAME_MS = 80  # 12.5 frames a second: 200 frames play in 16 s
LEVELS = 48  # shades of D's verdict (a fixed palette: every frame shares it, so no frame is re-quantised)
DOT = 2  # a point's radius in pixels
# palette indices after the verdict's shades
WHITE, INK, REAL_INDEX, FAKE_INDEX, EDGE = range(LEVELS, LEVELS + 5)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def palette() -> list[int]:
    """The GIF's one palette: D's verdict in LEVELS shades of the Playground's scheme (as the heatmap shows it,
    over white), then white, ink, real, generated and a dot's outline."""
    shades = colour_map(np.linspace(0, 1, LEVELS), PURPLE_GREEN, 0, 1).astype(float)
    shades = 255 * (1 - VERDICT_OPACITY) + VERDICT_OPACITY * shades
    colours = [tuple(row) for row in shades.round().astype(int)]
    colours += [(255, 255, 255), (33, 37, 41), _rgb(REAL), _rgb(FAKE), (255, 255, 255)]
    flat = [c for colour in colours for c in colour]
    return flat + [0] * (768 - len(flat))


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError):  # a Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def draw_frame(frame: Frame, size: int = SIZE, font: ImageFont.ImageFont | None = None) -> Image.Image:
    """One frame as a palette image: D's verdict (2-D data), the real points, the fakes, "step N" top left."""
    extent = frame.extent
    if frame.critic is not None:
        lo, hi = verdict_range(frame)
        levels = np.clip((np.flipud(frame.critic) - lo) / ((hi - lo) or 1.0), 0, 1) * (LEVELS - 1)
        cells = Image.fromarray(levels.round().astype(np.uint8), "P")
        image = cells.resize((size, size), Image.Resampling.NEAREST)
    else:
        image = Image.new("P", (size, size), WHITE)
    image.putpalette(palette())
    pen = ImageDraw.Draw(image)

    def pixels(points: np.ndarray) -> np.ndarray:
        x = (points[:, 0] - extent.xmin) / (extent.xmax - extent.xmin) * (size - 1)
        y = (extent.ymax - points[:, 1]) / (extent.ymax - extent.ymin) * (size - 1)
        return np.stack([x, y], axis=1)

    for points, colour in ((frame.real_2d, REAL_INDEX), (frame.fake_2d, FAKE_INDEX)):
        for x, y in pixels(np.asarray(points)[:, :2]):
            if 0 <= x < size and 0 <= y < size:
                pen.ellipse((x - DOT, y - DOT, x + DOT, y + DOT), fill=colour, outline=EDGE)
    text = f"step {frame.step:,}"
    font = font or _font(size // 20)
    left, top, right, bottom = pen.textbbox((8, 6), text, font=font)
    pen.rectangle((left - 4, top - 3, right + 4, bottom + 3), fill=WHITE)
    pen.text((8, 6), text, fill=INK, font=font)
    return image


def pick(frames: Sequence[Frame], count: int) -> list[Frame]:
    """At most `count` frames, one every N steps (N = the run's steps so far ÷ (count − 1)): the latest frame at
    or before each multiple of N, the first and the last always in."""
    frames = sorted({f.step: f for f in frames}.values(), key=lambda f: f.step)
    if len(frames) <= count:
        return frames
    every = max(1, math.ceil((frames[-1].step - frames[0].step) / max(count - 1, 1)))
    steps = [f.step for f in frames]
    chosen = {0, len(frames) - 1}
    for target in range(frames[0].step, frames[-1].step + 1, every):
        chosen.add(int(np.searchsorted(steps, target, side="right")) - 1)
    return [frames[i] for i in sorted(chosen)][:count - 1] + [frames[-1]]


def training_gif(frames: Sequence[Frame], size: int = SIZE, max_frames: int = MAX_FRAMES,
                 max_bytes: int = MAX_BYTES, max_seconds: float = MAX_SECONDS,
                 clock: Callable[[], float] = time.perf_counter) -> bytes:
    """The frames as a looping GIF within the bounds (see the module's docstring); ValueError if none."""
    if not frames:
        raise ValueError("the run has published no frame yet: press Play first")
    if not 320 <= size <= 480:
        raise ValueError(f"size: {size} px is outside 320..480")
    chosen, font = pick(frames, max_frames), _font(size // 20)
    began = clock()
    images = [draw_frame(frame, size, font) for frame in chosen[:2]]
    each = (clock() - began) / len(images)
    rest = chosen[2:]
    if each * len(chosen) > max_seconds:  # a busy server: fewer frames, evenly, the last one kept
        rest = pick(rest, max(1, int(max_seconds / max(each, 1e-9)) - 2))
    images += [draw_frame(frame, size, font) for frame in rest]
    while True:
        blob = _encode(images)
        if len(blob) <= max_bytes or len(images) <= 2:
            return blob
        images = images[::2] if images[-1] is images[::2][-1] else [*images[::2], images[-1]]


def _encode(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=FRAME_MS, loop=0,
                   optimize=False, disposal=1)
    return buffer.getvalue()
