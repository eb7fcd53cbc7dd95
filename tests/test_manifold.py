"""The 3-D datasets, their surfaces and manifold_distance; the 3-D view's data (mesh, tears, track) and its Deck;
the Playground on 3-D data under AppTest."""
import json
import math
import weakref
from pathlib import Path

import numpy as np
import pydeck as pdk
import pytest
from streamlit.testing.v1 import AppTest

from ganplay import DATASETS, RunConfig, Trainer, frames, from_array, load_dataset, manifold, userdata
from ganplay import manifold_charts as charts
from ganplay.latent import manifold_grid
from ganplay.surfaces import S_CURVE, SPHERE, SWISS_ROLL, manifold_distance

SURFACES = {"swissroll3d": SWISS_ROLL, "scurve": S_CURVE, "sphere": SPHERE}
FLOAT32 = 1e-6  # the datasets are float32: a point on the surface moves by ~1e-7 of its size when rounded
TINY = RunConfig(steps=50, n=300, g_width=16, d_width=16, batch_size=64)


@pytest.mark.parametrize("name", SURFACES)
def test_3d_datasets_are_drawn_from_their_stated_surface(name):
    spec, data = DATASETS[name], load_dataset(name, n=1000, noise=0.0)
    assert spec.surface is SURFACES[name] and data.x.shape == (1000, 3) and data.columns == ("x1", "x2", "x3")
    assert spec.surface.error < 1e-4
    assert 0.0 <= manifold_distance(data.x, spec.surface) <= spec.surface.distance(data.x).max() <= (
        spec.surface.error + FLOAT32)


@pytest.mark.parametrize("name", SURFACES)
def test_noisy_data_lies_off_its_surface_by_the_noise_normal_component(name):
    # Gaussian noise of std s off a surface: the distance is about |N(0, s²)| along the normal, mean s·√(2/π)
    data = load_dataset(name, n=4000, noise=0.05)
    assert manifold_distance(data.x, DATASETS[name].surface) == pytest.approx(0.05 * math.sqrt(2 / math.pi), rel=0.05)


def test_sphere_distance_is_exact_at_known_points():
    points = np.array([[2.5, 0.0, 0.0], [0.0, -1.2, 0.0], [0.0, 0.0, 0.0], [1.2, 1.6, 0.0]])
    np.testing.assert_array_equal(SPHERE.distance(points), [0.5, 0.8, 2.0, 0.0])
    assert manifold_distance(points, SPHERE) == pytest.approx((0.5 + 0.8 + 2.0) / 4)


def _off_curve(surface, t: float, d: float, h: float) -> np.ndarray:
    """The surface point at (t, h) (data units) moved by d along the curve's normal."""
    eps = 1e-6
    c, c2 = surface.curve(np.array([t, t + eps])) / surface.scale
    tangent = (c2 - c) / np.linalg.norm(c2 - c)
    normal = np.array([-tangent[1], tangent[0]])
    return np.array([c[0] + d * normal[0], h, c[1] + d * normal[1]])


@pytest.mark.parametrize("surface, ts", [(SWISS_ROLL, (2 * np.pi, 3 * np.pi, 3.7 * np.pi)),
                                         (S_CURVE, (-np.pi / 2, np.pi / 2, np.pi))])
@pytest.mark.parametrize("d", [-0.3, 0.0, 0.2])
def test_sampled_cylinder_distance_is_within_its_stated_error_of_the_true_one(surface, ts, d):
    # d well inside the curvature radius and the gap between layers: the foot of the normal is the nearest point
    height = surface.height / surface.scale
    points = np.array([_off_curve(surface, t, d, height / 3) for t in ts])
    got = surface.distance(points)
    assert np.all(got >= abs(d) - 1e-9) and np.all(got <= abs(d) + surface.error + 1e-9)
    above = _off_curve(surface, ts[0], 0.0, height + 0.4)[None]  # straight above the top edge
    assert surface.distance(above)[0] == pytest.approx(0.4, abs=surface.error + 1e-9)


def test_distance_refuses_points_that_are_not_3d():
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        SPHERE.distance(np.zeros((4, 2)))


