"""Pins "explain what you see": every chart a page draws has its how-to-read text, every text is drawn, and a
generated point's hover values are the run's own (z, D's value, G's push) in the frame and in the scatter's spec."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ganplay
from ganplay import charts, frames
from ganplay.explanations import EXPLANATIONS, explanation

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ganplay" / "ui").glob("*.py"), ROOT / "app.py"])
# what draws a chart: Streamlit's chart and image calls, ganplay.ui's draw / chart wrappers and pictures' image
CHART_CALLS = {"draw", "chart", "altair_chart", "pydeck_chart", "vega_lite_chart", "image"}
CHART_OWNERS = {"ui", "st"}  # receivers of draw and chart (sliders.draw and the like draw no chart)
CONTAINER_CHARTS = {"altair_chart", "pydeck_chart", "vega_lite_chart", "image"}  # Streamlit's, on any container
# the wrappers themselves, and the live view calling the page's own frame function (named draw on some pages)
WRAPPERS = {("live.py", "chart"), ("live.py", "draw"), ("live.py", "live_view"), ("pictures.py", "image")}


def _called(node: ast.Call) -> tuple[str | None, str | None]:
    """(receiver, name) of a call: ("ui", "draw") for ui.draw(...), (None, "draw") for draw(...)."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return (func.value.id if isinstance(func.value, ast.Name) else "?"), func.attr
    return None, func.id if isinstance(func, ast.Name) else None


