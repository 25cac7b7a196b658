"""Tests for the C path of chiso.engine.ingest: plainly shaped blocks read by NumPy's loadtxt give
exactly what the byte pass gives, and every block it cannot be sure of is left to the byte pass."""

import random
import struct

import numpy as np
import pytest

from chiso.engine import ingest
from chiso.engine.ingest import read_table


def both_paths(path, numbers, texts, monkeypatch):
    """(table with the C path, table with the byte pass only, blocks the C path took)."""
    taken = []
    plain = ingest._plain_block

    def spy(*args):
        out = plain(*args)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(ingest, "_plain_block", spy)
    fast = read_table(path, numbers, numbers, texts)
    monkeypatch.setattr(ingest, "FAST_PATH", False)
    exact = read_table(path, numbers, numbers, texts)
    monkeypatch.setattr(ingest, "FAST_PATH", True)
    return fast, exact, taken


def assert_same_table(a, b):
    assert a.n_rows == b.n_rows and a.header == b.header
    assert a.numbers.shape == b.numbers.shape
    assert a.numbers.tobytes() == b.numbers.tobytes()  # bit for bit, NaN and -0.0 included
    assert a.extra.tobytes() == b.extra.tobytes()
    assert a.text == b.text
    assert a.bad == b.bad
    assert (a.not_applicable is None) == (b.not_applicable is None)
    if a.not_applicable is not None:
        assert (a.not_applicable == b.not_applicable).all()


def write(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("crlf", [False, True])
def test_plain_random_files_are_read_bit_for_bit_by_the_c_path(tmp_path, monkeypatch, crlf):
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 700)  # many blocks
    rng = random.Random(11)
    for trial in range(25):
        lines = ['"uCode","uName",a,b,c,g']
        for i in range(rng.randint(1, 60)):
            nums = []
            for _ in range(3):
                k = rng.random()
                if k < 0.1:
                    nums.append("")
                elif k < 0.15:
                    nums.append("NA")
                elif k < 0.4:
                    nums.append(repr(rng.uniform(-1e3, 1e3)))
                elif k < 0.6:
                    nums.append("%.*g" % (rng.randint(1, 17), rng.lognormvariate(0, 8)))
                elif k < 0.8:
                    nums.append("%.*e" % (rng.randint(0, 17), rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)))
                else:
                    nums.append(rng.choice(["-0", "+3", ".5", "5.", "1E-05", " 2 ", "29.017250000000001",
                                            "123456789012345678", "1e400", "nan", "-inf", "0.1"]))
            name = rng.choice(['"Unit %d"' % i, "Đà Nẵng", "", "NA", '" spaced "'])
            lines.append(",".join([f'"U{i}"', name, *nums, rng.choice(["G1", "", "NA"])]))
            if rng.random() < 0.05:
                lines.append("")
            if rng.random() < 0.03:
                lines.append(",,,,,")  # a blank record: no unit
        eol = "\r\n" if crlf else "\n"
        path = write(tmp_path, eol.join(lines) + rng.choice([eol, ""]))
        fast, exact, taken = both_paths(path, ["a", "b", "c"], ["uCode", "uName", "g"], monkeypatch)
        assert_same_table(fast, exact)
        assert any(taken), trial  # the C path read these


T2, T3 = ["uCode", "uName"], ["uCode", "uName", "g"]


@pytest.mark.parametrize("body, texts, taken", [
    ('uCode,uName,a,b,c,g\nX,Ex,1,"2",3,G\n', T2, False),  # a quoted number after the text columns
    ('uCode,uName,a,b,c,g\nX,Ex,1,"2",3,G\n', T3, True),  # ... among them: NumPy unquotes it as csv does
    ('uCode,uName,a,b,c,g\nX,Ex,1,N/A,3,G\n', T3, False),  # a not-applicable mark
    ('uCode,uName,a,b,c,g\nX,Ex,1,1_000,3,G\n', T3, False),  # float() reads it, NumPy does not
    ('uCode,uName,a,b,c,g\nX,Ex,1,lots,3,G\n', T3, False),  # a bad cell: the byte pass names it
    ('uCode,uName,a,b,c,g\nX,"Ex, Why",1,2,3,G\n', T3, False),  # a comma inside quotes
    ('uCode,uName,a,b,c,g\nX,"E""x",1,2,3,G\n', T3, False),  # a doubled quote
    ('uCode,uName,a,b,c,g\nX,Ex,1,2,3\n', T3, False),  # a short row
    ('uCode,uName,a,b,c,g\nX,Ex,1,2,3,G\rY,Why,1,2,3,G\n', T3, False),  # a lone carriage return
    ('uCode,uName,a,b,c,g\n"X"x,Ex,1,2,3,G\n', T3, False),  # text after a closing quote
    ('uCode,uName,a,b,c,g\nX,Ex,1,2,3,"G"\n', T2, False),  # a quote after the text columns
    ('uCode,uName,a,b,c,g\nX,Ex,1,2,3,"G"\n', T3, True),
])
def test_blocks_the_c_path_cannot_be_sure_of_go_to_the_byte_pass(tmp_path, monkeypatch, body, texts, taken):
    path = write(tmp_path, body)
    try:
        fast, exact, took = both_paths(path, ["a", "b", "c"], texts, monkeypatch)
    except ingest.Fallback:  # only the csv module reads it: so with the byte pass alone
        assert not taken
        monkeypatch.setattr(ingest, "FAST_PATH", False)
        with pytest.raises(ingest.Fallback):
            read_table(path, ["a", "b", "c"], ["a", "b", "c"], texts)
        return
    assert took == [taken]
    assert_same_table(fast, exact)


def test_the_c_path_gives_the_doubles_python_reads(tmp_path, monkeypatch):
    rng = random.Random(5)
    texts = []
    for _ in range(6000):
        k = rng.random()
        if k < 0.4:
            texts.append(repr(rng.uniform(-1e6, 1e6)))
        elif k < 0.7:
            texts.append("%.*g" % (rng.randint(1, 17), rng.lognormvariate(0, 20)))
        else:
            texts.append("%.*e" % (rng.randint(0, 19), rng.uniform(-1, 1) * 10 ** rng.randint(-300, 300)))
    rows = [texts[i:i + 3] for i in range(0, len(texts), 3)]
    path = write(tmp_path, "uCode,a,b,c\n" + "".join(f"U{i},{','.join(r)}\n" for i, r in enumerate(rows)))
    fast, exact, taken = both_paths(path, ["a", "b", "c"], ["uCode"], monkeypatch)
    assert all(taken)
    got = fast.numbers.ravel()
    for t, v in zip(texts, got.tolist()):
        assert struct.pack("d", float(t)) == struct.pack("d", v), t
    assert_same_table(fast, exact)


def test_blank_records_are_dropped_and_a_unit_without_numbers_kept(tmp_path, monkeypatch):
    path = write(tmp_path, "uCode,uName,a,b\nX,Ex,1,2\n,,,\n , NA ,,\nY,Why,,NA\nZ,,nan,\n")
    fast, exact, taken = both_paths(path, ["a", "b"], ["uCode", "uName"], monkeypatch)
    assert taken == [True]
    assert_same_table(fast, exact)
    assert fast.text["uCode"] == ["X", "Y", "Z"] and fast.n_rows == 3
    assert np.isnan(fast.numbers[1:]).all()
