"""Your own data: every bad CSV gets a message naming the problem; good ones become a Dataset; painting; PCA."""
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA

from ganplay import userdata
from ganplay.datasets import MAX_ROWS


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def iris_csv() -> bytes:
    iris = load_iris(as_frame=True)
    return _csv(iris.data.assign(species=iris.target_names[iris.target]))


@pytest.mark.parametrize("raw,message", [
    (b"", "f.csv is empty"),
    (b"  \n\n", "f.csv is empty"),
    ("a,b\n1,2\n3,4\n".encode("utf-16"), r"f.csv is not UTF-8 text \(byte 0"),
    (b"a,b\n1,2\n", "f.csv has 1 row of data: need at least 2"),
    (b"a,b\n", "f.csv has 0 rows of data"),
    (b"a\n1\n2\n3\n", r"f.csv has only 1 numeric column \('a'\): need 2 to 16"),
    (b"a,b\n1,x\n2,y\n", r"only 1 numeric column \('a'\).*dropped text column 'b'"),
    (b"a;b\n1;2\n3;4\n", "is it separated by ';'"),
    (_csv(pd.DataFrame(np.ones((3, 17)))), "f.csv has 17 numeric columns: at most 16 are supported, refused"),
    (b"a,b\n" + b"1,2\n" * (MAX_ROWS + 1), "f.csv has more than 50,000 rows: refused"),
    (b'a,b\n1,2\n"3,4\n', "f.csv is not a readable CSV"),
    (b"a,b\n1,x\n,4\n5,6\n", r"f.csv: 1 row left, need at least 2 \(dropped 1 row with text.*1 row with missing"),
])
def test_every_unusable_file_is_refused_with_a_message_naming_the_problem(raw, message):
    with pytest.raises(ValueError, match=message):
        userdata.read_csv(raw, source="f.csv")


def test_rows_with_text_in_numeric_columns_are_dropped_and_named():
    own = userdata.read_csv(b"a,b\n1,2\n3,oops\n5,6\n7,8\n", source="f.csv")
    assert own.dataset.x.tolist() == [[1, 2], [5, 6], [7, 8]]
    assert own.notes == ("dropped 1 row with text in numeric columns (first: line 3, 'b' = 'oops')",)


def test_rows_with_nan_inf_or_missing_cells_are_dropped_and_named():
    own = userdata.read_csv(b"a,b\n1,2\nnan,4\n5,inf\n7,\n9,10\n", source="f.csv")
    assert own.dataset.x.tolist() == [[1, 2], [9, 10]]
    assert own.notes == ("dropped 3 rows with missing, NaN or infinite values (first: line 3)",)


def test_text_and_empty_columns_are_dropped_and_named():
    own = userdata.read_csv(b"a,name,b,\n1,x,2,\n3,y,4,\n", source="f.csv")
    assert own.dataset.columns == ("a", "b")
    assert own.notes == ("dropped empty column 'Unnamed: 3'",
                         "dropped text column 'name' (choose it as the label column to use it)")


def test_iris_with_its_species_column_as_label():
    table = userdata.read_table(iris_csv())
    assert userdata.suggested_label(table) == "species"
    own = userdata.table_to_data(table, "species", "iris.csv")
    data = own.dataset
    assert (data.name, data.dim, len(data.x), data.n_classes) == ("csv", 4, 150, 3)
    assert data.label_names == ("setosa", "versicolor", "virginica") and own.notes == ()
    assert np.bincount(data.y).tolist() == [50, 50, 50]


def test_too_many_label_values_are_refused():
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0), "id": np.arange(30)})
    with pytest.raises(ValueError, match="label column 'id' has 30 distinct values: at most 20"):
        userdata.read_csv(_csv(frame), label="id")


def test_data_id_is_a_short_hash_that_changes_with_the_content():
    first = userdata.read_csv(b"a,b\n1,2\n3,4\n")
    assert first.data_id == userdata.read_csv(b"a,b\n1,2\n3,4\n").data_id and len(first.data_id) == 12
    assert first.data_id != userdata.read_csv(b"a,b\n1,2\n3,5\n").data_id
    assert first.data_id != userdata.read_csv(b"a,c\n1,2\n3,4\n").data_id


def test_a_brushed_rectangle_adds_a_labelled_blob_inside_it():
    x, y = userdata.paint_blob(np.zeros((0, 2)), np.zeros(0, dtype=int), (1.0, 3.0, -2.0, 2.0))
    x, y = userdata.paint_blob(x, y, (-3.0, -2.0, 0.0, 1.0))
    assert x.shape == (400, 2) and np.bincount(y).tolist() == [200, 200]
    inside = (np.abs(x[:200, 0] - 2) <= 1) & (np.abs(x[:200, 1]) <= 2)
    assert inside.mean() == pytest.approx(0.91, abs=0.05)  # 2σ both ways: 0.954² of a Gaussian blob
    again, _ = userdata.paint_blob(np.zeros((0, 2)), np.zeros(0, dtype=int), (1.0, 3.0, -2.0, 2.0))
    np.testing.assert_array_equal(again, x[:200])
    assert userdata.painted_data(x, y).dataset.label_names == ("blob 1", "blob 2")


