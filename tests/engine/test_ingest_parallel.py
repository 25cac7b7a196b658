"""Tests for the read in two processes of chiso.engine.ingest (the `chiso` command's): a forked
child reads the second half of the records into the same matrices, and the table is the one the
read in one process gives, field by field -- or the same Fallback."""

import gc
import os
import random

import pytest

from chiso.engine import ingest
from chiso.engine.build import _room_beside
from chiso.engine.cli import main
from chiso.engine.ingest import read_table

from .conftest import ASEM_IDATA, ASEM_IMETA
from .test_ingest_plain import assert_same_table, write

NUMBERS, NA, TEXTS = ["a", "b", "c"], ["b", "c"], ["uCode", "uName", "g"]


@pytest.fixture
def small_files_in_two(monkeypatch):
    """Every file read in two processes (above a byte), in many blocks; the splits made are listed."""
    monkeypatch.setattr(ingest, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 700)
    splits = []
    in_two = ingest._read_in_two

    def spy(path, f, start, split, *args):
        splits.append(split)
        return in_two(path, f, start, split, *args)

    monkeypatch.setattr(ingest, "_read_in_two", spy)
    return splits


def one_and_two(path, numbers=NUMBERS, na=NA, texts=TEXTS, **kw):
    """(table read by one process, table read by two)."""
    return (read_table(path, numbers, na, texts, processes=1, **kw),
            read_table(path, numbers, na, texts, processes=2, **kw))


def random_file(rng, crlf):
    """An iData file with blanks, NA, N/A marks, bad cells, quoted names holding commas, quotes and
    newlines, blank lines and blank records."""
    lines = ['"uCode","uName",a,b,c,g']
    for i in range(rng.randint(20, 120)):
        nums = []
        for j in range(3):
            k = rng.random()
            if k < 0.1:
                nums.append(rng.choice(["", " ", "NA", " NA "]))
            elif k < 0.15 and j > 0:
                nums.append(rng.choice(["N/A", "n/a", " N/A"]))  # a mark in the na columns
            elif k < 0.18:
                nums.append(rng.choice(["N/A", "lots", "1x"]))  # bad cells (N/A in a): messages
            elif k < 0.6:
                nums.append(repr(rng.uniform(-1e3, 1e3)))
            elif k < 0.8:
                nums.append("%.*e" % (rng.randint(0, 17), rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)))
            else:
                nums.append(rng.choice(["-0", "+3", ".5", "5.", " 2 ", '"7"', "1e400", "nan", "0.1"]))
        name = rng.choice(['"Unit %d"' % i, "Đà Nẵng", "", "NA", '" spaced "', '"Hà Nội, VN"',
                           '"two\nlines"', '"a ""quoted"" name"', '"comma, and\nnewline"'])
        lines.append(",".join([f'"U{i}"', name, *nums, rng.choice(["G1", "", "NA"])]))
        if rng.random() < 0.05:
            lines.append("")
        if rng.random() < 0.04:
            lines.append(rng.choice([",,,,,", ',"",NA,,, ']))  # a blank record: no unit
    eol = "\r\n" if crlf else "\n"
    return eol.join(lines) + rng.choice([eol, ""])


@pytest.mark.parametrize("crlf", [False, True])
def test_random_files_are_read_by_two_processes_as_by_one(tmp_path, small_files_in_two, crlf):
    rng = random.Random(23 + crlf)
    for trial in range(30):
        path = write(tmp_path, random_file(rng, crlf))
        one, two = one_and_two(path, n_main=2, spare=2)
        assert len(small_files_in_two) == trial + 1  # the file was split
        assert_same_table(one, two)
        assert one.number_columns == two.number_columns


def test_a_quoted_field_across_the_middle_moves_the_split_after_it(tmp_path, small_files_in_two):
    head = "uCode,uName,a,b,c,g\n"
    before = "".join(f"U{i},Unit {i},{i},{i}.5,,G\n" for i in range(40))
    quoted = 'Q,"across, the\nmiddle",1,2,3,G\n'
    inner = len(before) + quoted.index("\n")  # the newline inside quotes, in the data
    row = "V{},Unit,4,5,N/A,G\n"
    after = "".join(row.format(i) for i in range(40))
    pad = 2 * inner - len(before + quoted + after)  # the middle of the data: that newline
    assert pad >= 0
    text = head + before + quoted + after[:-len("G\n")] + "G" + " " * pad + "\n"
    assert len(text) - len(head) == 2 * inner
    one, two = one_and_two(write(tmp_path, text))
    [(at, first)] = small_files_in_two
    assert at == len(head) + len(before) + len(quoted)  # after the quoted field's record
    assert first == 42
    assert_same_table(one, two)
    assert two.text["uName"][40] == "across, the\nmiddle"
    assert two.not_applicable[41:, 2].all() and not two.not_applicable[:41].any()


