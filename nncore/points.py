"""A learner's own 2-D points: a CSV file read into checked numbers, and clicked points.

What a learner uploads is data, never code: the file is split by the standard library's csv
reader and its numbers converted by NumPy; nothing is evaluated. Every broken rule raises
PointsError naming where (a row, a column, the file) and the rule.

The file: two numeric feature columns and one label column, in that order; a header row is
optional (the first row is a header when neither of its first two cells is a number); labels
are integers or any text. Cells are separated by commas, semicolons or tabs (whichever the
first line uses; with semicolons a decimal comma, 1,5, is read as 1.5). Rows are numbered as
a spreadsheet numbers them: the file's first line is row 1.

Limits are settings: NNCORE_POINTS_MAX_ROWS (100,000), NNCORE_POINTS_MAX_CLASSES (20, the
most the page has colours for) and NNCORE_POINTS_MAX_MB (8, the uploader's cap too).

For training the features are standardised, (x - mean) / std per column (`Scaling`); the page
shows the means and standard deviations and draws the plane in the original units.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass

import numpy as np

from .data import Dataset
from .registry import Shape

USER_POINTS = "your-points"  # the registry's dataset name for these points


def _setting(name: str, default: int, high: int | None = None) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        value = default
    value = max(1, value)
    return min(value, high) if high else value


MAX_ROWS = _setting("NNCORE_POINTS_MAX_ROWS", 100_000)
MAX_CLASSES = _setting("NNCORE_POINTS_MAX_CLASSES", 20, high=20)
MAX_MB = _setting("NNCORE_POINTS_MAX_MB", 8)
MAX_BYTES = MAX_MB * 1024 * 1024
DELIMITERS = {"\t": "tab", ";": "semicolon", ",": "comma"}


class PointsError(ValueError):
    """A rule the file breaks: `where` (a row, a column, "file") and `rule`, in words."""

    def __init__(self, where: str, rule: str):
        super().__init__(f"{where}: {rule}")
        self.where = where
        self.rule = rule


@dataclass(frozen=True)
class Scaling:
    """Standardisation per feature column: z = (x - mean) / std."""

    mean: np.ndarray  # (2,)
    std: np.ndarray  # (2,); a column with one value throughout keeps std 1

    def standardise(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, np.float64) - self.mean) / self.std).astype(np.float32)

    def original(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z, np.float64) * self.std + self.mean

    @classmethod
    def of(cls, x: np.ndarray) -> "Scaling":
        x = np.asarray(x, np.float64)
        mean, std = x.mean(axis=0), x.std(axis=0)
        return cls(mean, np.where(std > 0, std, 1.0))


@dataclass(frozen=True)
class PointsDataset(Dataset):
    """A Dataset of a learner's own points (standardised), that knows how to map back to the
    original units: its scaling and its columns' names."""

    scaling: Scaling | None = None
    columns: tuple[str, str] = ("x1", "x2")


@dataclass(frozen=True)
class Points:
    """Points in the plane in their original units, each with a class."""

    x: np.ndarray  # (n, 2) float64
    y: np.ndarray  # (n,) int64, indices into class_names
    class_names: tuple[str, ...]
    columns: tuple[str, str] = ("x1", "x2")  # the feature columns' names (from the header, if any)
    label_column: str = "label"
    source: str = ""  # where they came from, in words (the file's name and what was read)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.y, minlength=self.n_classes)
        return {name: int(c) for name, c in zip(self.class_names, counts)}

    def scaling(self) -> Scaling:
        return Scaling.of(self.x)

    def add(self, x1: float, x2: float, class_name: str) -> "Points":
        """These points and one more, of class `class_name` (a new class if it is new)."""
        names = self.class_names
        if class_name not in names:
            if len(names) >= MAX_CLASSES:
                raise PointsError("class", f"at most {MAX_CLASSES} classes")
            names = names + (class_name,)
        x = np.vstack([self.x, [[float(x1), float(x2)]]])
        y = np.append(self.y, names.index(class_name)).astype(np.int64)
        return Points(x, y, names, self.columns, self.label_column, self.source)

    def problem(self) -> str | None:
        """Why these points cannot be trained on yet (None: they can)."""
        present = [n for n, c in self.counts().items() if c]
        if len(present) < 2:
            return (f"Training needs points of at least two classes; there {'is' if len(present) == 1 else 'are'} "
                    f"{len(present) or 'none'}{' (' + present[0] + ')' if len(present) == 1 else ''}.")
        if len(self) < 4:
            return f"Training needs at least 4 points (one in five is held out to validate); there are {len(self)}."
        return None

    def to_dataset(self, validation_split: float, seed: int) -> tuple[Dataset, Scaling]:
        """The standardised points split seeded into training and validation (stratified when every
        class has enough points), as the Dataset a TrainingJob trains on, and the scaling used."""
        from sklearn.model_selection import train_test_split

        scaling = self.scaling()
        present = np.unique(self.y)
        y = np.searchsorted(present, self.y).astype(np.int64)  # classes without points are dropped
        names = tuple(self.class_names[i] for i in present)
        x = scaling.standardise(self.x)
        n, k = len(y), len(names)
        n_val = int(np.ceil(n * validation_split))
        stratify = y if (np.bincount(y).min() >= 2 and k <= n_val <= n - k) else None
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=validation_split, random_state=seed,
                                                          stratify=stratify)
        ro = [np.ascontiguousarray(a) for a in (x_train, y_train, x_val, y_val)]
        for a in ro:
            a.setflags(write=False)
        return PointsDataset(USER_POINTS, *ro, Shape(2, k), names, scaling=scaling, columns=self.columns), scaling


