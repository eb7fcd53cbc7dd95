"""Save a run and continue it later: one torch.save file of plain tensors, numbers and text.

A run file holds everything one run continues from: its config (in its URL form, so every field travels), the
engine's state of the run (weights, optimiser state, checkpoints, spectral-norm vectors: Engine.state), the
game's (step, history, divergence) and its random streams' states with their draw-ahead buffers, and a hash of
the data it trained on (your own data travels in the file). Continued, it draws exactly the samples the run
would have drawn had it never stopped. Files are read with torch.load(weights_only=True) only, after the
archive itself is checked (its size, members, compression and checksums), and every entry is checked before a
run is built from it: a file that is not a run, of another architecture or data, damaged or too large raises a
ValueError that says which, and builds nothing.

No Streamlit here.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import re
import zipfile

import numpy as np
import torch

from . import game as games
from . import schedule
from .config import RunConfig, clip
from .datasets import Dataset, from_array, load_dataset
from .engines import ENGINES
from .engines.nets import expect
from .runs import Run, Trainer

FORMAT, VERSION = "ganplay-run", 1
STREAMS = ("data", "latent", "penalty")  # the game's streams drawn while training (the others are re-made)
# The largest run a visitor can ask for, LARGEST_RUN (widths 512, six layers each, z 16, batch 2,048, PacGAN 8,
# conditional on the 64-pixel digits, 50,000 steps), saves to 64 MB after its first step (2 × 3 M parameters,
# each with two checkpoints and two optimiser moments, and 10 MB of draws ahead; tests/test_checkpoint.py
# measures it): the bound leaves room for a full draw-ahead buffer and a penalty stream's.
MAX_FILE_BYTES = 80 * 2 ** 20
LARGEST_RUN = RunConfig(dataset="digits", conditional=True, z_dim=16, g_depth=6, g_width=512, d_depth=6,
                        d_width=512, batch_size=2048, pack=8, steps=50_000)
# What torch.save writes into its zip archive, under one top folder (the file's name when it was saved)
_MEMBER = re.compile(r"(data\.pkl|byteorder|version|\.format_version|\.storage_alignment|\.data/serialization_id"
                     r"|data/\d+)")


def save_run(run: Run) -> bytes:
    """The run as it stands, as the bytes of a run file (read it back with load_run)."""
    game, r = run.game, run._r
    cfg = game.configs[r]
    state: dict = {"format": FORMAT, "version": VERSION, "config": cfg.to_query(), "engine": _engine_name(game),
                   "done": game.done, "diverged_at": -1 if game.diverged_at[r] is None else game.diverged_at[r],
                   "history": game.history[:, r].clone(), "data.sha256": data_digest(game.data)}
    seed = game.seeds.index(cfg.seed)
    for name in STREAMS:
        state[f"stream.{name}"] = game.streams[name][seed].get_state()
        if name in game.drawn:  # only the draws still to come: those before are never read again
            drawn, used = game.drawn[name]
            state[f"drawn.{name}"] = drawn[r, used:].clone(memory_format=torch.contiguous_format)
    state |= {f"engine.{key}": value for key, value in game.engine.state(r).items()}
    if cfg.dataset == "csv":  # your own data travels with the run: a hash alone could not bring it back
        data = game.data
        state |= {"data.x": torch.from_numpy(data.x.copy()), "data.columns": list(data.columns),
                  "data.label_names": list(data.label_names)}
        if data.y is not None:
            state["data.y"] = torch.from_numpy(data.y.astype(np.int64))
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def load_run(blob: bytes, data: Dataset | None = None) -> Trainer:
    """The run a file saved, ready to continue (a Trainer alone in its game); `data` stands in for the data the
    file names (it must be the same: its hash is checked). ValueError, saying why, for any file that is not one."""
    state = read_file(blob)
    cfg = _config(state)
    engine = state.get("engine")
    if not isinstance(engine, str) or engine not in ENGINES or not ENGINES[engine].supports(cfg):
        raise ValueError(f"engine: {clip(repr(engine))} is not an engine that can run these settings")
    data = _data(state, cfg, data)
    try:
        run = Trainer(cfg, data, engine)
        _restore(run.game, state)
    except Exception as problem:  # noqa: BLE001 - torch refusing a generator state, an entry of an odd kind
        raise ValueError(f"this file does not fit its own settings: {problem}") from None
    return run


def read_file(blob: bytes) -> dict:
    """A run file's entries, read with torch.load(weights_only=True) once the archive passes its checks."""
    if len(blob) > MAX_FILE_BYTES:
        raise ValueError(f"the file is {len(blob) / 2 ** 20:.1f} MB: a run file is at most {MAX_FILE_BYTES // 2 ** 20} MB "
                         "(the largest settings save to about 64 MB)")
    _check_archive(blob)
    try:
        state = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise ValueError("the file holds Python objects, not only tensors, numbers and text: refused (a run file "
                         "is read as weights only)") from None
    except Exception as problem:  # noqa: BLE001 - whatever torch makes of a damaged file, the page says so
        raise ValueError(f"torch cannot read the file ({clip(str(problem))}): it is damaged, or not a run file") from None
    if not isinstance(state, dict) or not all(isinstance(key, str) for key in state) or state.get("format") != FORMAT:
        hint = " (a generator download: save the run with 'Run (continue later)')" if (
            isinstance(state, dict) and "generator" in state) else ""
        raise ValueError(f"this PyTorch file is not a ganplay run{hint}")
    if state.get("version") != VERSION:
        raise ValueError(f"the file is of run format {clip(repr(state.get('version')))}; this ganplay reads "
                         f"format {VERSION}")
    return state


