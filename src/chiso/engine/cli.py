"""Command line: `chiso index compute ...` (entry point chiso.engine.cli:main); errors are one line on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml

from .build import IndexBuild, canonical_method, default_steps, parse_steps, resolve_params
from .errors import EngineError, StepError
from .io import load, results_table, write_results_csv, write_workbook
from .rank import rank_min

NORMALISE_HELP = ("none | minmax[:L,U] | zscore[:MEAN,SD] | scaled:L,U | rank | prank | borda | dist2max | "
                  "fracmax | dist2ref:UCODE | dist2targ | goalposts[:SCALE]  (default minmax:0,100)")
AGGREGATE_HELP = "amean | gmean | hmean | genmean:P | sum[:SCALE]  (default amean, framework weights)"


# ---------------------------------------------------------------------- option parsing
def parse_normalise(spec: str) -> dict[str, Any]:
    """'minmax:1,10' -> {'method': 'minmax', 'l_u': [1, 10]} (the normalise step's parameters)."""
    method, _, arg = spec.strip().partition(":")
    method = canonical_method("normalise", method)
    nums = _numbers(arg, spec) if arg and method not in ("dist2ref",) else []
    if method in ("minmax", "zscore", "scaled"):
        key = {"minmax": "l_u", "zscore": "m_sd", "scaled": "npara"}[method]
        if not arg:
            return {"method": method}
        if len(nums) != 2:
            raise StepError(f"--normalise {spec}: {method} takes two numbers, e.g. {method}:0,100")
        return {"method": method, key: nums}
    if method == "dist2ref":
        if not arg:
            raise StepError("--normalise dist2ref needs a reference unit code, e.g. dist2ref:DEU")
        return {"method": method, "ref": arg}
    if method == "goalposts":
        if len(nums) > 1:
            raise StepError(f"--normalise {spec}: goalposts takes at most a scale, e.g. goalposts:100")
        return {"method": method, **({"scale": nums[0]} if nums else {})}
    if method in ("none", "rank", "prank", "borda", "dist2max", "fracmax", "dist2targ"):
        if arg:
            raise StepError(f"--normalise {spec}: {method} takes no arguments")
        return {"method": method}
    raise StepError(f"--normalise {spec}: unknown method (use {NORMALISE_HELP})")


def parse_aggregate(spec: str) -> dict[str, Any]:
    method, _, arg = spec.strip().partition(":")
    method = canonical_method("aggregate", method)
    nums = _numbers(arg, spec) if arg else []
    if method in ("amean", "gmean", "hmean"):
        if arg:
            raise StepError(f"--aggregate {spec}: {method} takes no arguments")
        return {"method": method}
    if method == "genmean":
        if len(nums) != 1:
            raise StepError(f"--aggregate {spec}: genmean needs its exponent, e.g. genmean:2")
        return {"method": method, "p": nums[0]}
    if method == "sum":
        return {"method": method, **({"scale": nums[0]} if nums else {})}
    raise StepError(f"--aggregate {spec}: unknown method (use {AGGREGATE_HELP})")


def _numbers(arg: str, spec: str) -> list[float]:
    try:
        return [float(x) for x in arg.split(",")]
    except ValueError:
        raise StepError(f"'{spec}': expected numbers after ':'") from None


def read_steps(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """A steps file: `steps:` followed by a list; each item a step name or {name: {params}}."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise StepError(f"{path}: not valid YAML: {e}") from None
    items = doc.get("steps") if isinstance(doc, dict) else doc
    return parse_steps(items, source=str(path))


def _set_step(steps: list[tuple[str, dict]], name: str, params: dict[str, Any]) -> None:
    for i, (n, _) in enumerate(steps):
        if n == name:
            steps[i] = (name, params)
            return
    at = next((i for i, (n, _) in enumerate(steps) if n in ("aggregate", "points")), len(steps))
    steps.insert(at, (name, params))


# ---------------------------------------------------------------------- commands
def _load(args: argparse.Namespace):
    if args.imeta is None and Path(args.idata).suffix.lower() not in (".yaml", ".yml", ".xlsx"):
        raise StepError("--imeta is required unless --idata is a YAML or XLSX file holding both")
    return load(args.idata, args.imeta)


def cmd_index_compute(args: argparse.Namespace) -> int:
    steps = read_steps(args.steps) if args.steps else default_steps()
    if args.normalise:
        _set_step(steps, "normalise", parse_normalise(args.normalise))
    if args.aggregate:
        _set_step(steps, "aggregate", parse_aggregate(args.aggregate))
    if not any(n in ("aggregate", "points") for n, _ in steps):
        raise StepError("the steps end without aggregating: add an 'aggregate' step")
    framework, data = _load(args)
    build = IndexBuild.from_steps(framework, data, steps)
    res = build.results()
    header, rows = results_table(res.units, res.names, res.codes, res.scores, res.rank, res.time)
    write_results_csv(args.out, header, rows)
    if args.xlsx:
        write_workbook(args.xlsx, _workbook_sheets(build, header, rows))
    return 0


def cmd_index_validate(args: argparse.Namespace) -> int:
    framework, data = _load(args)
    n_missing = int(np.isnan(data.values).sum())
    print(f"ok: {data.n_units} units, {len(framework.indicators)} indicators, "
          f"{len(framework.aggregates)} aggregates over {framework.max_level} levels, "
          f"{n_missing} missing values")
    return 0


def _workbook_sheets(build: IndexBuild, header, rows) -> dict[str, tuple[list, list]]:
    fw, data = build.framework, build.data
    sheets: dict[str, tuple[list, list]] = {"Results": (header, rows)}
    ids = list(zip(data.units, data.names))
    levels = sorted({fw[c].level for c in data.codes if c in fw})
    for lev in levels:
        codes = [c for c in data.codes if c in fw and fw[c].level == lev]
        vals = data.columns(codes)
        sheets[f"Level {lev}"] = (["uCode", "uName", *codes],
                                  [[u, n, *vals[i].tolist()] for i, (u, n) in enumerate(ids)])
    ranks = rank_min(data.values, descending=True)
    sheets["Ranks"] = (["uCode", "uName", *data.codes],
                       [[u, n, *[None if np.isnan(r) else int(r) for r in ranks[i]]] for i, (u, n) in enumerate(ids)])
    log_rows = []
    for i, (step, params) in enumerate(build.log, 1):
        for key, value in params.items():
            text = "" if value is None else yaml.safe_dump(value, default_flow_style=True,
                                                               allow_unicode=True).strip()
            if text.endswith("..."):  # YAML's end-of-document marker after a plain scalar
                text = text[:-3].strip()
            log_rows.append([i, step, key, text])
    sheets["Log"] = (["#", "step", "parameter", "value"], log_rows)
    return sheets


# ---------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chiso", description="Chỉ số: compute composite indices.")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND")
    groups.required = True
    index = groups.add_parser("index", help="composite indices: compute, validate",
                              description="Composite-index commands.")
    sub = index.add_subparsers(dest="command", metavar="SUBCOMMAND")
    sub.required = True

    compute = sub.add_parser("compute", help="compute an index from iData/iMeta files",
                             description="Compute every aggregate and the rank. With no options this is "
                                         "COINr's default: min-max 0-100, then the weighted arithmetic "
                                         "mean level by level with the framework's weights.")
    _data_options(compute)
    compute.add_argument("--steps", metavar="STEPS.yaml",
                         help="the whole pipeline (screen, denominate, impute, treat, normalise, "
                              "aggregate) with parameters; see docs/engine.md")
    compute.add_argument("--normalise", metavar="METHOD", help=NORMALISE_HELP)
    compute.add_argument("--aggregate", metavar="METHOD", help=AGGREGATE_HELP)
    compute.add_argument("--out", required=True, metavar="RESULTS.csv",
                         help="one row per unit: uCode, uName, every aggregate, Rank")
    compute.add_argument("--xlsx", metavar="OUT.xlsx", help="also a workbook: every level, ranks, the log")
    compute.set_defaults(func=cmd_index_compute)

    validate = sub.add_parser("validate", help="check a framework and its data, then stop")
    _data_options(validate)
    validate.set_defaults(func=cmd_index_validate)
    return parser


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--idata", required=True, metavar="DATA",
                   help="unit data: COINr iData CSV, or a YAML/XLSX file with an iData sheet")
    p.add_argument("--imeta", metavar="META",
                   help="framework: COINr iMeta CSV, or YAML/XLSX (default: the --idata file)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EngineError as e:
        print(f"chiso: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        where = f" '{e.filename}'" if getattr(e, "filename", None) else ""
        print(f"chiso: error:{where} {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the CLI promises a message, never a traceback
        print(f"chiso: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