def empty(columns: tuple[str, str] = ("x1", "x2")) -> Points:
    """No points yet (a blank plane to click on)."""
    return Points(np.zeros((0, 2)), np.zeros(0, np.int64), (), columns)


# ---- reading a file ------------------------------------------------------------------------

_HTML = re.compile(r"^\s*(<!doctype|<html|<head|<body|<table|<\?xml|<svg|<div|<!--)", re.IGNORECASE)


def _text(raw: bytes, max_bytes: int) -> str:
    if len(raw) == 0:
        raise PointsError("file", "the file is empty (0 bytes): a CSV needs rows of x1, x2, label")
    if len(raw) > max_bytes:
        raise PointsError("file", f"the file is {len(raw) / 2**20:.1f} MB; the upload cap is "
                          f"{max_bytes / 2**20:.0f} MB")
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise PointsError("file", "this is a spreadsheet workbook (Excel .xlsx/.xls or similar), not CSV text: "
                          "save it as CSV (File > Save as > CSV)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            text = ""
        if sum(c.isascii() for c in text) < 0.5 * len(text) or not text:  # numbers and commas are ASCII
            raise PointsError("file", "not text: it starts like UTF-16 text but does not read as a table; "
                              "save the table as CSV UTF-8")
        raw = text.encode("utf-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise PointsError("file", f"this is a binary file, not CSV text (a zero byte at byte {nul + 1}); "
                          "save the table as CSV (comma-separated values)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PointsError("file", f"not UTF-8 text (byte {e.start + 1} cannot be read): save the table as "
                          "CSV UTF-8, or it is not a text file at all") from None
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        row = text.count("\n", 0, bad.start()) + 1
        raise PointsError(f"row {row}", f"a control character (code {ord(bad.group())}) that text files do not "
                          "have: this is not a CSV file")
    if _HTML.match(text):
        first = text.strip().splitlines()[0][:40]
        raise PointsError("file", f"this is a web page (HTML), not CSV: it starts with {first!r}. Download "
                          "the data itself as CSV")
    if not text.strip():
        raise PointsError("file", "the file has only blank lines: a CSV needs rows of x1, x2, label")
    return text


def _delimiter(text: str) -> str:
    """The separator the first line uses: the one that splits it into three cells, else the one
    that splits it most (tab, semicolon, comma, in that order on a tie)."""
    first = next(line for line in text.splitlines() if line.strip())
    widths = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    three = [d for d, w in widths.items() if w == 3]
    best = three[0] if three else max(widths, key=lambda d: widths[d])
    if widths[best] < 2:
        raise PointsError("row 1", "one column and no separator: a row needs three cells (x1, x2, label) "
                          "separated by commas, semicolons or tabs")
    return best


def _is_number(cell: str, decimal_comma: bool) -> bool:
    try:
        value = float(cell.replace(",", ".") if decimal_comma else cell)
    except ValueError:
        return False
    return bool(np.isfinite(value))


def _numbers(cells: list[str], rows: list[int], column: str, decimal_comma: bool) -> np.ndarray:
    """A column's cells as finite float64; the first bad cell named by row and column."""
    values = [c.replace(",", ".") for c in cells] if decimal_comma else cells
    try:
        out = np.array(values, dtype=np.float64)  # NumPy's own float parsing, all at once
    except ValueError:
        out = None
    if out is not None and np.isfinite(out).all():
        return out
    for cell, row in zip(cells, rows):
        if cell == "":
            raise PointsError(f"row {row}, column {column}", "a blank cell: every row needs x1, x2 and a label")
        try:
            value = float(cell.replace(",", ".") if decimal_comma else cell)
        except ValueError:
            shown = cell if len(cell) <= 30 else cell[:30] + "..."
            raise PointsError(f"row {row}, column {column}", f"{shown!r} is not a number: coordinates must "
                              "be numbers like 1.5 or -2e3") from None
        if not np.isfinite(value):
            raise PointsError(f"row {row}, column {column}", f"{cell!r} is not a finite number: NaN and "
                              "infinite values are not allowed (fill or delete the row)")
    raise AssertionError("unreachable")  # pragma: no cover


def parse_points(raw: bytes, name: str = "the file", max_rows: int = MAX_ROWS, max_classes: int = MAX_CLASSES,
                 max_bytes: int = MAX_BYTES) -> Points:
    """A CSV file's bytes -> Points; raises PointsError naming the row or column and the rule."""
    text = _text(raw, max_bytes)
    delimiter = _delimiter(text)
    decimal_comma = delimiter == ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    width = 0
    cols: list[list[str]] = [[], [], []]
    rows: list[int] = []
    try:
        for cells in reader:
            row = reader.line_num
            if not cells or all(c.strip() == "" for c in cells) and len(cells) <= 1:
                continue  # an empty line
            cells = [c.strip() for c in cells]
            if not width:
                width = len(cells)
                if width != 3:
                    features = width - 1
                    raise PointsError(f"row {row}", f"{width} column{'s' if width != 1 else ''} "
                                      f"({max(features, 0)} feature column{'s' if features != 1 else ''} and a label): "
                                      "the file needs exactly two feature columns (x1, x2) and one label column")
                numeric = [_is_number(c, decimal_comma) for c in cells[:2]]
                if not any(numeric):
                    header = cells
                    continue
            if len(cells) != width:
                raise PointsError(f"row {row}", f"{len(cells)} cells; every row needs {width} (x1, x2, label), "
                                  "as the first row has")
            if len(rows) >= max_rows:
                raise PointsError("file", f"more than {max_rows:,} data rows (row {row} is one too many): "
                                  f"at most {max_rows:,} points")
            for col, cell in zip(cols, cells):
                col.append(cell)
            rows.append(row)
    except csv.Error as e:
        raise PointsError(f"row {reader.line_num}", f"the CSV cannot be read ({e})") from None
    if not rows:
        raise PointsError("file", "no data rows: only a header" if header else "no data rows")

    names = (header[0] or "x1", header[1] or "x2", header[2] or "label") if header else ("x1", "x2", "label")
    x = np.stack([_numbers(cols[0], rows, f"1 ({names[0]})", decimal_comma),
                  _numbers(cols[1], rows, f"2 ({names[1]})", decimal_comma)], axis=1)
    labels = cols[2]
    for cell, row in zip(labels, rows):
        if cell == "":
            raise PointsError(f"row {row}, column 3 ({names[2]})", "a blank label: every point needs its class")
        if cell.lower() in ("nan", "na", "null", "none"):
            raise PointsError(f"row {row}, column 3 ({names[2]})", f"the label {cell!r} marks a missing value: "
                              "every point needs its class")
    classes, y = np.unique(np.array(labels, dtype=object).astype(str), return_inverse=True)
    if len(classes) > max_classes:
        raise PointsError(f"column 3 ({names[2]})", f"{len(classes)} classes; at most {max_classes}")
    if len(classes) < 2:
        raise PointsError(f"column 3 ({names[2]})", f"only one class ({str(classes[0])!r}) in {len(rows):,} rows: "
                          "a classifier needs points of at least two classes")
    try:  # integer labels sort as numbers: 2 before 10
        order = np.argsort([int(c) for c in classes], kind="stable")
    except ValueError:
        order = np.arange(len(classes))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    class_names = tuple(str(classes[i]) for i in order)
    what = (f"{name}: {len(rows):,} points, {len(class_names)} classes, {DELIMITERS[delimiter]}-separated, "
            + (f"header {', '.join(header)}" if header else "no header"))
    return Points(x, rank[y].astype(np.int64), class_names, (names[0], names[1]), names[2], what)


def to_csv(points: Points) -> str:
    """Points as a CSV with a header (what the page offers to download, and parse_points reads)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*points.columns, points.label_column])
    for (a, b), c in zip(points.x, points.y):
        w.writerow([repr(float(a)), repr(float(b)), points.class_names[c]])
    return out.getvalue()