def _scopes(tree: ast.Module):
    """The module and each function, with the calls made directly in it (not in nested functions)."""
    def calls(scope):
        found, todo = [], list(ast.iter_child_nodes(scope))
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(node, ast.Call):
                found.append(node)
            todo.extend(ast.iter_child_nodes(node))
        return sorted(found, key=lambda n: (n.lineno, n.col_offset))
    yield "<module>", calls(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, calls(node)


def _chart_sites():
    """Every chart drawn in the UI files as (file, function, line, the how-to-read names since the last chart)."""
    for path in UI_FILES:
        for function, calls in _scopes(ast.parse(path.read_text())):
            if (path.name, function) in WRAPPERS:
                continue
            pending = []
            for call in calls:
                receiver, name = _called(call)
                if name == "how_to_read":
                    pending.append(call.args[0].value if call.args and isinstance(call.args[0], ast.Constant)
                                   else None)
                elif name in CONTAINER_CHARTS or (name in CHART_CALLS and (receiver in CHART_OWNERS or receiver is None)):
                    yield path.name, function, call.lineno, pending
                    pending = []


def _used_names() -> list:
    return [call.args[0].value for path in UI_FILES for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and _called(node)[1] == "how_to_read"
            for call in [node] if call.args and isinstance(call.args[0], ast.Constant)]


def test_every_chart_drawn_has_a_how_to_read_since_the_chart_before_it():
    sites = list(_chart_sites())
    assert len(sites) >= 35  # the pages draw this many charts: a scan that finds fewer has lost its way
    missing = [f"{file}:{line} in {function}" for file, function, line, pending in sites if not pending]
    assert missing == [], "charts without ui.how_to_read(name) before them (in the same function)"


def test_every_how_to_read_names_a_registered_text_and_every_text_is_used():
    used = _used_names()
    unknown = sorted(set(used) - set(EXPLANATIONS))
    assert unknown == [], "how_to_read names without a text in ganplay.explanations"
    assert sorted(set(EXPLANATIONS) - set(used)) == [], "texts no chart shows"
    with pytest.raises(KeyError, match="'nowhere'.*ganplay.explanations"):
        explanation("nowhere")


@pytest.mark.parametrize("name", sorted(EXPLANATIONS))
def test_each_text_is_two_to_five_plain_sentences(name):
    text = EXPLANATIONS[name]
    sentences = len(re.findall(r"[.!?](?:\s|$)", text))
    assert 2 <= sentences <= 5 and len(text) <= 650, (name, sentences, len(text))
    assert "<" not in text and "](" not in text  # Markdown of ours: no HTML, no links


def test_the_playground_shows_how_to_read_its_charts():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    opened = [p.markdown[0].value for p in at.get("popover") if p.proto.popover.label == "How to read this"]
    assert opened == [EXPLANATIONS[name] for name in ("scatter", "losses", "densities")]  # each beside its chart


# --- hover ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["nsgan", "wgan-gp", "mmd"])
def run(request):
    trained = ganplay.Trainer(ganplay.RunConfig(dataset="ring8", variant=request.param, steps=60, seed=1))
    trained.step(20)
    return trained


def test_the_frame_holds_each_fakes_z_critic_value_and_push(run):
    shown = frames.frame_of(run, push=True)
    hover = shown.hover
    np.testing.assert_array_equal(hover.z, run.game.fixed_z[0].numpy())
    np.testing.assert_array_equal(run.sample(z=hover.z), shown.fake)  # the fakes are G at these z
    np.testing.assert_array_equal(hover.critic, run.critic(shown.fake))
    np.testing.assert_array_equal(hover.push, run.generator_push(shown.fake))
    assert hover.judge == {"nsgan": "D's logit", "wgan-gp": "critic value", "mmd": "MMD witness"}[run.config.variant]
    # the arrows are the first fakes' pushes, from the same values
    step = shown.push[:, 2:] - shown.push[:, :2]
    first = hover.push[:frames.PUSH_ARROWS]
    np.testing.assert_allclose(step / np.linalg.norm(step, axis=1, keepdims=True),
                               first / np.linalg.norm(first, axis=1, keepdims=True), atol=1e-5)


def test_the_scatter_puts_the_hover_fields_on_the_generated_layer(run):
    drawing = charts.training_scatter(frames.frame_of(run, push=True))
    generated = drawing.datasets["generated"]
    hover = frames.frame_of(run).hover
    np.testing.assert_allclose(generated["z_1"].to_numpy(), hover.z[:, 0], rtol=1e-3, atol=1e-3)  # float16
    np.testing.assert_allclose(generated["critic"].to_numpy(), hover.critic, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(generated["push_2"].to_numpy(), hover.push[:, 1], rtol=1e-3, atol=1e-4)
    layer = next(l for l in drawing.spec["layer"] if "layer" in l)["layer"]
    fake = next(l for l in layer if l["data"]["name"] == "generated")
    real = next(l for l in layer if l["data"]["name"] == "real")
    titles = [t.get("title", t["field"]) for t in fake["encoding"]["tooltip"]]
    assert titles[:3] == ["source", "z (its latent point)", hover.judge]
    assert titles[-2:] == ["push G receives", "length of the push"]
    assert ("D(x) = σ(logit)" in titles) == (hover.judge == "D's logit")
    assert [t["field"] for t in real["encoding"]["tooltip"]] == ["source", "x", "y"]  # real points have no z
    formats = {t["field"]: t.get("format") for t in fake["encoding"]["tooltip"]}
    assert formats["critic"] == ".3f" and formats["push_length"] == ".3g"


def test_wide_data_and_wide_z_send_a_few_coordinates_and_the_push_length():
    data = ganplay.from_array(np.random.default_rng(0).normal(size=(300, 5)).astype(np.float32))
    wide = ganplay.Trainer(ganplay.RunConfig(dataset="csv", z_dim=7, steps=10), data=data)
    shown = frames.frame_of(wide, lambda x: x[:, :2])
    assert shown.hover.push.shape == (600, 5) and shown.hover.z.shape == (600, 7)
    generated = charts.training_scatter(shown).datasets["generated"]
    assert generated.column_names == ["x", "y", "z_1", "z_2", "z_3", "z_4", "critic", "push_length"]
    np.testing.assert_allclose(generated["push_length"].to_numpy(), np.linalg.norm(shown.hover.push, axis=1),
                               rtol=1e-3, atol=1e-5)
    spec = str(charts.training_scatter(shown).spec)
    assert "… (7 in all)" in spec


def test_pictures_have_no_hover_values():
    digits = ganplay.Trainer(ganplay.RunConfig(dataset="digits", steps=10))
    assert frames.frame_of(digits).hover is None
