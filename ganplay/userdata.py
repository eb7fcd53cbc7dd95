"""Your own data: a CSV file or blobs painted on the plane, checked and made into a ganplay Dataset.

No Streamlit here. A file that cannot be used raises a ValueError naming the problem; rows and
columns dropped on the way in are reported as notes. Standardising is the trainer's job, not ours.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from .config import clip, echo
from .datasets import MAX_DIMS, MAX_ROWS, Dataset, from_array

MAX_CLASSES = 20          # a conditional GAN with more labels than this is a mistaken label column
PAINT_POINTS = 200        # points added by one brushed rectangle
PAINT_WINDOW = (-4.0, 4.0)  # the painting canvas, on both axes
MAX_UPLOAD_MB = 5         # what the app accepts; the server's own limit is higher, so that it hears of bigger files
MAX_MAGNITUDE = 1e15      # float32 holds 3.4e38, and drawing squares data units: 1e15 leaves room for sums of squares
MIN_SPREAD = 1e-15        # a column varying less than this is below what the charts (and float32 squares) resolve
FLOAT32_SPREAD_ERROR = 0.01  # a column whose spread float32 changes by more than 1 % has lost its digits
NAMES_SHOWN = 5           # column names a message lists before "and N more"
MAX_NAME = 100            # characters of a column name or label value: they title axes, legends and downloads


@dataclass(frozen=True, eq=False)
class OwnData:
    """A visitor's dataset, where it came from, and what was dropped to get it."""

    dataset: Dataset
    source: str
    notes: tuple[str, ...] = ()

    @property
    def data_id(self) -> str:
        """A short content hash: RunConfig.data_id, so new data means a new run and cache key."""
        digest = hashlib.sha256(self.dataset.x.tobytes())
        digest.update(b"" if self.dataset.y is None else self.dataset.y.astype(np.int64).tobytes())
        digest.update("\x1f".join(self.dataset.columns + self.dataset.label_names).encode())
        return digest.hexdigest()[:12]


# --- a CSV file ---------------------------------------------------------------------------------

def read_table(raw: bytes, name: str = "the file") -> pd.DataFrame:
    """The file's cells as text (missing cells as NaN); refuses files that are not a usable CSV."""
    if len(raw) > MAX_UPLOAD_MB * 2**20:
        raise ValueError(f"{name} is {len(raw) / 2**20:.1f} MB: at most {MAX_UPLOAD_MB} MB are accepted "
                         "(use a sample of it)")
    if not raw.strip():
        raise ValueError(f"{name} is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise ValueError(f"{name} is not UTF-8 text (byte {problem.start} is not valid UTF-8): "
                         "save it as 'CSV UTF-8'") from None
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, nrows=MAX_ROWS + 1, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as problem:
        raise ValueError(f"{name} is not a readable CSV: {str(problem).strip().splitlines()[0]}") from None
    if len(table) > MAX_ROWS:
        raise ValueError(f"{name} has more than {MAX_ROWS:,} rows: refused (use a sample of it)")
    if len(table) < 2:
        raise ValueError(f"{name} has {_rows(len(table))} of data: need at least 2")
    _check_names(table.columns, f"{name}: a column name")
    return table


def _check_names(names, what: str) -> None:
    long = next((str(n) for n in names if len(str(n)) > MAX_NAME), None)
    if long is not None:
        raise ValueError(f"{what} has {len(long):,} characters ({echo(long)}): at most {MAX_NAME} are supported")


def suggested_label(table: pd.DataFrame) -> str | None:
    """The first column without a single number in it: most likely the class (Iris's species)."""
    numeric = table.apply(pd.to_numeric, errors="coerce")
    return next((c for c in table.columns if numeric[c].isna().all() and table[c].notna().any()), None)


def _line(row) -> int:
    return int(row) + 2  # the file's line: one for the header, one for counting from 1


def _rows(count) -> str:
    return f"{count} row{'s' * (int(count) != 1)}"


