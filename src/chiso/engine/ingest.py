"""iData CSV into the values matrix at the speed of the file: a vectorised pass over the bytes, Python only for odd cells.

The file is read in blocks of whole records. In each block NumPy finds the separators (quote
parity decides which commas and newlines are inside quoted fields), the fields of the wanted
columns, and parses every plain number (optional sign, digits, one decimal point, optional
exponent) exactly: the digits become an integer and one IEEE multiplication or division by a
power of ten gives the correctly rounded double (Clinger's fast path; 16-18 digit numbers go
through x87 extended precision with the one ambiguous case, a tie, left to Python). Any other
cell -- blank with spaces, `nan`, a word -- is read by Python's `float()` exactly as the
row-by-row reader did, so the values and the messages naming row and column are the same;
only those cells cost Python work. A file the byte pass cannot take on with certainty (ragged
rows, quotes in the middle of a field, a lone carriage return, NUL bytes, invalid UTF-8) is
read by the csv module instead, with the same results and messages.

Before the byte pass, a block that is plainly shaped (every record with the header's number of
fields, quotes only around whole text fields, every number cell blank, "NA" or a number) goes
through NumPy's C reader `np.loadtxt`, which calls `PyOS_string_to_double`, the function
`float()` calls: the same doubles, with less CPU time than the byte pass (a quarter less on
COINr's 5,000 x 200 set). Whatever it cannot be sure of, it leaves to the byte pass.

The `chiso` command has a large file read by two processes: a forked child reads the second half
of the records into the same matrices, in shared memory (read_table's `processes`).
"""

from __future__ import annotations

import csv
import io as _io
import os
import pickle
import re
import sys
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from .errors import FrameworkError, Message

BLOCK_BYTES = 1 << 20  # about 1 MB of records at a time
CHUNK_FIELDS = 16384  # numbers parsed together: 128 KB per temporary, which stays in the CPU cache
FIELD_LIMIT = 131072  # csv.field_size_limit(): longer fields make the csv module fail
PARALLEL_BYTES = 4 << 20  # less data is read by one process: the fork would cost more than it saves

QUOTE, COMMA, LF, CR = 34, 44, 10, 13


def read_csv_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """A CSV file as its header (names stripped) and rows of text, by the csv module; an empty
    file, one not in UTF-8 or not CSV is a FrameworkError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise FrameworkError(Message("file.empty"), str(path))
            return [h.strip() for h in header], [row for row in reader]
    except UnicodeDecodeError as e:
        raise FrameworkError(Message("file.not_utf8", reason=e.reason, byte=e.start), str(path)) from None
    except csv.Error as e:
        raise FrameworkError(Message("file.not_csv", error=str(e)), str(path)) from None


class Fallback(Exception):
    """The byte pass cannot read this file with certainty; the csv module reads it."""


class Table(NamedTuple):
    """What the reader found: the header, the text columns, the number columns and odd cells.

    (A named tuple, not a dataclass: a dataclass costs the command's start-up a few million
    instructions to generate its methods.)"""

    header: list[str]
    n_rows: int
    text: dict[str, list[str | None]]
    numbers: np.ndarray  # (rows, the first n_main number columns), NaN where blank or not a number
    extra: np.ndarray  # (rows, the other number columns)
    number_columns: tuple[str, ...]
    not_applicable: np.ndarray | None  # like `numbers`: True where "N/A"
    bad: list[tuple[int, str, str]]  # (row index, column, cell)


# ---------------------------------------------------------------------- numbers
_ZEROS = np.uint64(0x3030303030303030)
_M8 = np.uint64(0x00FF00FF00FF00FF)
_M16 = np.uint64(0x0000FFFF0000FFFF)
_M32 = np.uint64(0x00000000FFFFFFFF)
_POW10 = np.array([10.0 ** k for k in range(23)])
_TWO53 = 2 ** 53
_TEN16 = np.uint64(10 ** 16)
_TEN8 = np.uint64(10 ** 8)

_LD = np.longdouble
# x87 extended precision: a 64-bit significand holds 17-digit integers and 10**27 exactly.
_EXTENDED = (np.finfo(_LD).nmant == 63 and np.dtype(_LD).itemsize == 16 and np.little_endian)
_POW10_LD = np.array([10 ** k for k in range(28)], dtype=_LD) if _EXTENDED else None
MAX_MANTISSA = 24  # characters of a mantissa read by the byte pass; longer ones by Python


def _eight_digits(x: np.ndarray) -> np.ndarray:
    """Eight ASCII digits per uint64 (first character in the lowest byte) -> their value (SWAR)."""
    x = x - _ZEROS
    x = (x * np.uint64(10) + (x >> np.uint64(8))) & _M8
    x = (x * np.uint64(100) + (x >> np.uint64(16))) & _M16
    return (x * np.uint64(10000) + (x >> np.uint64(32))) & _M32


def parse_numbers(u: np.ndarray, S: np.ndarray, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numbers in the fields [S, E) of the byte array `u`.

    Returns the values and a mask of the fields that are not plain numbers (left to Python;
    their value is NaN). Every value returned is the double Python's float() gives.
    """
    F = S.size
    if not isinstance(u, _Padded):
        u = _Padded.of(u)
    if F > CHUNK_FIELDS:
        # Slices whose temporaries stay in the CPU cache: twice as fast as one pass over a block.
        values, odd = np.empty(F), np.empty(F, dtype=bool)
        for i in range(0, F, CHUNK_FIELDS):
            values[i:i + CHUNK_FIELDS], odd[i:i + CHUNK_FIELDS] = parse_numbers(u, S[i:i + CHUNK_FIELDS],
                                                                              E[i:i + CHUNK_FIELDS])
        return values, odd
    values = np.full(F, np.nan)
    odd = np.ones(F, dtype=bool)
    if F == 0:
        return values, odd
    L = E - S
    cand = np.flatnonzero((L > 0) & (L <= MAX_MANTISSA))
    if not cand.size:
        return values, odd
    Lc = L[cand]
    # By width (8, 16 or 24 bytes a row): short fields cost one 8-byte word, not three.
    for lo, hi in ((0, 8), (8, 16), (16, MAX_MANTISSA)):
        group = cand if (lo == 0 and Lc.max() <= 8) else cand[(Lc > lo) & (Lc <= hi)]
        if not group.size:
            continue
        v, ok, expo = _mantissas(u, S[group], E[group])
        values[group[ok]] = v[ok]
        odd[group[ok]] = False
        if expo.size:
            # Fields holding an exponent mark: the mantissa ends there.
            f = group[expo]
            v, ok = _with_exponent(u, S[f], E[f])
            values[f[ok]] = v[ok]
            odd[f[ok]] = False
        if group is cand:
            break
    return values, odd