def test_painting_stops_at_the_row_limit():
    full = np.zeros((MAX_ROWS - 100, 2)), np.zeros(MAX_ROWS - 100, dtype=int)
    with pytest.raises(ValueError, match="at most 50,000 points; clear to start again"):
        userdata.paint_blob(*full, (0, 1, 0, 1))


def test_pca_projection_is_scikit_learns_pca_of_the_standardised_data():
    data = userdata.read_csv(iris_csv(), label="species").dataset
    x = data.x.astype(np.float64)
    view = userdata.projections(data)[0]
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    np.testing.assert_allclose(view.apply(x), PCA(2).fit_transform(z), rtol=0, atol=1e-5)
    assert view.title == "PCA: first two components (96% of the variance)"


def test_every_pair_of_columns_is_a_view_and_picks_its_columns():
    data = userdata.read_csv(iris_csv(), label="species").dataset
    views = userdata.projections(data)
    assert len(views) == 1 + 6 and views[3].title == "sepal length (cm) × petal width (cm)"
    np.testing.assert_array_equal(views[3].apply(data.x), data.x[:, [0, 3]])
    two = userdata.read_csv(b"a,b\n1,2\n3,4\n").dataset
    assert [v.title for v in userdata.projections(two)] == ["a × b"]


@pytest.mark.parametrize("raw,message", [
    (b"a,b\n1e300,1\n2,3\n", r"f.csv: column 'a' reaches 1e\+300: values up to 1e\+15 in size are supported"),
    (b"a,b\n1,1e300\n2,3\n3,1e-3\n", r"column 'b' reaches 1e\+300"),  # 1e300 among small values
    (b"a,b\n1e19,1\n2e19,3\n", r"column 'a' reaches 2e\+19"),  # float32's std would overflow
    (b"a,b\n1e39,1\n-2e39,3\n", r"column 'a' reaches 2e\+39"),  # beyond float32: inf after the cast
    (b"a,b\n1e-20,1\n2e-20,3\n", r"column 'a' varies by only 5e-21: a spread of at least 1e-15"),
    (b"a,b\n10000000001,1\n10000000002,3\n10000000003,5\n",
     r"column 'a' varies by 0.816 around 1e\+10: 32-bit floats keep about 7 significant digits"),
])
def test_magnitudes_32_bit_floats_cannot_train_on_are_refused_with_the_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        userdata.read_csv(raw, source="f.csv")


def test_large_but_supported_magnitudes_and_offsets_are_kept():
    data = userdata.read_csv(b"a,b\n1e15,1\n-1e15,3\n2e14,5\n", source="f.csv").dataset
    np.testing.assert_array_equal(data.x[:, 0], np.float32([1e15, -1e15, 2e14]))
    assert userdata.read_csv(b"a,b\n1000001,1\n1000002,2\n1000004,3\n").dataset.x[:, 0].tolist() == [
        1000001, 1000002, 1000004]


def test_a_file_over_the_upload_limit_is_refused_with_its_size():
    raw = b"a,b\n" + b"1,2\n" * (6 * 2**20 // 4)
    with pytest.raises(ValueError, match=r"^big.csv is 6.0 MB: at most 5 MB are accepted \(use a sample of it\)$"):
        userdata.read_table(raw, "big.csv")


def test_a_huge_cell_or_header_is_echoed_in_a_few_dozen_characters():
    big = "x" * 4 * 2**20
    own = userdata.read_csv(f"a,b\n1,2\n3,{big}\n4,5\n".encode(), source="f.csv")
    assert own.notes == (f"dropped 1 row with text in numeric columns (first: line 3, 'b' = '{'x' * 38}…)",)
    with pytest.raises(ValueError, match=r"^f.csv: a column name has 4,194,304 characters \('x{38}…\): at most 100"):
        userdata.read_csv(f"a,{big}\n1,2\n3,4\n".encode(), source="f.csv")
    with pytest.raises(ValueError, match=r"^label column 'c': a value has 4,194,304 characters"):
        userdata.read_csv(f"a,b,c\n1,2,{big}\n3,4,y\n".encode(), label="c")


def test_a_thousand_text_columns_are_named_in_a_short_message():
    header = ",".join(["a", "b"] + [f"t{i}" for i in range(1000)])
    row = ",".join(["1", "2"] + ["x"] * 1000)
    own = userdata.read_csv(f"{header}\n{row}\n{row.replace('1', '3', 1)}\n".encode())
    assert own.notes == ("dropped text columns 't0', 't1', 't2', 't3', 't4' and 995 more (choose it as the label "
                         "column to use it)",)


@pytest.mark.parametrize("cells,note", [
    (("True", "False", "true"), "label column 'c' holds True/False values: used as 2 classes"),
    (('"1,234"', '"2,000"', '"1,234"'), "label column 'c' holds numbers written as text (such as '1,234'): used "
                                        "as classes; choose 'no labels' to drop it"),
])
def test_a_label_column_of_booleans_or_quoted_numbers_is_named_as_such(cells, note):
    raw = "a,b,c\n" + "".join(f"{k},{k * k % 7},{c}\n" for k, c in enumerate(cells))
    table = userdata.read_table(raw.encode())
    assert userdata.suggested_label(table) == "c"
    assert userdata.table_to_data(table, "c").notes == (note,)
    assert userdata.read_csv(b"a,b,c\n1,2,0\n3,4,1\n", label="c").notes == ()  # plain numbers chosen: no note