def _quoted(names) -> str:
    """Names as a message lists them: each cut short (a header may hold megabytes), the first few only."""
    shown = ", ".join(echo(str(n)) for n in names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def table_to_data(table: pd.DataFrame, label: str | None = None, source: str = "the file") -> OwnData:
    """Numeric columns become x, the label column (if any) y; text and empty columns, and bad rows, are dropped."""
    cells = table.drop(columns=[label] if label else [])
    numbers = cells.apply(pd.to_numeric, errors="coerce")
    text = numbers.isna() & cells.notna()
    empty = [c for c in cells.columns if cells[c].isna().all()]
    words = [c for c in cells.columns if c not in empty and text[c][cells[c].notna()].all()]
    notes = [f"dropped empty column{'s' * (len(empty) > 1)} {_quoted(empty)}"] if empty else []
    if words:
        notes.append(f"dropped text column{'s' * (len(words) > 1)} {_quoted(words)} "
                     "(choose it as the label column to use it)")
    columns = [c for c in cells.columns if c not in empty + words]
    if len(columns) < 2:
        found = f"only {len(columns)} numeric column{'s' * (len(columns) != 1)}" + (
            f" ({_quoted(columns)})" if columns else "")
        hint = next((f"; is it separated by {sep!r}? use commas" for sep in ";\t" if sep in "".join(table.columns)), "")
        raise ValueError(f"{source} has {found}: need 2 to {MAX_DIMS}{hint}" + "".join(f"; {n}" for n in notes))
    if len(columns) > MAX_DIMS:
        raise ValueError(f"{source} has {len(columns)} numeric columns: at most {MAX_DIMS} are supported, refused "
                         "(keep the columns you want to model)")
    x, text = numbers[columns].to_numpy(dtype=np.float64), text[columns].to_numpy()
    has_text = text.any(axis=1)
    if has_text.any():
        row, col = np.argwhere(text)[0]
        notes.append(f"dropped {_rows(has_text.sum())} with text in numeric columns (first: line {_line(row)}, "
                     f"{echo(str(columns[col]))} = {echo(cells[columns[col]].iloc[row])})")
    no_label = table[label].isna().to_numpy() if label else np.zeros(len(x), dtype=bool)
    missing = ~has_text & (~np.isfinite(x).all(axis=1) | no_label)
    if missing.any():
        notes.append(f"dropped {_rows(missing.sum())} with missing, NaN or infinite values "
                     f"(first: line {_line(np.argmax(missing))})")
    keep = ~(has_text | missing)
    if keep.sum() < 2:
        raise ValueError(f"{source}: {_rows(keep.sum())} left, need at least 2 ({'; '.join(notes)})")
    _check_magnitudes(x[keep], columns, source)
    y = None if label is None else table[label].to_numpy()[keep]
    notes += _label_notes(table[label].dropna()) if label else []
    return OwnData(_dataset(x[keep], y, columns, label), source, tuple(notes))


def _check_magnitudes(x: np.ndarray, columns, source: str) -> None:
    """Refuse columns that 32-bit floats cannot train on or draw: too large, too small a spread, or digits lost."""
    for name, column in zip(columns, x.T):
        name, top = echo(str(name)), float(np.abs(column).max())
        if top > MAX_MAGNITUDE:
            raise ValueError(f"{source}: column {name} reaches {top:.3g}: values up to {MAX_MAGNITUDE:.0e} in size "
                             "are supported, since ganplay computes in 32-bit floats; divide the column by a power "
                             "of ten")
        spread, spread32 = column.std(), column.astype(np.float32).astype(np.float64).std()
        if 0 < spread < MIN_SPREAD:
            raise ValueError(f"{source}: column {name} varies by only {spread:.3g}: a spread of at least "
                             f"{MIN_SPREAD:.0e} is supported; multiply the column by a power of ten")
        if spread > 0 and abs(spread32 / spread - 1) > FLOAT32_SPREAD_ERROR:
            raise ValueError(f"{source}: column {name} varies by {spread:.3g} around {top:.7g}: 32-bit floats keep "
                             "about 7 significant digits, so its values run together; subtract an offset (such as "
                             "its mean) first")


def _label_notes(values: pd.Series) -> list[str]:
    """Say so when the label column looks like numbers or True/False: text that may not be meant as classes."""
    name = echo(str(values.name))
    if values.str.strip().str.lower().isin(["true", "false"]).all():
        return [f"label column {name} holds True/False values: used as 2 classes"]
    bare = values.str.strip().str.strip("\"'").str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
    if pd.to_numeric(bare, errors="coerce").notna().all() and pd.to_numeric(values, errors="coerce").isna().any():
        return [f"label column {name} holds numbers written as text (such as {echo(values.iloc[0])}): "
                "used as classes; choose 'no labels' to drop it"]
    return []


def _dataset(x: np.ndarray, y: np.ndarray | None, columns: list[str], label: str | None) -> Dataset:
    if y is None:
        return from_array(x, columns=tuple(map(str, columns)))
    names = np.unique(y.astype(str))
    _check_names(names, f"label column {echo(str(label))}: a value")
    if len(names) > MAX_CLASSES:
        raise ValueError(f"label column {echo(str(label))} has {len(names)} distinct values: at most {MAX_CLASSES} classes "
                         "are supported (is it really a label?)")
    return from_array(x, y.astype(str), columns=tuple(map(str, columns)), label_names=tuple(map(str, names)))


def read_csv(raw: bytes, label: str | None = None, source: str = "the file") -> OwnData:
    return table_to_data(read_table(raw, source), label, source)


# --- painting ------------------------------------------------------------------------------------

def paint_blob(x: np.ndarray, y: np.ndarray, box, count: int = PAINT_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Add a Gaussian blob filling the rectangle box = (x0, x1, y0, y1); the stroke's number is its label."""
    if len(x) + count > MAX_ROWS:
        raise ValueError(f"painting: at most {MAX_ROWS:,} points; clear to start again")
    (x0, x1), (y0, y1) = sorted(box[:2]), sorted(box[2:])
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    spread = np.maximum([(x1 - x0) / 4, (y1 - y0) / 4], 0.02)  # about 95 % of the blob inside the box
    blob = centre + spread * np.random.default_rng(len(x)).standard_normal((count, 2))
    label = int(y.max()) + 1 if len(y) else 0
    return np.concatenate([x, blob]), np.concatenate([y, np.full(count, label)])


def painted_data(x: np.ndarray, y: np.ndarray) -> OwnData:
    strokes = int(y.max()) + 1
    dataset = from_array(x, y, columns=("x1", "x2"), label_names=tuple(f"blob {k + 1}" for k in range(strokes)))
    return OwnData(dataset, "painted")


# --- looking at more than two columns ------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Projection:
    """A linear view of d-dimensional points on a plane: (x - offset) @ matrix."""

    title: str
    offset: np.ndarray
    matrix: np.ndarray

    def apply(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, dtype=np.float64) - self.offset) @ self.matrix).astype(np.float32)


def column_pair(columns, i: int, j: int) -> Projection:
    matrix = np.zeros((len(columns), 2))
    matrix[i, 0] = matrix[j, 1] = 1.0
    return Projection(f"{clip(str(columns[i]))} × {clip(str(columns[j]))}", np.zeros(len(columns)), matrix)


def pca_projection(x: np.ndarray) -> Projection:
    """scikit-learn's PCA of the standardised data, folded into one affine map of the raw data."""
    mean, scale = x.mean(axis=0), np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    pca = PCA(n_components=2).fit((x - mean) / scale)
    share = pca.explained_variance_ratio_
    return Projection(f"PCA: first two components ({share.sum():.0%} of the variance)",
                      mean + pca.mean_ * scale, pca.components_.T / scale[:, None])


def projections(dataset: Dataset) -> list[Projection]:
    """Ways to draw the data on the plane: PCA first when there are more than two columns, then column pairs."""
    cols, d = dataset.columns, dataset.dim
    pairs = [column_pair(cols, i, j) for i in range(d) for j in range(i + 1, d)]
    return ([pca_projection(dataset.x.astype(np.float64))] if d > 2 else []) + pairs