class _Padded(np.ndarray):
    """The block's bytes with MAX_MANTISSA bytes in front, so a window ending at any field fits."""

    @classmethod
    def of(cls, u: np.ndarray) -> "_Padded":
        padded = np.empty(u.size + MAX_MANTISSA, dtype=np.uint8)
        padded[:MAX_MANTISSA] = 48
        padded[MAX_MANTISSA:] = u
        view = padded[MAX_MANTISSA:].view(cls)
        view.windows = {}
        view.full = padded
        return view


def _window(u: np.ndarray, S: np.ndarray, E: np.ndarray):
    """The fields right-aligned in rows of W bytes (W a multiple of 8), the column of each field's
    first byte, and W."""
    L = E - S
    W = 8 * -(-int(L.max()) // 8)
    if isinstance(u, _Padded):
        win = u.windows.get(W)
        if win is None:
            full = u.full
            # row i = the W bytes ending at byte i of the block
            win = u.windows[W] = np.lib.stride_tricks.as_strided(
                full[MAX_MANTISSA - W:], shape=(full.size - MAX_MANTISSA + 1, W), strides=(1, 1), writeable=False)
        C = win[E]
    else:
        padded = np.concatenate([np.full(W, 48, dtype=np.uint8), u])
        C = np.lib.stride_tricks.sliding_window_view(padded, W)[E]
    return C, W - L, W


_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_ONES = np.uint64(0x0101010101010101)
_FF = np.uint64(0xFF)


def _mask_table(W: int) -> tuple[np.ndarray, np.ndarray]:
    """For every first column 0..W: per word, 0xFF on the columns >= first, and on column `first` alone."""
    cols = np.arange(W)
    inside = np.zeros((W + 1, W), dtype=np.uint8)
    inside[cols[None, :] >= np.arange(W + 1)[:, None]] = 0xFF
    head = np.zeros((W + 1, W), dtype=np.uint8)
    head[np.arange(W), np.arange(W)] = 0xFF
    return inside.view(np.uint64), head.view(np.uint64)


_MASKS = {W: _mask_table(W) for W in (8, 16, 24)}


def _byte_masks(first: np.ndarray, W: int) -> tuple[np.ndarray, np.ndarray]:
    """Per 8-byte word (rows): 0xFF on the field's bytes (columns >= first), and on its first byte only."""
    inside, head = _MASKS[W]
    return np.ascontiguousarray(inside[first].T), np.ascontiguousarray(head[first].T)


def _words(mask: np.ndarray) -> np.ndarray:
    """(F, W) bytes as W/8 contiguous rows of F 8-byte words."""
    return np.ascontiguousarray(np.ascontiguousarray(mask).view(np.uint64).T)


def _mantissas(u: np.ndarray, S: np.ndarray, E: np.ndarray):
    """(values, ok, fields with an exponent mark) for the fields [S, E): sign, digits, one point.

    Works on 8-byte words: a comparison gives 0x01 bytes, the field's bytes are masked with
    0xFF bytes, and counts are popcounts -- no reductions along short rows.
    """
    C, first, W = _window(u, S, E)
    inside, head = _byte_masks(first, W)
    digit = _words((C - np.uint8(48)) < 10)
    point = _words(C == 46)
    minus = _words(C == 45)
    plus = _words(C == 43)
    bad = np.zeros(S.size, dtype=np.uint64)
    negative = np.zeros(S.size, dtype=np.uint64)
    n_points = np.zeros(S.size, dtype=np.uint8)
    n_digits = np.zeros(S.size, dtype=np.uint8)
    for g in range(W // 8):
        sign_ok = (minus[g] | plus[g]) & head[g]
        bad |= ~(digit[g] | point[g] | sign_ok) & _ONES & inside[g]
        negative |= minus[g] & head[g]
        point[g] &= inside[g]
        digit[g] &= inside[g]
        n_points += np.bitwise_count(point[g])
        n_digits += np.bitwise_count(digit[g])
    is_bad = bad != 0
    expo = np.zeros(0, dtype=np.intp)
    if is_bad.any():
        marks = _words((C | np.uint8(32)) == 101)
        n_marks = sum(np.bitwise_count(m & inside[g]) for g, m in enumerate(marks))
        expo = np.flatnonzero(is_bad & (n_marks == 1))
    ok = ~is_bad & (n_points <= 1) & (n_digits > 0)
    v, exact = _value(_words(C), digit, point, n_points, W, negative != 0, np.zeros(S.size, dtype=np.int64))
    return v, ok & exact, expo


_POW10_U = np.array([10 ** min(k, 19) for k in range(25)], dtype=np.uint64)


def _value(Cw, digit, point, n_points, W, negative, exponent):
    """The double of right-aligned mantissas times 10**exponent: exact, or `exact` False (Python decides).

    `Cw`: the bytes as 8-byte words; `digit`, `point`: per-word 0x01 masks of the field's digits
    and point. The digits become their values (XOR 0x30: no borrow between bytes), the part
    left of the point moves one column right over it, and eight digits per word combine by SWAR.
    """
    n = Cw[0].size
    has_point = n_points == 1
    # All ones once the point is passed (or when there is none: nothing moves).
    seen = np.uint64(0) - (~has_point).astype(np.uint64)
    carry = np.zeros(n, dtype=np.uint64)
    raw = np.zeros(n, dtype=np.uint64)
    frac = np.zeros(n, dtype=np.uint8)
    small = None
    one, eight = np.uint64(1), np.uint64(8)
    G = W // 8
    for g in range(G):
        d = Cw[g] ^ _ZEROS
        d &= digit[g] * _FF
        pw = point[g]
        before = pw - one
        before &= ~seen
        after = ~((pw << eight) - one)
        after |= seen
        seen |= np.uint64(0) - (pw != 0).astype(np.uint64)
        left = d & before
        x = left << eight
        x |= carry
        x |= d & after
        carry = left >> np.uint64(56)
        frac += np.bitwise_count(digit[g] & after)
        x = (x * np.uint64(10) + (x >> eight)) & _M8
        x = (x * np.uint64(100) + (x >> np.uint64(16))) & _M16
        x = (x * np.uint64(10000) + (x >> np.uint64(32))) & _M32
        if g == 0 and G == 3:
            small = x < 10  # at most 17 significant digits
            x[~small] = 0
        raw *= _TEN8
        raw += x
    mantissa = raw
    e10 = exponent - np.where(has_point, frac, 0)
    fast = mantissa < np.uint64(_TWO53)
    if small is not None:
        fast &= small
    m = mantissa.astype(float)
    if exponent.any():
        fast &= np.abs(e10) <= 22
        pw10 = _POW10[np.minimum(np.abs(e10), 22)]
        v = np.where(e10 >= 0, m * pw10, m / pw10)
    else:  # e10 = -(digits after the point) <= 0
        fast &= e10 >= -22
        v = m / _POW10[np.minimum(-e10, 22)]
    rest = ~fast & (mantissa < np.uint64(10 ** 17)) & (np.abs(e10) <= 27)
    if small is not None:
        rest &= small
    if _EXTENDED and rest.any():
        r = np.flatnonzero(rest)
        ml = mantissa[r].astype(_LD)
        er = e10[r]
        pl = _POW10_LD[np.abs(er)]
        rl = np.where(er >= 0, ml * pl, ml / pl)
        significand = rl.view(np.uint64)[0::2]
        # Rounded to extended precision onto a midpoint between two doubles: only Python knows.
        ok = (significand & np.uint64(0x7FF)) != np.uint64(0x400)
        v[r[ok]] = rl[ok].astype(float)
        fast[r[ok]] = True
    np.negative(v, out=v, where=negative)
    return v, fast


def _with_exponent(u: np.ndarray, S: np.ndarray, E: np.ndarray):
    """Fields with one exponent mark: a mantissa as above, then an optional sign and 1-4 digits."""
    C, first, W = _window(u, S, E)
    j = np.arange(W)
    inside = j >= first[:, None]
    mark = ((C | np.uint8(32)) == 101) & inside
    q = mark.argmax(axis=1)  # the mark's column
    rows = np.arange(S.size)
    after = j > q[:, None]
    lead = C[rows, np.minimum(q + 1, W - 1)]
    has_sign = (q + 1 < W) & ((lead == 45) | (lead == 43))
    digit = (C - np.uint8(48)) < 10
    exp_digits = after & ~((j == (q + 1)[:, None]) & has_sign[:, None])
    n_exp = exp_digits.sum(axis=1)
    ok = (n_exp >= 1) & (n_exp <= 4) & (digit | ~exp_digits).all(axis=1)
    value = np.zeros(S.size, dtype=np.int64)
    for col in range(W):
        take = exp_digits[:, col]
        value = np.where(take, value * 10 + (C[:, col].astype(np.int64) - 48), value)
    exponent = np.where(has_sign & (lead == 45), -value, value)
    # The mantissa: the bytes before the mark.
    Em = E - (W - q)
    ok &= Em > S
    v = np.full(S.size, np.nan)
    good = np.flatnonzero(ok)
    if good.size:
        vg, okg, _ = _mantissas(u, S[good], Em[good])
        # _mantissas scaled by 10**0; apply the exponent exactly: re-read with it.
        C2, first2, W2 = _window(u, S[good], Em[good])
        inside2, head2 = _byte_masks(first2, W2)
        digit2 = _words((C2 - np.uint8(48)) < 10)
        point2 = _words(C2 == 46)
        minus2 = _words(C2 == 45)
        n_points = np.zeros(good.size, dtype=np.uint8)
        negative = np.zeros(good.size, dtype=bool)
        for g in range(W2 // 8):
            digit2[g] &= inside2[g]
            point2[g] &= inside2[g]
            n_points += np.bitwise_count(point2[g])
            negative |= (minus2[g] & head2[g]) != 0
        vg, exact = _value(_words(C2), digit2, point2, n_points, W2, negative, exponent[good])
        v[good] = vg
        ok[good] = okg & exact
    return v, ok


# ---------------------------------------------------------------------- the byte pass
def _separators(u: np.ndarray) -> np.ndarray:
    """Positions of the commas and newlines outside quoted fields; Fallback on doubtful quoting."""
    sep = (u == COMMA) | (u == LF)
    q = u == QUOTE
    n_quotes = int(np.count_nonzero(q))
    if n_quotes:
        # Quotes only around whole fields (no separator or quote inside them): the plain split holds.
        pos = np.flatnonzero(sep)
        starts = np.empty(pos.size, dtype=np.intp)
        starts[0] = 0
        starts[1:] = pos[:-1] + 1
        ends = pos - ((u[np.maximum(pos - 1, 0)] == CR) & (pos > starts))
        around = (ends - starts >= 2) & (u[starts] == QUOTE) & (u[np.maximum(ends - 1, 0)] == QUOTE)
        if 2 * int(np.count_nonzero(around)) == n_quotes:
            crs = np.flatnonzero(u == CR)
            if crs.size and not (u[np.minimum(crs + 1, u.size - 1)] == LF).all():
                raise Fallback("carriage return without a newline")
            return pos
    if n_quotes:
        inside = np.bitwise_xor.accumulate(q.view(np.uint8)).view(bool)
        qpos = np.flatnonzero(q)
        # An opening quote must start a field (or follow a closing quote: a doubled quote);
        # a closing quote must end the field (or be followed by a quote).
        opening = inside[qpos]
        prev = u[qpos - 1] if qpos.size else qpos
        prev = np.where(qpos > 0, prev, LF)
        nxt = u[np.minimum(qpos + 1, u.size - 1)]
        ok_open = (prev == COMMA) | (prev == LF) | (prev == QUOTE)
        ok_close = (nxt == COMMA) | (nxt == LF) | (nxt == CR) | (nxt == QUOTE) | (qpos + 1 >= u.size)
        if not np.where(opening, ok_open, ok_close).all():
            raise Fallback("quote in the middle of a field")
        sep &= ~inside
        crs = np.flatnonzero((u == CR) & ~inside)
    else:
        crs = np.flatnonzero(u == CR)
    if crs.size and not (u[np.minimum(crs + 1, u.size - 1)] == LF).all():
        raise Fallback("carriage return without a newline")
    return np.flatnonzero(sep)


def _fields(u: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends) of every field, shaped (records, n_cols), and the quoted-field flags; blank lines dropped."""
    pos = _separators(u)
    starts = np.empty(pos.size, dtype=np.intp)
    starts[0] = 0
    starts[1:] = pos[:-1] + 1
    ends = pos.copy()
    is_nl = u[pos] == LF
    # "\r\n": the record's last field ends before the "\r".
    cr = is_nl & (ends > starts) & (u[np.maximum(ends - 1, 0)] == CR)
    ends[cr] -= 1
    rec_last = np.flatnonzero(is_nl)
    per_record = np.diff(rec_last, prepend=-1)
    if (per_record != n_cols).any():
        # Empty lines are no records (the csv module yields [] and the reader skips them).
        empty_line = (per_record == 1) & (ends[rec_last] == starts[rec_last])
        if ((per_record != n_cols) & ~empty_line).any():
            raise Fallback("rows with more or fewer fields than the header")
        drop = rec_last[empty_line]
        keep = np.ones(pos.size, dtype=bool)
        keep[drop] = False
        starts, ends = starts[keep], ends[keep]
    if starts.size and (ends - starts).max() > FIELD_LIMIT:
        raise Fallback("a field longer than the csv module's limit")
    starts = starts.reshape(-1, n_cols)
    ends = ends.reshape(-1, n_cols)
    return starts, ends


def _unquote(u: np.ndarray, S: np.ndarray, E: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fields between quotes without their quotes; the flag of fields still holding a quote (doubled quotes)."""
    L = E - S
    quoted = (L >= 2) & (u[S] == QUOTE)
    S = S + quoted
    E = E - quoted
    return S, E, quoted


def _read_blocks(f, first: bytes, stop: int | None = None):
    """Blocks of whole records: each ends with a newline outside quotes (an even number of quotes before it).

    `first`, then the file from its position to the end, or to byte `stop` (just after a newline
    outside quotes: see _newlines)."""
    data = first
    while True:
        chunk = f.read(BLOCK_BYTES if stop is None else min(BLOCK_BYTES, stop - f.tell()))
        if chunk:
            data = data + chunk if data else chunk
        elif not data:
            return
        cut = data.rfind(b"\n")
        while cut >= 0 and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut)
        if not chunk:
            if cut + 1 < len(data):
                data += b"\n"
            yield data
            return
        if cut < 0:
            continue
        yield data[:cut + 1]
        data = data[cut + 1:]


def _header(f) -> tuple[list[str], bytes]:
    """The header row (csv module, stripped names) and the bytes read after it."""
    data = f.read(min(BLOCK_BYTES, 1 << 16))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    while True:
        u = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(u == LF)
        q = u == QUOTE
        if q.any() and nl.size:
            nl = nl[np.bitwise_xor.accumulate(q.view(np.uint8))[nl] == 0]
        if nl.size:
            break
        more = f.read(BLOCK_BYTES)
        if not more:
            nl = np.array([len(data)])
            break
        data += more
    cut = int(nl[0]) + 1
    line = data[:cut]
    if b"\x00" in line:
        raise Fallback("NUL byte")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise Fallback("not UTF-8") from None
    body = text[:-2] if text.endswith("\r\n") else text.rstrip("\n")
    if "\r" in body:
        raise Fallback("carriage return without a newline")
    try:
        row = next(csv.reader([body]), None)
    except csv.Error:
        raise Fallback("the csv module's own message") from None
    if not row:
        raise Fallback("no header")
    return [h.strip() for h in row], data[cut:]


def read_table(path: str | Path, number_columns: Sequence[str], na_columns: Sequence[str],
               text_columns: Sequence[str], n_main: int | None = None, spare: int = 0,
               processes: int = 1) -> Table:
    """Read the named columns of an iData CSV file; Fallback when only the csv module can.

    `number_columns` are parsed as numbers ("N/A" is a marker in `na_columns`); the first
    `n_main` of them go to `Table.numbers` (one C-ordered matrix: the indicators), the others
    to `Table.extra`. `text_columns` are kept as stripped text (None when blank or "NA").
    `spare` > 0 allocates that many more columns after the `n_main` (left unset): `Table.numbers`
    is then a view of the first `n_main` columns of that wider matrix (its `base`), so a caller
    that owns the data can write results beside it instead of allocating a second matrix.

    `processes` > 1: a file with PARALLEL_BYTES of data or more is read by two processes on Linux
    (os.fork; see _read_in_two), with the same result. Only for a caller that is a
    single-threaded process of its own (the `chiso` command): forking a multi-threaded one (a web
    server) can leave the child waiting for a lock no thread of it will release.
    """
    n_main = len(number_columns) if n_main is None else n_main
    with open(path, "rb") as f:
        head, rest = _header(f)
        columns = _Columns.of(head, number_columns, na_columns, text_columns, n_main)
        resume = f.tell()
        start = resume - len(rest)  # the first byte after the header
        size = os.fstat(f.fileno()).st_size
        middle = None
        if processes > 1 and sys.platform == "linux" and size - start >= PARALLEL_BYTES:
            middle = start + (size - start) // 2
        newlines, split = _newlines(f, start, middle)
        # An upper bound on the records, so the values matrix is allocated once.
        lines = newlines + 1
        if split is None:
            records = _Records(np.empty((lines, n_main + spare)), np.empty((lines, len(number_columns) - n_main)),
                               0, columns)
            f.seek(resume)
            _read_range(_read_blocks(f, rest), columns, records)
        else:
            records = _read_in_two(path, f, start, split, lines, columns, spare)
    return records.table(head)


class _Columns(NamedTuple):
    """Which fields of a record are read, and how."""

    n_cols: int  # fields in a record (the header's)
    number_columns: tuple[str, ...]
    num_idx: np.ndarray  # their fields
    allow_na: np.ndarray  # per number column: "N/A" is a marker
    n_main: int  # the first n_main number columns go to Table.numbers
    text_columns: tuple[str, ...]
    text_idx: list[int]  # their fields

    @classmethod
    def of(cls, head: list[str], number_columns: Sequence[str], na_columns: Sequence[str],
           text_columns: Sequence[str], n_main: int) -> "_Columns":
        pos = {c: i for i, c in enumerate(head)}
        na_set = set(na_columns)
        return cls(n_cols=len(head), number_columns=tuple(number_columns),
                   num_idx=np.array([pos[c] for c in number_columns], dtype=np.intp),
                   allow_na=np.array([c in na_set for c in number_columns], dtype=bool), n_main=n_main,
                   text_columns=tuple(text_columns), text_idx=[pos[c] for c in text_columns])


class _Records:
    """The records of a byte range as they are read: their values go to rows `first`, `first + 1`,
    ... of the matrices `main` (the first n_main number columns) and `extra`; their text cells,
    "N/A" marks and cells that are not numbers are kept with row numbers counted from the range's
    first record."""

    def __init__(self, main: np.ndarray, extra: np.ndarray, first: int, columns: _Columns):
        self.main, self.extra, self.first, self.columns = main, extra, first, columns
        self.n = 0
        self.not_applicable: np.ndarray | None = None  # allocated at the first "N/A"
        self.text: dict[str, list[str | None]] = {c: [] for c in columns.text_columns}
        self.bad: list[tuple[int, str, str]] = []

    def add(self, vals: np.ndarray, na: np.ndarray | None, texts: Sequence[list], bad) -> None:
        """The next records: their number cells, "N/A" marks (None: none), text columns and bad cells."""
        k = self.columns.n_main
        R = vals.shape[0]
        at = self.first + self.n
        self.main[at:at + R, :k] = vals[:, :k]
        self.extra[at:at + R] = vals[:, k:]
        if self.not_applicable is None and na is not None and na[:, :k].any():
            self.not_applicable = np.zeros((self.main.shape[0] - self.first, k), dtype=bool)
        if self.not_applicable is not None:
            self.not_applicable[self.n:self.n + R] = False if na is None else na[:, :k]
        for c, t in zip(self.columns.text_columns, texts):
            self.text[c].extend(t)
        self.bad.extend((self.n + r, c, v) for r, c, v in bad)
        self.n += R

    def marks(self) -> np.ndarray:
        """The "N/A" marks as positions in the records' (n, n_main) block."""
        if self.not_applicable is None:
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(self.not_applicable[:self.n])

    def add_moved(self, at: int, n: int, text: dict[str, list], bad: list, marks: np.ndarray) -> None:
        """`n` records another process wrote from row `at` on (at >= the rows read here), moved to
        follow these, with what it found (as `text`, `bad` and marks())."""
        rows = slice(self.n, self.n + n)
        if at != self.n:
            # Blank lines or newlines inside quotes before the split: NumPy copies the rows
            # first when they overlap.
            self.main[rows] = self.main[at:at + n]
            self.extra[rows] = self.extra[at:at + n]
        if marks.size:
            if self.not_applicable is None:
                self.not_applicable = np.zeros((self.main.shape[0], self.columns.n_main), dtype=bool)
            self.not_applicable[rows].flat[marks] = True
        for c, column in self.text.items():
            column.extend(text[c])
        self.bad.extend((self.n + r, c, v) for r, c, v in bad)
        self.n += n

    def table(self, head: list[str]) -> Table:
        n, na = self.n, self.not_applicable
        if na is not None and not na[:n].any():
            na = None
        return Table(header=head, n_rows=n, text=self.text, numbers=self.main[:n, :self.columns.n_main],
                     extra=self.extra[:n], number_columns=self.columns.number_columns,
                     not_applicable=None if na is None else na[:n], bad=self.bad)


def _read_range(blocks, columns: _Columns, records: _Records) -> None:
    """Every record of `blocks` into `records`: the one loop of the serial and the parallel reads."""
    n_cols, num_idx, text_idx = columns.n_cols, columns.num_idx, columns.text_idx
    for block in blocks:
        if b"\x00" in block:
            raise Fallback("NUL byte")
        if not block.isascii():
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:
                raise Fallback("not UTF-8") from None
        plain = _plain_block(block, n_cols, num_idx, text_idx) if FAST_PATH else None
        if plain is not None:
            vals, texts = plain
            records.add(vals, None, texts, ())
            continue
        u = np.frombuffer(block, dtype=np.uint8)
        starts, ends = _fields(u, n_cols)
        R = starts.shape[0]
        if R == 0:
            continue
        vals, na, blank, block_bad = _block_numbers(block, u, starts[:, num_idx], ends[:, num_idx],
                                                    columns.allow_na, columns.number_columns)
        texts = [_texts(block, u, starts[:, j], ends[:, j]) for j in text_idx]
        # Records whose every cell is blank are no units (as the row-by-row reader).
        candidates = np.flatnonzero(blank.all(axis=1)) if num_idx.size else np.arange(R)
        drop = [r for r in candidates.tolist()
                if all(_blank_text(_cell(block, int(starts[r, j]), int(ends[r, j]))) for j in range(n_cols))]
        if drop:
            keep = np.ones(R, dtype=bool)
            keep[drop] = False
            vals, na = vals[keep], na[keep]
            texts = [[t for t, k in zip(v, keep.tolist()) if k] for v in texts]
            renumber = np.cumsum(keep) - 1
            block_bad = [(int(renumber[r]), c, v) for r, c, v in block_bad if keep[r]]
        records.add(vals, na, texts, block_bad)


# ---------------------------------------------------------------------- two processes
def _newlines(f, start: int, middle: int | None) -> tuple[int, tuple[int, int] | None]:
    """The newlines in the file from byte `start` on; with `middle`, also where the data can be
    split: (the byte after the first newline from `middle` on that is outside quotes, the
    newlines before it), or None when there is none (an odd quote: the file is read by one
    process, and the byte pass judges it)."""
    f.seek(start)
    newlines = quotes = 0  # quotes: before `at`, while the split is looked for
    at = start
    split = None
    for chunk in iter(lambda: f.read(BLOCK_BYTES), b""):
        if middle is not None and at + len(chunk) > middle:
            i = max(middle - at, 0)
            end = _newline_outside_quotes(chunk, i, quotes + chunk.count(b'"', 0, i))
            if end is not None:
                split = (at + end + 1, newlines + chunk.count(b"\n", 0, end + 1))
                middle = None
        if middle is not None:
            quotes += chunk.count(b'"')
        newlines += chunk.count(b"\n")
        at += len(chunk)
    return newlines, split


def _newline_outside_quotes(chunk: bytes, i: int, quotes: int) -> int | None:
    """The first newline from chunk[i] on with an even number of quotes before it (`quotes` before chunk[i])."""
    p = chunk.find(b"\n", i)
    if p < 0:
        return None
    quotes += chunk.count(b'"', i, p)
    while quotes % 2:
        q = chunk.find(b"\n", p + 1)
        if q < 0:
            return None
        quotes += chunk.count(b'"', p, q)
        p = q
    return p


def _shared_matrices(rows: int, main_columns: int, extra_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The values matrices in memory a forked child writes to as well (an anonymous MAP_SHARED map).

    np.ndarray over the map keeps it alive as its `base`, and a slice's `base` is the matrix
    itself (as with np.empty), so Table.numbers stays a view of the wider matrix."""
    # lazy: only a read in two processes maps memory (the command's start-up, issue 22)
    import mmap

    main_bytes = rows * main_columns * 8
    memory = mmap.mmap(-1, max(main_bytes + rows * extra_columns * 8, 1))
    return (np.ndarray((rows, main_columns), dtype=float, buffer=memory),
            np.ndarray((rows, extra_columns), dtype=float, buffer=memory, offset=main_bytes))


def _read_in_two(path: str | Path, f, start: int, split: tuple[int, int], lines: int, columns: _Columns,
                 spare: int) -> _Records:
    """The data from byte `start` to the split read here, the rest by a forked child at the same time.

    np.loadtxt holds the GIL, so threads would take turns; a process of its own parses on the
    other core. The child writes its numbers into the same (shared) matrices from row `first` on,
    the newlines before the split: no fewer than the records here. It sends the rest of what it
    found through a pipe; its rows are then moved to follow these. A Fallback in it is one for
    the file; if it fails otherwise, its part is read here, so nothing is lost or said otherwise.
    """
    # lazy: only a read in two processes may end its child (the command's start-up, issue 22)
    import signal

    at, first = split
    main, extra = _shared_matrices(lines, columns.n_main + spare, len(columns.number_columns) - columns.n_main)
    records = _Records(main, extra, 0, columns)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:  # whatever happens, the child ends here: never back into the caller's code
            os.close(reading)
            with open(writing, "wb") as pipe:
                pickle.dump(_second_part(path, at, _Records(main, extra, first, columns)), pipe,
                            protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    with open(reading, "rb") as pipe:
        try:
            f.seek(start)
            _read_range(_read_blocks(f, b"", at), columns, records)
            report = _receive(pipe)
        except BaseException:
            os.kill(pid, signal.SIGKILL)  # its part is of no use any more
            raise
        finally:
            os.waitpid(pid, 0)
    if report is None:
        f.seek(at)
        _read_range(_read_blocks(f, b""), columns, records)
    elif report[0] == "fallback":
        raise Fallback(report[1])
    else:
        records.add_moved(first, *report[1:])
    return records


def _second_part(path: str | Path, at: int, records: _Records) -> tuple:
    """In the child: the records from byte `at` to the end, as ("read", n, text, bad, marks), or ("fallback", why)."""
    try:
        with open(path, "rb") as f:  # its own file position (a forked one is shared with the parent)
            f.seek(at)
            _read_range(_read_blocks(f, b""), records.columns, records)
    except Fallback as e:
        return ("fallback", str(e))
    return ("read", records.n, records.text, records.bad, records.marks())


def _receive(pipe) -> tuple | None:
    """The child's report, or None when it died without one."""
    try:
        return pickle.load(pipe)
    except (EOFError, pickle.UnpicklingError):
        return None


# ---------------------------------------------------------------------- plain blocks, in C
FAST_PATH = True  # tests switch it off to compare both paths
# An empty cell after a comma, and a cell "NA" after one: one pass each (the lookahead keeps the
# next comma, so runs of empty cells are all found).
_EMPTY_CELL = re.compile(rb",(?=[,\n])")
_NA_CELL = re.compile(rb",NA(?=[,\n])")


def _plain_block(block: bytes, n_cols: int, num_idx: np.ndarray, text_idx: Sequence[int]):
    """(values, text columns) of a plainly shaped block through NumPy's C reader, or None.

    Plain: every record has exactly `n_cols` fields, quotes only around whole fields without a
    comma, a quote or a newline inside, and those only among the fields up to the last text
    column; every number cell is blank, "NA" or a number `float()` reads. Blank and "NA" cells
    become "nan" by a bytes replacement, and `np.loadtxt` parses the rest in C with
    `PyOS_string_to_double`, the function `float()` calls: the doubles are the same. Anything
    else (a word, "N/A", "1_000", a quoted number, ragged rows, a lone carriage return) makes
    NumPy or the checks here refuse the block, and the byte pass reads it exactly, with its
    messages naming row and column.
    """
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n")
        if b"\r" in block:
            return None
    lines = block.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    if b"" in lines:  # blank lines are no records (the csv module yields [] for them)
        lines = [line for line in lines if line]
    if not lines:
        return np.empty((0, num_idx.size)), [[] for _ in text_idx]
    commas = n_cols - 1
    if [line.count(b",") for line in lines].count(commas) != len(lines):
        return None  # ragged, or a comma inside quotes
    t = max(text_idx) + 1 if text_idx else 0
    parts = [line.split(b",", t) for line in lines] if t else None
    if b'"' in block:
        for i, line in enumerate(lines):
            if b'"' not in line:
                continue
            if not t or (len(parts[i]) > t and b'"' in parts[i][t]):
                return None  # quotes beyond the text columns: the byte pass unquotes them
            ps = parts[i]
            for f in ps[:t]:
                if b'"' in f and not (len(f) >= 2 and f[0] == QUOTE == f[-1] and f.count(b'"') == 2):
                    return None
    R = len(lines)
    if num_idx.size:
        body = _EMPTY_CELL.sub(b",nan", b"\n" + b"\n".join(lines) + b"\n")
        if b"\n," in body:
            body = body.replace(b"\n,", b"\nnan,")
        if b"NA" in body:
            body = _NA_CELL.sub(b",nan", body)
            if b"\nNA," in body:
                body = body.replace(b"\nNA,", b"\nnan,")
        try:
            vals = np.loadtxt(body.decode("utf-8").split("\n"), dtype=float, delimiter=",", comments=None,
                              quotechar='"', usecols=num_idx.tolist(), ndmin=2)
        except (ValueError, TypeError, OverflowError):
            return None  # a cell float() may refuse: the byte pass says which
        if vals.shape != (R, num_idx.size):
            return None
    else:
        vals = np.empty((R, 0))
    texts = []
    for p in text_idx:
        col = [ps[p] for ps in parts]
        out = b"\x00".join(col).decode("utf-8").split("\x00")
        texts.append([None if (s := (v[1:-1] if v[:1] == '"' else v).strip()) in ("", "NA") else s
                      for v in out])
    # Records whose every cell is blank are no units: only a record without a number can be one.
    candidates = np.flatnonzero(np.isnan(vals).all(axis=1)).tolist() if num_idx.size else range(R)
    drop = [r for r in candidates if all(_blank_text(f.decode("utf-8")[1:-1] if f[:1] == b'"' else f.decode("utf-8"))
                                         for f in lines[r].split(b","))]
    if drop:
        keep = np.ones(R, dtype=bool)
        keep[drop] = False
        vals = vals[keep]
        texts = [[v for v, k in zip(col, keep.tolist()) if k] for col in texts]
    return vals, texts


def _block_numbers(block: bytes, u: np.ndarray, starts: np.ndarray, ends: np.ndarray, allow_na: np.ndarray,
                   names: Sequence[str]):
    """The number cells of a block: values, "N/A" markers, blank flags and the cells that are not numbers."""
    R, m = starts.shape
    S0, E0 = starts.ravel(), ends.ravel()
    S, E, _ = _unquote(u, S0, E0)
    vals, odd = parse_numbers(u, S, E)
    L = E - S
    last = u.size - 1
    first = u[S]
    blank = L == 0
    blank |= (L == 2) & (first == ord("N")) & (u[np.minimum(S + 1, last)] == ord("A"))
    odd &= ~blank
    if allow_na.any():
        na = (L == 3) & ((first | 32) == ord("n")) & (u[np.minimum(S + 1, last)] == ord("/")) \
            & ((u[np.minimum(S + 2, last)] | 32) == ord("a"))
        na &= np.tile(allow_na, R)
        odd &= ~na
    else:
        na = np.zeros(S.size, dtype=bool)
    vals, na, blank = vals.reshape(R, m), na.reshape(R, m), blank.reshape(R, m)
    bad = []
    for cell in np.flatnonzero(odd).tolist():
        r, j = divmod(cell, m)
        v = _cell(block, int(S0[cell]), int(E0[cell]))
        value, marker = _number(v, bool(allow_na[j]))
        if value is _BAD:
            bad.append((r, names[j], v))
        else:
            vals[r, j] = value
            na[r, j] = marker
            blank[r, j] = _blank_text(v)
    return vals, na, blank, bad


def read_header(path: str | Path) -> list[str]:
    with open(path, "rb") as f:
        return _header(f)[0]


# ---------------------------------------------------------------------- cells left to Python
_BAD = object()


def _cell(block: bytes, s: int, e: int) -> str:
    """One field as the csv module gives it (quotes removed, doubled quotes undone)."""
    raw = block[s:e].decode("utf-8")
    if '"' not in raw:
        return raw
    return next(csv.reader(_io.StringIO(raw)), [""])[0] if raw else ""


def _blank_text(v: str) -> bool:
    return v.strip() in ("", "NA")


def _number(v: str, allow_na: bool):
    """(value, not-applicable) as the row-by-row reader: blank or "NA" missing, "N/A" a marker."""
    s = v.strip()
    if s in ("", "NA"):
        return np.nan, False
    if allow_na and s.upper() == "N/A":
        return np.nan, True
    try:
        return float(s), False
    except ValueError:
        return _BAD, False


def _texts(block: bytes, u: np.ndarray, S: np.ndarray, E: np.ndarray) -> list[str | None]:
    """A text column: stripped, None when blank or "NA"."""
    if S.size == 0:
        return []
    Su, Eu, _ = _unquote(u, S, E)
    pieces = [block[s:e] for s, e in zip(Su.tolist(), Eu.tolist())]
    out = b"\x00".join(pieces).decode("utf-8").split("\x00")
    for i, piece in enumerate(pieces):
        if b'"' in piece:  # a doubled quote inside a quoted field: the csv module undoes it
            out[i] = _cell(block, int(S[i]), int(E[i]))
    return [None if (t := s.strip()) in ("", "NA") else t for s in out]


def _interleave(S: np.ndarray, E: np.ndarray) -> np.ndarray:
    idx = np.empty(2 * S.size, dtype=np.intp)
    idx[0::2] = S
    idx[1::2] = E
    return idx
