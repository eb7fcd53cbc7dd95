"""Run files (ganplay/checkpoint.py): a saved and reloaded run continues exactly as one that never stopped, and
every file that is not a run of these settings is refused with a message, building nothing."""
import io
import zipfile

import numpy as np
import pytest
import torch

import ganplay
from ganplay import checkpoint, export
from ganplay.runs import restack
from ganplay.userdata import OwnData

SMALL = dict(batch_size=64, steps=90)


def _same(a, b) -> None:
    """Bit-identical: samples, fakes at the fixed latents, history and status."""
    assert torch.equal(torch.from_numpy(a.sample(400)), torch.from_numpy(b.sample(400)))
    assert torch.equal(torch.from_numpy(a.snapshot().fake), torch.from_numpy(b.snapshot().fake))
    assert a.history.equals(b.history) and (a.status, a.diverged_at) == (b.status, b.diverged_at)


def _continued(cfg, at: int, engine: str = "auto", data=None):
    """(a run that never stopped, the same run saved at step `at`, loaded and continued), both at the end."""
    never = ganplay.Trainer(cfg, data, engine).step(cfg.steps)
    saved = checkpoint.save_run(ganplay.Trainer(cfg, data, engine).step(at))
    return never, checkpoint.load_run(saved).step(cfg.steps)


@pytest.mark.parametrize("settings", [
    dict(), dict(variant="wgan-gp"), dict(variant="wgan", optimizer="rmsprop"), dict(optimizer="sgd", lr_g=1e-3),
    dict(dataset="blobs", conditional=True, spectral_norm=True), dict(variant="unrolled", unroll=2, steps=20),
    dict(variant="mmd", steps=30), dict(variant="lsgan", r1_weight=1.0, pack=2)])
def test_a_saved_run_continues_to_the_samples_of_one_that_never_stopped(settings):
    cfg = ganplay.RunConfig(**{**SMALL, **settings})
    never, loaded = _continued(cfg, at=cfg.steps // 3 + 1)  # mid-way through a draw-ahead buffer
    _same(never, loaded)


@pytest.mark.parametrize("at", [3, 8, 12])  # before the changes, between them, after both
def test_a_run_changed_mid_run_saved_and_loaded_goes_on_under_its_schedule(at):
    cfg = ganplay.RunConfig(**{**SMALL, "steps": 16}).replace(
        schedule=((5, "lr_d", 1e-4), (10, "variant", "lsgan"), (10, "d_steps", 2)))
    never, loaded = _continued(cfg, at=at)
    assert loaded.config.schedule == cfg.schedule
    _same(never, loaded)


@pytest.mark.parametrize("settings", [dict(), dict(variant="wgan-gp", dataset="blobs", conditional=True,
                                                   spectral_norm=True)])
def test_a_saved_run_continues_exactly_on_the_autograd_engine(settings):
    cfg = ganplay.RunConfig(**{**SMALL, "batch_size": 32, "steps": 5, "d_steps": 2, **settings})
    never, loaded = _continued(cfg, at=2, engine="autograd")
    assert type(loaded.game.engine).__name__ == "AutogradEngine"
    _same(never, loaded)


def test_a_run_saved_before_its_first_step_and_after_its_last_continue_alike():
    cfg = ganplay.RunConfig(**SMALL)
    for at in (0, cfg.steps):
        never, loaded = _continued(cfg, at)
        _same(never, loaded)
    assert loaded.status == "done"


def test_a_run_saved_from_a_stack_continues_as_it_would_alone():
    cfg = ganplay.RunConfig(**SMALL)
    a, b = ganplay.Trainer(cfg), ganplay.Trainer(cfg.replace(seed=1, variant="lsgan"))
    restack([a, b])
    a.step(40)
    loaded = checkpoint.load_run(checkpoint.save_run(b)).step(cfg.steps)
    _same(ganplay.train(cfg.replace(seed=1, variant="lsgan")), loaded)


def test_a_diverged_run_stays_diverged_where_it_stopped():
    cfg = ganplay.RunConfig(variant="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0, steps=200)
    never = ganplay.train(cfg)
    assert never.status == "diverged"
    loaded = checkpoint.load_run(checkpoint.save_run(never)).step(cfg.steps)
    _same(never, loaded)


def test_own_data_travels_in_the_file_and_other_data_is_refused():
    rng = np.random.default_rng(3)
    data = ganplay.from_array(rng.normal(size=(300, 3)), y=rng.integers(0, 3, 300), columns=("a", "b", "c"),
                              label_names=("p", "q", "r"))
    cfg = ganplay.RunConfig(dataset="csv", data_id=OwnData(data, "test").data_id, conditional=True, **SMALL)
    never, loaded = _continued(cfg, at=31, data=data)  # loaded without data: the file brings it
    _same(never, loaded)
    assert loaded.data.columns == ("a", "b", "c") and loaded.data.label_names == ("p", "q", "r")
    other = ganplay.from_array(rng.normal(size=(300, 3)), y=rng.integers(0, 3, 300))
    with pytest.raises(ValueError, match="other data"):
        checkpoint.load_run(checkpoint.save_run(never), data=other)


def test_describe_says_what_was_loaded():
    run = checkpoint.load_run(checkpoint.save_run(ganplay.Trainer(ganplay.RunConfig(variant="wgan-gp", **SMALL)).step(12)))
    assert checkpoint.describe(run) == "a wgan-gp run at step 12 of 90 on ring8"


def test_the_largest_settings_save_within_the_bound():
    run = ganplay.Trainer(checkpoint.LARGEST_RUN).step(1)  # after a step: its draw-ahead buffers are full
    size = len(checkpoint.save_run(run))
    assert 60 * 2 ** 20 < size <= checkpoint.MAX_FILE_BYTES


# --- hostile files: a corpus made here ------------------------------------------------------------

PICKLE_CALLS: list = []


def _called(*args):
    PICKLE_CALLS.append(args)


class _Payload:
    def __reduce__(self):  # a pickle that calls a function when it is loaded without weights_only
        return _called, ("a pickled object ran",)


def _saved(entries) -> bytes:
    buffer = io.BytesIO()
    torch.save(entries, buffer)
    return buffer.getvalue()


def _good() -> bytes:
    return checkpoint.save_run(ganplay.Trainer(ganplay.RunConfig(**SMALL)).step(5))


def _edited(**changes) -> bytes:
    state = torch.load(io.BytesIO(_good()), weights_only=True)
    for key, value in changes.items():
        state[key.replace("__", ".")] = value
    return _saved(state)


def _rezipped(blob: bytes, rename=None, compress=zipfile.ZIP_STORED, extra=None) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(blob)), io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compress) as target:
        for info in source.infolist():
            target.writestr(rename(info.filename) if rename else info.filename, source.read(info))
        if extra:
            target.writestr(*extra)
    return out.getvalue()