# --- the 3-D view's data ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def roll_run():
    return Trainer(TINY.replace(dataset="swissroll3d")).step(20)


def _view(run):
    return manifold.with_manifold(frames.frame_of(run), run)


def test_mesh_is_g_along_the_latent_grid_lines_and_torn_where_g_leaves_the_surface(roll_run):
    view = _view(roll_run).manifold
    fine = manifold_grid(2, 41, manifold.MESH_SPAN["normal"])  # the 21 grid lines and the midpoints between nodes
    g = roll_run.sample(z=fine.reshape(-1, 2)).reshape(41, 41, 3)
    assert view.lines.shape == (2, 21, 41, 3) and view.torn.shape == (2, 21, 20)
    np.testing.assert_array_equal(view.lines[0], g[::2])  # z₂ fixed per line, z₁ varies along it
    np.testing.assert_array_equal(view.lines[1], g[:, ::2].transpose(1, 0, 2))
    off = SWISS_ROLL.distance(view.lines[:, :, 1::2].reshape(-1, 3)).reshape(2, 21, 20) > view.tear_distance
    np.testing.assert_array_equal(view.torn, off)
    assert view.tear_distance == pytest.approx(manifold.TEAR_SHARE * manifold.spread(roll_run.data.x))
    assert view.distance == manifold_distance(roll_run.snapshot().fake, SWISS_ROLL)
    assert view.error == SWISS_ROLL.error


def test_track_holds_one_point_per_published_step():
    run = Trainer(TINY.replace(dataset="sphere"))
    distances = []
    for _ in range(3):
        view = _view(run).manifold
        distances.append(view.distance)
        run.step(5)
    np.testing.assert_array_equal(view.track, [[0, distances[0]], [5, distances[1]], [10, distances[2]]])


def test_track_is_thinned_evenly_keeping_first_and_latest():
    class Key:  # anything weakly referable stands for a run
        pass
    key = Key()
    for step in range(2 * manifold.MAX_TRACK_POINTS + 1):
        track = manifold.tracked(key, step, float(step))
    assert len(track) == manifold.MAX_TRACK_POINTS + 1 and track[0, 0] == 0 and track[-1, 0] == 600
    assert set(np.diff(track[:, 0])) == {2.0}
    assert manifold.tracked(key, 3, 3.0)[-1].tolist() == [3.0, 3.0]  # a rewound run drops the steps past it
    ref = weakref.ref(key)
    del key
    assert ref() is None  # the track does not keep its run alive


def test_2d_data_gets_no_3d_view_and_own_3d_data_gets_a_mesh_without_a_metric():
    flat = Trainer(TINY)
    assert _view(flat).manifold is None
    own = from_array(load_dataset("sphere", n=300).x)
    view = _view(Trainer(TINY.replace(dataset="csv"), data=own)).manifold
    assert view.lines.shape == (2, 21, 41, 3) and view.distance is None and view.torn is None


def test_one_latent_axis_gives_one_line_and_a_conditional_run_none():
    line = _view(Trainer(TINY.replace(dataset="scurve", z_dim=1))).manifold
    assert line.lines.shape == (1, 1, 41, 3) and line.torn.shape == (1, 1, 20)
    own = from_array(load_dataset("sphere", n=300).x, y=np.arange(300) % 2)
    assert _view(Trainer(TINY.replace(dataset="csv", conditional=True), data=own)).manifold.lines is None


# --- the Deck ------------------------------------------------------------------------------------------

def _layers(deck) -> dict:
    return {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}


def test_lines_split_into_whole_and_torn_stretches_sharing_their_end_points():
    assert charts.runs(np.array([False, False, True, True, False])) == [(False, 0, 2), (True, 2, 4), (False, 4, 5)]
    line = np.arange(11 * 3, dtype=float).reshape(1, 1, 11, 3)  # five segments through eleven points
    torn = np.array([False, True, True, False, False]).reshape(1, 1, 5)
    whole, tears = charts.split_lines(line, torn)
    assert [p[:, 0].tolist() for p in whole[0]] == [[0, 3, 6], [18, 21, 24, 27, 30]]
    assert [p[:, 0].tolist() for p in tears] == [[6, 9, 12, 15, 18]]
    assert [p.shape for p in charts.split_lines(line, None)[0][0]] == [(11, 3)]


