"""A learner's own points: the CSV reader names every broken rule; good files read right."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.data import DatasetUnavailable, load_dataset
from nncore.points import MAX_CLASSES, MAX_ROWS, PointsError, Scaling, empty, parse_points, to_csv
from nncore.registry import DATASETS
from nncore.spec import SpecError


def bad(raw: bytes, **limits) -> PointsError:
    with pytest.raises(PointsError) as e:
        parse_points(raw, **limits)
    return e.value


# ---- bad files: each names where and the rule ----------------------------------------------

def test_empty_file():
    e = bad(b"")
    assert e.where == "file" and "empty (0 bytes)" in e.rule
    assert "only blank lines" in bad(b"\n\n  \n").rule


def test_binary_garbage():
    e = bad(bytes(range(256)) * 4)
    assert e.where == "file" and "binary" in e.rule and "byte 1" in e.rule
    e = bad(b"\xfa\x80\xff not text at all")  # no zero byte, still not UTF-8
    assert "not UTF-8" in e.rule and "byte 1" in e.rule
    assert "not text" in bad(b"\xff\xfe\xfa\x80\x81\x82\x83\x84").rule  # a UTF-16 mark, then garbage
    e = bad(b"1,2,a\n3,4,b\x07\n")
    assert e.where == "row 2" and "control character" in e.rule


def test_spreadsheet_workbook_and_utf16_text():
    e = bad(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    assert e.where == "file" and "spreadsheet workbook" in e.rule and "save it as CSV" in e.rule
    p = parse_points("x\ty\tc\n1\t2\ta\n3\t4\tb\n".encode("utf-16"))  # Excel's "Unicode text"
    assert p.columns == ("x", "y") and p.class_names == ("a", "b")


def test_html_page():
    e = bad(b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert e.where == "file" and "web page (HTML)" in e.rule and "<!DOCTYPE html>" in e.rule
    assert "HTML" in bad(b"  <html>\n1,2,3</html>").rule


def test_one_class_only():
    e = bad(b"x,y,label\n1,2,cat\n3,4,cat\n5,6,cat\n")
    assert e.where == "column 3 (label)" and "only one class ('cat')" in e.rule and "at least two" in e.rule


@pytest.mark.parametrize("text, where, words", [
    ("x,y,c\n1,2,0\nnan,2,1\n", "row 3, column 1 (x)", "'nan' is not a finite number"),
    ("x,y,c\n1,2,0\n1,NaN,1\n", "row 3, column 2 (y)", "not a finite number"),
    ("x,y,c\n1,2,0\n1,inf,1\n", "row 3, column 2 (y)", "not a finite number"),
    ("x,y,c\n1,2,0\n,2,1\n", "row 3, column 1 (x)", "a blank cell"),
    ("1,2,0\n1,,1\n", "row 2, column 2 (x2)", "a blank cell"),
    ("x,y,c\n1,2,0\n1,2,\n", "row 3, column 3 (c)", "a blank label"),
    ("x,y,c\n1,2,0\n1,2,NA\n", "row 3, column 3 (c)", "missing value"),
])
def test_nan_and_blank_cells(text, where, words):
    e = bad(text.encode())
    assert e.where == where and words in e.rule


@pytest.mark.parametrize("text, where, shown", [
    ("x,y,c\n1,2,a\n3,abc,b\n", "row 3, column 2 (y)", "'abc' is not a number"),
    ("1.5,2,a\n3,4,b\n1..2,4,b\n", "row 3, column 1 (x1)", "'1..2' is not a number"),
    ("x,y,c\n1,2,a\n0x1F,4,b\n", "row 3, column 1 (x)", "'0x1F' is not a number"),
    ("7,hello,a\n3,4,b\n", "row 1, column 2 (x2)", "'hello' is not a number"),  # one word: data, not a header
])
def test_non_numeric_coordinates(text, where, shown):
    e = bad(text.encode())
    assert e.where == where and shown in e.rule


@pytest.mark.parametrize("text, what", [
    ("x,label\n1,a\n2,b\n", "2 columns (1 feature column and a label)"),
    ("a,b,c,label\n1,2,3,a\n", "4 columns (3 feature columns and a label)"),
    ("1\n2\n", "one column"),
])
def test_other_than_two_feature_columns(text, what):
    e = bad(text.encode())
    assert e.where == "row 1" and what in e.rule


def test_a_row_with_the_wrong_number_of_cells():
    e = bad(b"x,y,c\n1,2,a\n3,4,b,9\n")
    assert e.where == "row 3" and "4 cells; every row needs 3" in e.rule


def test_too_many_rows():
    rows = "".join(f"{i},{i % 7},{i % 2}\n" for i in range(101))
    e = bad(rows.encode(), max_rows=100)
    assert e.where == "file" and "more than 100 data rows" in e.rule and "row 101" in e.rule
    assert len(parse_points(rows.encode(), max_rows=101)) == 101
    assert MAX_ROWS == 100_000


def test_too_many_classes():
    rows = "".join(f"{i},{i},class{i % 21}\n" for i in range(42))
    e = bad(rows.encode())
    assert e.where == "column 3 (label)" and "21 classes; at most 20" in e.rule
    assert MAX_CLASSES == 20


def test_over_the_upload_cap():
    e = bad(b"1,2,a\n" * 200, max_bytes=1000)
    assert e.where == "file" and "upload cap" in e.rule


def test_header_only():
    assert "only a header" in bad(b"x,y,label\n").rule


# ---- good files -----------------------------------------------------------------------------

def test_header_and_string_labels():
    p = parse_points(b"width,height,kind\n1.5,2,cat\n-3,4e1,dog\n0,0,cat\n", "pets.csv")
    assert p.columns == ("width", "height") and p.label_column == "kind"
    assert p.class_names == ("cat", "dog") and p.y.tolist() == [0, 1, 0]
    assert np.array_equal(p.x, [[1.5, 2], [-3, 40], [0, 0]])
    assert "pets.csv: 3 points, 2 classes, comma-separated, header width, height, kind" == p.source


def test_no_header_integer_labels_sort_as_numbers():
    p = parse_points(b"1,2,10\n3,4,2\n5,6,2\n7,8,0\n\n")  # a blank line at the end is fine
    assert p.columns == ("x1", "x2") and p.class_names == ("0", "2", "10")
    assert p.y.tolist() == [2, 1, 1, 0]


@pytest.mark.parametrize("text", [b"x;y;c\n1,5;2;a\n3;4,25;b\n", b"x\ty\tc\n1.5\t2\ta\n3\t4.25\tb\n"])
def test_semicolons_with_decimal_commas_and_tabs(text):
    p = parse_points(text)
    assert np.array_equal(p.x, [[1.5, 2], [3, 4.25]]) and p.class_names == ("a", "b")


def test_byte_order_mark_quotes_and_windows_line_ends():
    p = parse_points('\ufeff"x","y","label"\r\n1,2,"big, red"\r\n3,4,small\r\n'.encode())
    assert p.columns == ("x", "y") and p.class_names == ("big, red", "small")


def test_a_hundred_thousand_rows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100_000, 2))
    text = "x1,x2,label\n" + "\n".join(f"{a:.5f},{b:.5f},{int(a > b)}" for a, b in x)
    p = parse_points(text.encode())
    assert len(p) == 100_000 and p.counts() == {"0": int((x[:, 0] <= x[:, 1]).sum()), "1": int((x[:, 0] > x[:, 1]).sum())}


def test_csv_out_and_in_again():
    p = parse_points(b"a,b,c\n1.25,-2,x\n3,4,y\n")
    assert parse_points(to_csv(p).encode()).x.tolist() == p.x.tolist()


# ---- scaling, clicks, training data ---------------------------------------------------------

def test_scaling_standardises_and_maps_back():
    x = np.array([[0.0, 100.0], [2.0, 300.0], [4.0, 200.0]])
    s = Scaling.of(x)
    z = s.standardise(x)
    assert np.allclose(z.mean(axis=0), 0, atol=1e-6) and np.allclose(z.std(axis=0), 1, atol=1e-6)
    assert np.allclose(s.original(z), x, atol=1e-4)
    assert Scaling.of(np.array([[1.0, 5.0], [2.0, 5.0]])).std[1] == 1.0  # one value throughout: kept as it is


def test_clicked_points_grow_classes_and_train_only_when_ready():
    p = empty()
    assert "at least two classes" in p.problem()
    for i in range(3):
        p = p.add(i, i, "0")
    assert "(0)" in p.problem()
    p = p.add(5, 5, "1")
    assert p.class_names == ("0", "1") and p.problem() is None
    data, scaling = p.to_dataset(0.2, seed=0)
    assert data.name == "your-points" and data.shape.outputs == 2 and data.is_points
    assert len(data.x_train) + len(data.x_val) == 4
    assert np.allclose(scaling.mean, [2.0, 2.0])


def test_dataset_is_split_seeded_stratified_and_standardised():
    rows = "".join(f"{i},{i * 10},{'ab'[i % 2]}\n" for i in range(100))
    data, scaling = parse_points(rows.encode()).to_dataset(0.2, seed=3)
    x = np.concatenate([data.x_train, data.x_val])
    assert np.allclose(x.mean(axis=0), 0, atol=1e-5) and np.allclose(x.std(axis=0), 1, atol=1e-5)
    assert np.bincount(data.y_val).tolist() == [10, 10] and data.class_names == ("a", "b")
    assert np.array_equal(data.x_val, parse_points(rows.encode()).to_dataset(0.2, seed=3)[0].x_val)


def test_spec_of_your_points_takes_its_classes_and_never_loads_without_the_page():
    spec = ExperimentSpec(dataset="your-points", classes=5, hidden=())
    assert spec.shape.outputs == 5 and not spec.problems()
    assert DATASETS["your-points"].is_plane and not DATASETS["your-points"].is_point_set
    assert any(e.field == "classes" for e in ExperimentSpec(dataset="moons", classes=3).problems())
    assert any(e.field == "classes" for e in ExperimentSpec(dataset="your-points", classes=21).problems())
    with pytest.raises(DatasetUnavailable, match="upload the CSV"):
        load_dataset(spec)
    with pytest.raises(SpecError):
        ExperimentSpec(dataset="your-points", classes=1).validate()