def _flipped(blob: bytes) -> bytes:
    """One byte of a tensor's storage changed in place (the archive's checksum no longer agrees)."""
    info = next(i for i in zipfile.ZipFile(io.BytesIO(blob)).infolist() if "/data/" in i.filename and i.file_size > 1000)
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    return blob[:at] + bytes([blob[at] ^ 0xFF]) + blob[at + 1:]


def _zip_bomb() -> bytes:
    """A torch-like archive whose storage member unpacks from 0.2 MB to 200 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("archive/data/0", bytes(200 * 2 ** 20))
    return out.getvalue()


HOSTILE = {
    "empty": (lambda: b"", "not a PyTorch file"),
    "random bytes": (lambda: np.random.default_rng(0).bytes(5000), "not a PyTorch file"),
    "a CSV": (lambda: b"x1,x2\n1,2\n", "not a PyTorch file"),
    "truncated": (lambda: _good()[:-3000], "not a PyTorch file|cut short"),
    "a zip of other members": (lambda: _rezipped(_good(), extra=("archive/evil.py", "print(1)")), "members"),
    "a zip of one text file": (lambda: _zip_of({"notes.txt": b"hi"}), "members"),
    "a compressed zip": (lambda: _rezipped(_good(), compress=zipfile.ZIP_DEFLATED), "compressed"),
    "a zip bomb": (_zip_bomb, "compressed"),
    "a flipped byte": (lambda: _flipped(_good()), "damaged"),
    "a pickled object": (lambda: _saved({"format": "ganplay-run", "payload": _Payload()}), "Python objects"),
    "a list": (lambda: _saved([1, 2, 3]), "not a ganplay run"),
    "keys that are not text": (lambda: _saved({"format": "ganplay-run", 1: 2}), "not a ganplay run"),
    "a generator download": (lambda: export.generator_file(ganplay.Trainer(ganplay.RunConfig(**SMALL))),
                             "generator download"),
    "another format version": (lambda: _edited(version=2), "format 2"),
    "an unknown setting": (lambda: _edited(config={"dataset": "ring8", "variant": "nsgan", "seed": "0", "colour": "red"}),
                           "colour is not a setting"),
    "a setting out of range": (lambda: _edited(config={"dataset": "ring8", "variant": "nsgan", "g_width": "9999"}),
                               "g_width"),
    "another architecture": (lambda: _edited(config={**ganplay.RunConfig(**SMALL).to_query(), "g_width": "32"}),
                             "another architecture"),
    "other data": (lambda: _edited(config={**ganplay.RunConfig(**SMALL).to_query(), "data_seed": "7"}), "other data"),
    "a history of doubles": (lambda: _edited(history=torch.zeros(3, 90, dtype=torch.float64)), "history"),
    "an unknown engine": (lambda: _edited(engine="gpu"), "engine"),
    "a step beyond the run": (lambda: _edited(done=10 ** 9), "steps of this run"),
    "a random stream of the wrong size": (lambda: _edited(stream__data=torch.zeros(7, dtype=torch.uint8)), "stream.data"),
    "a missing weight": (lambda: _edited(**{"engine__g__params": None}), "g.params"),
}


def _zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", HOSTILE)
def test_every_hostile_file_is_refused_with_a_message(name):
    make, message = HOSTILE[name]
    with pytest.raises(ValueError, match=message):
        checkpoint.load_run(make())
    assert PICKLE_CALLS == []  # weights_only: nothing in a file ever runs


def test_a_file_beyond_the_bound_is_refused_before_it_is_read():
    with pytest.raises(ValueError, match=f"at most {checkpoint.MAX_FILE_BYTES // 2 ** 20} MB"):
        checkpoint.load_run(bytes(checkpoint.MAX_FILE_BYTES + 1))


def test_files_are_read_with_weights_only(monkeypatch):
    seen = []
    real = torch.load
    monkeypatch.setattr(torch, "load", lambda *args, **kwargs: seen.append(kwargs) or real(*args, **kwargs))
    checkpoint.load_run(_good())
    assert seen and all(kwargs.get("weights_only") is True for kwargs in seen)


# --- the pages, under AppTest --------------------------------------------------------------------

APP = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "app.py")
GP = ganplay.RunConfig(variant="wgan-gp", steps=300, batch_size=64)


def _page(path: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def _upload(at, name: str, blob: bytes, key: str = "run_file"):
    at.session_state[f"{key}_open"] = True  # the expander, opened
    at.run()
    return at.file_uploader(key=key).set_value((name, blob, "application/octet-stream")).run()


def _said(at) -> str:
    return " ".join(m.value for m in [*at.success, *at.error]).replace("\\", "")  # as_text escapes Markdown


def test_the_playground_continues_an_uploaded_run_as_the_visitors_own():
    at = _page("pages/playground.py")
    shared = at.session_state.run.viewer.key
    _upload(at, "mine.pt", checkpoint.save_run(ganplay.Trainer(GP).step(120)))
    assert "Loaded mine.pt: a wgan-gp run at step 120 of 300 on ring8" in _said(at) and not at.exception
    run = at.session_state.run
    assert at.session_state.run_config == GP and run.step_count == 120
    assert run.viewer.key != shared and run.viewer.key[1].startswith("file ")  # never the shared run of GP
    at.button[1].click().run()  # Step: 100 more, on the loop
    with run.holding() as trainer:
        assert trainer.step_count == 220
        _same(ganplay.Trainer(GP).step(220), trainer)


@pytest.mark.parametrize("name", ["random bytes", "a pickled object", "a generator download", "another architecture"])
def test_a_refused_file_says_why_and_changes_nothing(name):
    at = _page("pages/playground.py")
    at.button[1].click().run()  # Step: the visitor's run stands at step 100
    run, cfg = at.session_state.run, at.session_state.run_config
    _upload(at, "hostile.pt", HOSTILE[name][0]())
    assert "hostile.pt was refused" in _said(at) and "unchanged" in _said(at) and not at.exception
    assert at.session_state.run is run and at.session_state.run_config == cfg and run.step_count == 100


def test_the_latent_walk_walks_an_uploaded_run():
    at = _page("pages/latent_walk.py")
    _upload(at, "walk.pt", checkpoint.save_run(ganplay.Trainer(GP).step(40)))
    assert not at.exception
    assert any("your Playground run, as it stands at step 40" in i.value for i in at.info)


def test_the_conditional_page_takes_conditional_runs_only():
    at = _page("pages/conditional.py")
    _upload(at, "plain.pt", checkpoint.save_run(ganplay.Trainer(GP).step(3)), key="conditional_run_file")
    assert "not a conditional run" in _said(at)
    cfg = ganplay.RunConfig(dataset="blobs", conditional=True, steps=200, batch_size=64)
    _upload(at, "labels.pt", checkpoint.save_run(ganplay.Trainer(cfg).step(30)), key="conditional_run_file")
    assert "a conditional nsgan run at step 30 of 200 on blobs" in _said(at) and not at.exception
    assert at.session_state.conditional_run.step_count == 30


def test_take_away_saves_the_visitors_run_and_its_gif():
    from PIL import Image

    from ganplay.ui import take_away

    at = _page("pages/playground.py")
    at.button[1].click().run()  # Step: 100 steps on the loop
    run = at.session_state.run
    from ganplay.ui import caches
    caches.live_loop().watch("another visitor", run.config).step(200)  # trains the shared run past what this page shows
    saved = checkpoint.load_run(take_away._run_file(run))
    assert saved.step_count == 100
    _same(ganplay.Trainer(at.session_state.run_config).step(100), saved)
    gif = Image.open(io.BytesIO(take_away._training_gif(run)))
    assert gif.format == "GIF" and gif.n_frames >= 2 and gif.size == (400, 400)