def test_blank_lines_before_the_split_a_blank_record_and_marks_after_it(tmp_path, small_files_in_two):
    rows = ["uCode,uName,a,b,c,g"]
    # Long rows first, with blank lines among them: the split falls among them.
    rows += [f"U{i},Unit {i}{' ' * 60},{i},,{i}e-3,G" if i % 7 else "" for i in range(50)]
    rows += [f"V{i},Unit {i},{i},N/A,lots,G" for i in range(50)]
    rows[80] = ",,,NA, ,"  # a blank record: no unit
    for eol in ("\n", "\r\n"):
        text = eol.join(rows) + eol
        one, two = one_and_two(write(tmp_path, text))
        assert_same_table(one, two)
        at, _ = small_files_in_two[-1]
        assert at < text.index("V0")  # the blank lines before the split, the rest after it
        assert two.n_rows == 42 + 49
        assert "U0" not in two.text["uCode"] and two.text["uCode"][-1] == "V49"
        assert two.bad[0] == (42, "c", "lots") and len(two.bad) == 49
        assert two.not_applicable[42:, 1].all() and not two.not_applicable[:42].any()
    assert len(small_files_in_two) == 2


def test_a_nul_byte_in_the_second_half_is_a_fallback_as_in_one_process(tmp_path, small_files_in_two):
    rows = [f"U{i},Unit {i},{i},{i},{i},G\n" for i in range(100)]
    rows[90] = "U90,Unit\x00,1,2,3,G\n"
    path = write(tmp_path, "uCode,uName,a,b,c,g\n" + "".join(rows))
    for processes in (1, 2):
        with pytest.raises(ingest.Fallback):
            read_table(path, NUMBERS, NA, TEXTS, processes=processes)
    assert len(small_files_in_two) == 1


def test_a_nul_byte_in_the_first_half_ends_the_child_and_is_a_fallback(tmp_path, small_files_in_two, monkeypatch):
    rows = [f"U{i},Unit {i},{i},{i},{i},G\n" for i in range(100)]
    rows[3] = "U3,Unit\x00,1,2,3,G\n"
    path = write(tmp_path, "uCode,uName,a,b,c,g\n" + "".join(rows))
    ended = []
    kill = os.kill
    monkeypatch.setattr(os, "kill", lambda pid, sig: (ended.append(pid), kill(pid, sig)))
    with pytest.raises(ingest.Fallback):
        read_table(path, NUMBERS, NA, TEXTS, processes=2)
    assert len(small_files_in_two) == 1 and len(ended) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(ended[0], os.WNOHANG)  # ended and reaped: no zombie left


def test_a_child_that_fails_leaves_its_part_to_the_parent(tmp_path, small_files_in_two, monkeypatch):
    rng = random.Random(3)
    path = write(tmp_path, random_file(rng, False))
    parent = os.getpid()
    plain = ingest._plain_block
    failed = []

    def broken_in_the_child(*args):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return plain(*args)

    receive = ingest._receive

    def spy(pipe):
        report = receive(pipe)
        failed.append(report is None)
        return report

    one = read_table(path, NUMBERS, NA, TEXTS)
    monkeypatch.setattr(ingest, "_plain_block", broken_in_the_child)
    monkeypatch.setattr(ingest, "_receive", spy)
    two = read_table(path, NUMBERS, NA, TEXTS, processes=2)
    assert failed == [True] and len(small_files_in_two) == 1
    assert_same_table(one, two)


def test_numbers_are_a_view_of_the_wider_shared_matrix_that_outlives_the_map(tmp_path, small_files_in_two):
    rows = "".join(f"U{i},Unit {i},{i},{i + 1},{i + 2},G\n" for i in range(200))
    two = read_table(write(tmp_path, "uCode,uName,a,b,c,g\n" + rows), NUMBERS, NA, TEXTS, processes=2, spare=4)
    wide = _room_beside(two.numbers, 3 + 4)
    assert wide is not None and wide.shape == (200, 7)
    wide[:, 3:] = 1.0  # the room beside the indicators is writable
    del wide
    gc.collect()  # the map lives as long as an array over it
    assert two.numbers[199].tolist() == [199.0, 200.0, 201.0] and two.numbers.sum() == 3 * 19900 + 3 * 200
    assert two.extra.shape == (200, 0)


def test_small_files_and_one_process_are_not_split(tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr(ingest, "_read_in_two", lambda *a: called.append(a))
    path = write(tmp_path, "uCode,uName,a,b,c,g\n" + "U1,One,1,2,3,G\n" * 100)
    read_table(path, NUMBERS, NA, TEXTS, processes=2)  # under PARALLEL_BYTES
    monkeypatch.setattr(ingest, "PARALLEL_BYTES", 1)
    read_table(path, NUMBERS, NA, TEXTS)
    assert not called


def test_the_compute_command_gives_the_same_results_in_two_processes(tmp_path, monkeypatch, small_files_in_two):
    out = {}
    for name, threshold in (("one", 1 << 60), ("two", 1)):
        monkeypatch.setattr(ingest, "PARALLEL_BYTES", threshold)
        out[name] = tmp_path / f"{name}.csv"
        assert main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                     "--out", str(out[name])]) == 0
    assert len(small_files_in_two) == 1
    assert out["one"].read_bytes() == out["two"].read_bytes()