def _check_archive(blob: bytes) -> None:
    """torch.save's zip, as it writes it: its members and nothing else, stored uncompressed (so no member can
    unpack beyond the file's size), every checksum right."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        members = archive.infolist()
        tops = {info.filename.split("/", 1)[0] for info in members}
        strays = [info.filename for info in members if "/" not in info.filename
                  or not _MEMBER.fullmatch(info.filename.split("/", 1)[1])]
        if strays or len(tops) != 1 or not any(info.filename.endswith("/data.pkl") for info in members):
            raise ValueError("its archive has members no run file has: "
                             + ", ".join(clip(name) for name in (strays or [info.filename for info in members])[:3]))
        if any(info.compress_type != zipfile.ZIP_STORED for info in members):
            raise ValueError("its archive is compressed, which torch.save never does")
        broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as problem:
        raise ValueError(f"the file is not a PyTorch file, or it is cut short ({clip(str(problem))})") from None
    except ValueError as problem:
        raise ValueError(f"the file is not a run file: {problem}") from None
    if broken is not None:
        raise ValueError(f"the file is damaged: {clip(broken)} fails its checksum")


def _config(state: dict) -> RunConfig:
    """The file's settings, every one of which this ganplay must know and accept (none is dropped silently)."""
    query = state.get("config")
    if not isinstance(query, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
        raise ValueError("the file's settings are not a table of text")
    unknown = sorted(set(query) - set(RunConfig.__dataclass_fields__))
    cfg, ignored = RunConfig.from_query(query)
    if unknown or ignored:
        raise ValueError("the file's settings do not fit this ganplay: "
                         + "; ".join([*(f"{clip(name)} is not a setting" for name in unknown[:3]), *ignored[:3]]))
    return cfg


def _data(state: dict, cfg: RunConfig, given: Dataset | None) -> Dataset:
    """The data the run trained on: given, carried in the file (your own), or made again; its hash must match."""
    if given is not None:
        data = given
    elif cfg.dataset == "csv":
        x, y = expect(state, "data.x", _leading(state, "data.x")), state.get("data.y")
        if y is not None:
            y = expect(state, "data.y", (x.shape[0],), torch.int64).numpy()
        columns, names = state.get("data.columns"), state.get("data.label_names")
        if not _texts(columns) or not _texts(names):
            raise ValueError("the file's data has no column names")
        data = from_array(x.numpy(), y, columns=tuple(columns), label_names=tuple(names))
    else:
        data = load_dataset(cfg.dataset, cfg.n, cfg.data_seed, cfg.noise)
    if data_digest(data) != state.get("data.sha256"):
        raise ValueError(f"this run trained on other data than {'the data given' if given else cfg.dataset}: "
                         "its hash differs")
    return data


def _leading(state: dict, name: str, dims: int = 2) -> tuple[int, ...]:
    """The first sizes of an entry as it is (-1 where it has none), for entries whose shape the file sets."""
    value = state.get(name)
    shape = tuple(value.shape) if isinstance(value, torch.Tensor) else ()
    return tuple(shape[k] if k < len(shape) else -1 for k in range(dims))


def _texts(values) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def _restore(game: games.Game, state: dict) -> None:
    """Make the one run of a fresh game the run the file saved."""
    steps = game.configs[0].steps
    done, diverged = state.get("done"), state.get("diverged_at")
    if not (isinstance(done, int) and 0 <= done <= steps and isinstance(diverged, int) and -1 <= diverged <= done):
        raise ValueError("done, diverged_at: not steps of this run")
    game.done, game.diverged_at = done, [None if diverged < 0 else diverged]
    if game.change_steps:  # the settings its schedule had reached (those changed at this step come next), as regroup
        game.retune(tuple(schedule.at(c, done - 1) for c in game.configs))
    game.history[:, 0] = expect(state, "history", (3, steps))
    template = torch.Generator().get_state()
    for name in STREAMS:
        game.streams[name][0].set_state(expect(state, f"stream.{name}", template.shape, torch.uint8))
        if f"drawn.{name}" in state:
            shape = _draw_shape(game, name)
            left = min(_leading(state, f"drawn.{name}", 1)[0], _ahead(shape))
            drawn = expect(state, f"drawn.{name}", (left, *shape))
            game.drawn[name] = (drawn.unsqueeze(0), 0)  # its draws still to come, none of them used yet
    game.engine.load_state(0, {key[7:]: value for key, value in state.items() if key.startswith("engine.")})


def _draw_shape(game: games.Game, stream: str) -> tuple[int, ...]:
    """The shape of one step's draw from a stream (game._batch, game._penalties)."""
    batch = game.configs[0].batch_size
    return {"data": (game.real_inputs.shape[1], batch), "latent": (game.configs[0].z_dim, batch),
            "penalty": (1, batch)}[stream]


def _ahead(shape: tuple[int, ...]) -> int:
    return max(1, min(games.DRAW_AHEAD, games.DRAW_BUDGET // int(np.prod(shape))))


def _engine_name(game: games.Game) -> str:
    return next(name for name, entry in ENGINES.items() if entry.make is type(game.engine))


def data_digest(data: Dataset) -> str:
    """The data's content as trained (rows and labels), as a hex hash."""
    digest = hashlib.sha256(np.ascontiguousarray(data.x, dtype=np.float32).tobytes())
    digest.update(b"" if data.y is None else np.asarray(data.y, dtype=np.int64).tobytes())
    return digest.hexdigest()


def describe(run: Run) -> str:
    """What a loaded run is, in a line: "a wgan-gp run at step 1,200 of 2,000 on ring8"."""
    cfg, data = run.config, run.data
    kind = f"conditional {cfg.variant}" if cfg.conditional else cfg.variant
    on = f"your own data ({len(data.x):,} rows × {data.dim} columns)" if cfg.dataset == "csv" else cfg.dataset
    where = (f"diverged at step {run.diverged_at:,}" if run.diverged_at is not None
             else f"at step {run.step_count:,} of {cfg.steps:,}")
    article = "an" if kind[0] in "aeioulmns" else "a"  # as the names are read: an NS-GAN, an MMD, a WGAN-GP
    return f"{article} {kind} run {where} on {on}"
