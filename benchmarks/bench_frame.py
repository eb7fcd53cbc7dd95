"""Server CPU and bytes of one Playground frame: the Altair path it replaced against today's, in one process.

    python benchmarks/bench_frame.py

Both paths draw the same run at step 1,000 (the default config, D heatmap and densities on, as a visitor
first sees it) and go through Streamlit's own chart call (bare mode: no server, the same marshalling).
"Before" is the charts of commit BEFORE, read from git: a fresh Altair chart per frame, validated and
serialised under Streamlit's process-wide Altair lock. Bytes are the chart messages' spec JSON and Arrow
data; benchmarks/bench_browser.py measures the real websocket. (Streamlit's bare-mode warnings go to stderr.)
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BEFORE = "54e2384"  # the last commit with per-frame Altair charts
FRAME_PERIOD = 0.18  # ganplay.ui.TARGET_FRAME_SECONDS
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30

import streamlit as st  # noqa: E402
import torch  # noqa: E402
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart  # noqa: E402

import ganplay  # noqa: E402
from ganplay import charts, frames  # noqa: E402


def old_modules():
    """ganplay/views.py and charts.py as they were at BEFORE, importable beside today's package."""
    folder = Path(tempfile.mkdtemp()) / "ganplay_before"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name in ("views", "charts"):
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:ganplay/{name}.py"], check=True,
                              capture_output=True, text=True).stdout
        text = text.replace("from .datasets", "from ganplay.datasets").replace("from .metrics", "from ganplay.metrics")
        text = text.replace("from .trainer", "from ganplay.runs").replace("from .views", "from ganplay_before.views")
        (folder / f"{name}.py").write_text(text)
    sys.path.insert(0, str(folder.parent))
    import ganplay_before.charts
    import ganplay_before.views
    return ganplay_before.views, ganplay_before.charts


def old_frame(run, views, old_charts) -> list:
    """The Playground's frame function of BEFORE, drawing through st.altair_chart."""
    snap = run.snapshot()
    extent = views.Extent.around(run.data.x)
    points = views.points_frame(snap, run.data.label_names)
    scatter = old_charts.training_scatter(points, extent, views.critic_frame(run, extent), None, False)
    losses = old_charts.loss_chart(views.loss_frame(snap.history))
    kde = old_charts.kde_chart(views.kde_frame(snap.real, snap.fake, extent), extent)
    for chart in (scatter, losses, kde):
        st.altair_chart(chart)
    return [scatter, losses, kde]


def new_frame(run) -> list:
    """Today's frame function (pages/playground.py), drawing through st.vega_lite_chart."""
    shown = frames.frame_of(run, critic=True, push=False, densities=True)
    drawings = [charts.training_scatter(shown), charts.loss_chart(shown.history), charts.kde_chart(shown)]
    for drawing in drawings:
        st.vega_lite_chart(spec=drawing.to_dict())
    return drawings


def cpu_seconds(draw, rounds: int = ROUNDS) -> float:
    """Median CPU time of this thread for one frame (CPU, not wall clock: other processes share the cores;
    torch runs on this thread alone, as in a session of the app)."""
    draw()  # the first frame builds the cached specs: a view's one-off cost
    times = []
    for _ in range(rounds):
        began = time.thread_time()
        draw()
        times.append(time.thread_time() - began)
    return sorted(times)[len(times) // 2]


def message_bytes(spec: dict) -> int:
    """Bytes of the chart message Streamlit builds for a spec whose datasets are DataFrames."""
    from streamlit import dataframe_util
    proto = VegaLiteChart()
    data = spec.pop("datasets", {})
    for name, frame in data.items():
        dataset = proto.datasets.add()
        dataset.name, dataset.has_name = name, True
        dataset.data.data = dataframe_util.convert_anything_to_arrow_bytes(frame)
    import json
    proto.spec = json.dumps(spec)
    return proto.ByteSize()


def old_bytes(chart) -> int:
    """Streamlit sends an Altair chart's datasets as Arrow and the rest of its spec as JSON."""
    import pandas as pd
    spec = chart.to_dict()
    spec["datasets"] = {name: pd.DataFrame(rows) for name, rows in spec.get("datasets", {}).items()}
    return message_bytes(spec)


def main() -> None:
    torch.set_num_threads(1)
    views, old_charts = old_modules()
    run = ganplay.Trainer(ganplay.RunConfig())
    run.step(1000)
    before, after = cpu_seconds(lambda: old_frame(run, views, old_charts)), cpu_seconds(lambda: new_frame(run))
    data_only = cpu_seconds(lambda: frames.frame_of(run, critic=True, push=False, densities=True))
    bytes_before = sum(map(old_bytes, old_frame(run, views, old_charts)))
    bytes_after = sum(message_bytes(d.to_dict()) for d in new_frame(run))
    print(f"one Playground frame, {ROUNDS} rounds, median CPU time")
    print(f"  before (Altair per frame)      {1e3 * before:7.1f} ms   {before / FRAME_PERIOD:6.1%} of the 0.18 s period")
    print(f"  after  (cached spec + data)    {1e3 * after:7.1f} ms   {after / FRAME_PERIOD:6.1%} of the period"
          f"   ({1e3 * data_only:.1f} ms of it the Frame: snapshot, critic grid, densities)")
    print(f"  ratio before / after           {before / after:7.1f}×   (target: after ≤ 15 % of the period)")
    print("chart messages of one frame (spec JSON + Arrow datasets)")
    print(f"  before {bytes_before / 1024:7.1f} KB   after {bytes_after / 1024:7.1f} KB   "
          f"ratio {bytes_before / bytes_after:5.1f}×   (target: ≤ 40 KB a frame)")


if __name__ == "__main__":
    main()