def test_deck_draws_points_mesh_and_tears_in_an_orbit_view_without_a_map(roll_run):
    shown = _view(roll_run)
    deck = charts.deck(shown, charts.Box.around(roll_run.data.x))
    spec = json.loads(deck.to_json())
    assert spec["views"] == [{"@@type": "OrbitView", "controller": True, "orbitAxis": "Y"}] and "mapStyle" not in spec
    layers = _layers(deck)
    assert len(layers["real"]["data"]) == len(shown.real) and len(layers["generated"]["data"]) == len(shown.fake)
    assert layers["generated"]["data"][0] == np.round(shown.fake[0].astype(np.float64), charts.DECIMALS).tolist()
    assert layers["real"]["getPosition"] == "@@=-" and layers["real"]["sizeUnits"] == "pixels"
    view = shown.manifold
    segments = {name: sum(len(path) - 1 for path in layers[name]["data"]) // 2 if name in layers else 0
                for name in ("z1 varies", "z2 varies", "tears")}
    assert segments["tears"] == view.torn.sum()  # every segment drawn once, torn or whole
    assert segments["z1 varies"] == (~view.torn[0]).sum() and segments["z2 varies"] == (~view.torn[1]).sum()
    assert list(_layers(charts.deck(shown, charts.Box.around(roll_run.data.x), mesh=False))) == ["real", "generated"]


def test_compact_deck_serialises_as_pydeck_does_without_the_indentation(roll_run):
    # CompactDeck reuses pydeck.bindings.json_tools.default_serialize: if pydeck changes it, this names the break
    deck = charts.deck(_view(roll_run), charts.Box.around(roll_run.data.x))
    compact, indented = deck.to_json(), pdk.Deck.to_json(deck)
    assert json.loads(compact) == json.loads(indented) and "\n" not in compact and len(compact) < len(indented) / 2


def test_deck_camera_stays_put_between_frames_so_a_rotation_survives(roll_run):
    box = charts.Box.around(roll_run.data.x)
    before = json.loads(charts.deck(_view(roll_run), box).to_json())
    after = json.loads(charts.deck(_view(Trainer(TINY.replace(dataset="swissroll3d")).step(40)), box).to_json())
    assert before["initialViewState"] == after["initialViewState"] and before["views"] == after["views"]
    assert before["initialViewState"]["target"] == box.centre


def test_distance_chart_carries_the_track_and_the_datas_own_distance(roll_run):
    view = _view(roll_run).manifold
    drawing = charts.distance_chart(view)
    assert drawing.datasets["track"].column("step").to_pylist() == view.track[:, 0].astype(int).tolist()
    assert drawing.datasets["data"].column("distance").to_pylist() == [pytest.approx(view.data_distance)]


# --- the Playground ---------------------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_playground_on_3d_data_shows_the_3d_view_and_the_distance_without_errors():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.session_state["run_config"] = TINY.replace(dataset="swissroll3d")
    at.switch_page("pages/playground.py").run()
    at.button(key="playground_step").click().run()
    assert not at.exception and not at.error
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    # st.pydeck_chart sends Deck.to_json(): if it stops doing so, the compact JSON (manifold_charts.CompactDeck) is lost
    assert "\n" not in decks[0].proto.json
    layers = {layer["id"]: len(layer["data"]) for layer in json.loads(decks[0].proto.json)["layers"]}
    assert layers["real"] == TINY.n and sum(layers.get(name, 0) for name in ("z1 varies", "z2 varies", "tears")) >= 42
    assert [m.label for m in at.metric] == ["Mean distance to the true surface"] and float(at.metric[0].value) > 0
    assert len(at.get("vega_lite_chart")) == 4  # the distance track, the projected scatter, losses, densities
    # the 2-D views draw through a projection of this dataset, not one cached for another 3-D dataset
    at.sidebar.selectbox(key="cfg_dataset").set_value("sphere").run()
    assert at.selectbox(key="projection").options[0] == userdata.projections(load_dataset("sphere", n=TINY.n))[0].title
