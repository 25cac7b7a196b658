"""Dataset.from_columns and Framework.from_columns: typed columns as a data frame holds them give
what from_rows gives on the same cells (values bit for bit, the same problems and messages)."""

import csv
import math
import random

import numpy as np
import pytest

from chiso.engine import Dataset, Framework, FrameworkError, IndexBuild
from chiso.engine.framework import MISSING_TEXT

from .conftest import ASEM_IDATA, ASEM_IMETA


def read_cells(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def typed_columns(header, rows):
    """The columns as R's read.csv or pandas types them: a column whose every filled cell is a number
    as a float array (NaN missing), any other as a list of str (None missing)."""
    columns = {}
    for j, name in enumerate(header):
        cells = [r[j] for r in rows]
        try:
            columns[name] = np.array([math.nan if c in MISSING_TEXT else float(c) for c in cells])
        except ValueError:
            columns[name] = [None if c in MISSING_TEXT else c for c in cells]
    return columns


def typed_records(columns):
    """iMeta rows as a data frame's records: Python floats and str, NaN and None missing."""
    names = list(columns)
    cells = [columns[c].tolist() if isinstance(columns[c], np.ndarray) else columns[c] for c in names]
    return [dict(zip(names, row)) for row in zip(*cells)]


def as_rows(columns):
    """The same cells as from_rows takes them: a header and rows of the columns' Python objects."""
    names = list(columns)
    cells = [columns[c].tolist() if isinstance(columns[c], np.ndarray) else list(columns[c]) for c in names]
    return names, [list(r) for r in zip(*cells)]


def assert_same_dataset(a, b):
    assert a.codes == b.codes
    assert a.values.shape == b.values.shape and a.values.tobytes() == b.values.tobytes()  # bit for bit, NaN too
    assert a.values.flags.c_contiguous and b.values.flags.c_contiguous
    assert a.units.tolist() == b.units.tolist() and a.names.tolist() == b.names.tolist()
    assert list(a.meta) == list(b.meta)
    for k in a.meta:
        x, y = a.meta[k], b.meta[k]
        assert x.dtype == y.dtype, k
        assert x.tobytes() == y.tobytes() if x.dtype != object else x.tolist() == y.tolist(), k
    if a.not_applicable is None:
        assert b.not_applicable is None
    else:
        assert np.array_equal(a.not_applicable, b.not_applicable)


def outcome(build):
    """A Dataset/Framework, or the problems (codes and English text) of the FrameworkError raised."""
    try:
        return build()
    except FrameworkError as e:
        return [(m.code, str(m)) for m in e.problems], str(e)


@pytest.fixture(scope="module")
def asem_frames():
    mh, mr = read_cells(ASEM_IMETA)
    dh, dr = read_cells(ASEM_IDATA)
    return (mh, mr), (dh, dr), typed_columns(mh, mr), typed_columns(dh, dr)


def test_asem_from_typed_columns_is_the_dataset_from_rows(asem_frames):
    (mh, mr), (dh, dr), meta, data = asem_frames
    fw = Framework.from_rows([dict(zip(mh, r)) for r in mr])
    assert isinstance(data["Flights"], np.ndarray) and isinstance(data["uCode"], list)
    assert_same_dataset(Dataset.from_columns(data, fw), Dataset.from_rows(dh, dr, fw))


def test_asem_framework_from_typed_rows_and_columns_is_the_one_from_text(asem_frames):
    (mh, mr), _, meta, _ = asem_frames
    from_text = Framework.from_rows([dict(zip(mh, r)) for r in mr])
    records = typed_records(meta)
    assert type(records[0]["Level"]) is float and type(records[0]["iCode"]) is str
    assert math.isnan(records[-1]["Weight"])  # a denominator row: no weight, as in COINr's data frame
    assert Framework.from_rows(records).nodes == from_text.nodes
    assert Framework.from_columns(meta).nodes == from_text.nodes


@pytest.mark.parametrize("pipeline", ["default", "full"])
def test_asem_pipeline_from_columns_is_the_pipeline_from_rows(asem_frames, pipeline):
    (mh, mr), (dh, dr), meta, data = asem_frames

    def run(fw, ds):
        build = IndexBuild(fw, ds)
        if pipeline == "full":
            build = (build.denominate().impute(method="mean_group", group="EurAsia_group")
                     .screen(dat_thresh=0.9, unit_screen="byNA").treat(winmax=5))
        return build.normalise().aggregate().results()

    fw_text = Framework.from_rows([dict(zip(mh, r)) for r in mr])
    fw_typed = Framework.from_rows(typed_records(meta))
    a = run(fw_text, Dataset.from_rows(dh, dr, fw_text))
    b = run(fw_typed, Dataset.from_columns(data, fw_typed))
    assert a.codes == b.codes and a.units.tolist() == b.units.tolist()
    assert a.scores.tobytes() == b.scores.tobytes() and a.rank.tobytes() == b.rank.tobytes()


def test_pandas_data_frames_are_mappings_of_columns(asem_frames):
    pd = pytest.importorskip("pandas")
    (mh, mr), (dh, dr), _, _ = asem_frames
    imeta, idata = pd.read_csv(ASEM_IMETA), pd.read_csv(ASEM_IDATA)
    fw_text = Framework.from_rows([dict(zip(mh, r)) for r in mr])
    assert Framework.from_columns(imeta).nodes == fw_text.nodes
    assert Framework.from_rows(imeta.to_dict("records")).nodes == fw_text.nodes
    assert_same_dataset(Dataset.from_columns(idata, fw_text), Dataset.from_rows(dh, dr, fw_text))


def test_pandas_missing_value_is_missing():
    pd = pytest.importorskip("pandas")
    fw = small()
    frame = pd.DataFrame({"uCode": pd.array(["X", "Y"], dtype="string"),
                          "uName": pd.array(["Ex", pd.NA], dtype="string"),
                          "a": pd.array([1.5, pd.NA], dtype="Float64"), "b": pd.array([pd.NA, 2], dtype="Int64"),
                          "c": pd.array(["3", pd.NA], dtype="object"), "g": ["G1", None], "d": [1.0, np.nan]})
    ds = Dataset.from_columns(frame, fw)
    assert ds.names.tolist() == ["Ex", ""] and ds.meta["g"].tolist() == ["G1", None]
    np.testing.assert_array_equal(ds.values, [[1.5, np.nan, 3.0], [np.nan, 2.0, np.nan]])


META = [{"iCode": c, "Level": 1, "Parent": "T", "Type": "Indicator"} for c in "abc"] + [
    {"iCode": "g", "Type": "Group"}, {"iCode": "d", "Type": "Denominator"},
    {"iCode": "T", "Level": 2, "Type": "Aggregate"}]


def small():
    return Framework.from_rows(META)


def both(columns, fw=None):
    """from_columns and from_rows on the same cells: each a Dataset or its problems."""
    fw = fw or small()
    header, rows = as_rows(columns)
    return outcome(lambda: Dataset.from_columns(columns, fw)), outcome(lambda: Dataset.from_rows(header, rows, fw))


def good(**changes):
    columns = {"uCode": ["X", "Y", "Z"], "uName": ["Ex", "Why", "Zed"], "a": np.array([1.0, 2.0, 3.0]),
               "b": np.array([0.5, np.nan, 1.5]), "c": np.array([1, 2, 3]), "g": ["G1", "G2", None],
               "d": np.array([10.0, 20.0, np.nan])}
    columns.update(changes)
    return {k: v for k, v in columns.items() if v is not None}


def test_duplicate_unit_is_the_same_problem():
    new, old = both(good(uCode=["X", "Y", "X"]))
    assert new == old
    assert [code for code, _ in new[0]] == ["at"] and "duplicate uCode 'X' (first at row 2)" in new[0][0][1]
    assert new[0][0][1].startswith("row 4:")


def test_missing_indicator_column_and_unknown_column_are_the_same_problems():
    new, old = both(good(b=None, extra=np.array([1.0, 2.0, 3.0])))
    assert new == old
    codes = [str(m) for _, m in new[0]]
    assert any("indicator 'b'" in m and "has no data column" in m for m in codes)
    assert any("'extra': no indicator" in m for m in codes)


def test_cells_that_are_not_numbers_are_named_by_row_and_column():
    new, old = both(good(a=["1", "lots", 3.0], d=np.array(["1", "x", "N/A"], dtype=object)))
    assert new == old
    texts = [m for _, m in new[0]]
    assert "row 3, column 'a': 'lots' is not a number" in texts
    assert "row 4, column 'd': 'N/A' is not a number" in texts  # N/A marks indicators only


def test_not_applicable_marks_and_text_numbers_read_as_from_rows():
    new, old = both(good(a=[" 1.5", "N/A", "NA"], b=["n/a", None, ""], c=np.array([True, False, True])))
    assert_same_dataset(new, old)
    assert new.not_applicable[:, :2].tolist() == [[False, True], [True, False], [False, False]]
    assert new.values[:, 2].tolist() == [1.0, 0.0, 1.0]


def test_blank_rows_are_dropped_and_rows_numbered_after_them():
    columns = good(uCode=["X", None, "Y", "X"], uName=["Ex", "", "Why", "Ex2"], a=np.array([1.0, np.nan, 2.0, 3.0]),
                   b=np.array([np.nan] * 4), c=[1, None, "NA", 3], g=["G", None, "G", "G"],
                   d=np.array([1.0, np.nan, 2.0, 3.0]))
    new, old = both(columns)
    assert new == old and "row 4: duplicate uCode 'X' (first at row 2)" in new[1]
    columns["uCode"][3] = "Z"
    new, old = both(columns)
    assert_same_dataset(new, old)
    assert new.units.tolist() == ["X", "Y", "Z"]


def test_missing_ucode_and_duplicate_unit_at_time():
    fw = Framework.from_rows(META)
    new, old = both(good(uCode=["X", None, "X"], Time=np.array([2020, 2020, 2021])), fw)
    assert new == old and any("missing uCode" in m for _, m in new[0])
    new, old = both(good(Time=np.array([2020.0, 2020.0, 2021.0]), uCode=["X", "X", "X"]), fw)
    assert new == old and "duplicate unit 'X' at Time 2020 (first at row 2)" in new[1]


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        Dataset.from_columns(good(a=np.array([1.0, 2.0])), small())
    with pytest.raises(ValueError, match="different lengths"):
        Framework.from_columns({"iCode": ["a", "T"], "Level": [1.0]})


def test_random_frames_give_what_from_rows_gives():
    rng = random.Random(22)
    cells = [None, math.nan, "", "NA", "N/A", " 2 ", "x", 1, 2.5, -0.0, math.inf, "1e3", True]
    for trial in range(300):
        n = rng.randint(0, 6)

        def number_column():
            kind = rng.random()
            if kind < 0.5:  # a data frame's number column
                return np.array([rng.choice([math.nan, rng.uniform(-5, 5)]) for _ in range(n)])
            if kind < 0.6:
                return np.arange(n)
            return [rng.choice(cells) for _ in range(n)]

        columns = {"uCode": [rng.choice(["X", "Y", "Z", "W", None, " V "]) for _ in range(n)],
                   "uName": [rng.choice(["n", None, math.nan, 3.0]) for _ in range(n)]}
        for c in ("a", "b", "c", "d"):
            if rng.random() < 0.95:
                columns[c] = number_column()
        columns["g"] = [rng.choice(["G1", None, "", 2]) for _ in range(n)]
        if rng.random() < 0.1:
            columns["zz"] = [rng.choice([None, "q"]) for _ in range(n)]
        names = list(columns)
        rng.shuffle(names)
        columns = {c: columns[c] for c in names}
        new, old = both(columns)
        if isinstance(old, Dataset):
            assert_same_dataset(new, old)
        else:
            assert new == old, trial


def test_framework_from_columns_and_typed_rows_report_what_text_rows_report():
    text = [{"iCode": "a", "Level": "1.5", "Parent": "T", "Weight": "", "Direction": "2", "Type": "Indicator"},
            {"iCode": "b", "Level": "1", "Parent": "T", "Weight": "x", "Direction": "-1", "Type": ""},
            {"iCode": "", "Level": "1", "Parent": "", "Weight": "", "Direction": "", "Type": ""},
            {"iCode": "T", "Level": "2", "Parent": "", "Weight": "1", "Direction": "", "Type": "aggregate"}]
    typed = [{"iCode": "a", "Level": 1.5, "Parent": "T", "Weight": math.nan, "Direction": 2.0, "Type": "Indicator"},
             {"iCode": "b", "Level": 1.0, "Parent": "T", "Weight": "x", "Direction": -1.0, "Type": None},
             {"iCode": None, "Level": 1.0, "Parent": None, "Weight": math.nan, "Direction": math.nan, "Type": None},
             {"iCode": "T", "Level": 2.0, "Parent": None, "Weight": 1.0, "Direction": math.nan, "Type": "aggregate"}]
    expected = outcome(lambda: Framework.from_rows(text))
    assert isinstance(expected, tuple) and len(expected[0]) == 7
    got = outcome(lambda: Framework.from_rows(typed))
    # The same problems at the same rows; a value is shown as the input held it (1.5, not '1.5').
    assert [m.split(":")[0] for _, m in got[0]] == [m.split(":")[0] for _, m in expected[0]]
    assert [m.replace("'", "").replace(".0", "") for _, m in got[0]] == \
        [m.replace("'", "") for _, m in expected[0]]
    columns = {k: [r[k] for r in typed] for k in typed[0]}
    assert outcome(lambda: Framework.from_columns(columns)) == got
