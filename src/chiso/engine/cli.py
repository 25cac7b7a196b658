"""Command line: `chiso index compute|validate|uncertainty|sensitivity|audit ...` (entry point chiso.engine.cli:main);
errors are one line on stderr.

Start-up is lazy: building the parser imports nothing but argparse, and each sub-command
imports what it needs when it runs (a CSV `compute` loads neither openpyxl, YAML nor the
uncertainty code). `audit` lives in chiso.engine.audit_cli, imported only when it is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .errors import EngineError, Message, StepError

if TYPE_CHECKING:
    from .build import IndexBuild

NORMALISE_HELP = ("none | minmax[:L,U] | zscore[:MEAN,SD] | scaled:L,U | rank | prank | borda | dist2max | "
                  "fracmax | dist2ref:UCODE | dist2targ | goalposts[:SCALE]  (default minmax:0,100)")
AGGREGATE_HELP = ("amean | gmean | hmean | genmean:P | sum[:SCALE] | copeland | mpi | ampi  "
                  "(default amean, framework weights)")


# ---------------------------------------------------------------------- option parsing
def parse_normalise(spec: str) -> dict[str, Any]:
    """'minmax:1,10' -> {'method': 'minmax', 'l_u': [1, 10]} (the normalise step's parameters)."""
    # lazy: NumPy and the engine are not imported for `chiso --help` (issue 22)
    from .build import canonical_method

    method, _, arg = spec.strip().partition(":")
    method = canonical_method("normalise", method)
    nums = _numbers(arg, spec) if arg and method not in ("dist2ref",) else []
    if method in ("minmax", "zscore", "scaled"):
        key = {"minmax": "l_u", "zscore": "m_sd", "scaled": "npara"}[method]
        if not arg:
            return {"method": method}
        if len(nums) != 2:
            raise StepError(Message("cli.normalise_two_numbers", spec=spec, method=method))
        return {"method": method, key: nums}
    if method == "dist2ref":
        if not arg:
            raise StepError(Message("cli.dist2ref_unit"))
        return {"method": method, "ref": arg}
    if method == "goalposts":
        if len(nums) > 1:
            raise StepError(Message("cli.goalposts_scale", spec=spec))
        return {"method": method, **({"scale": nums[0]} if nums else {})}
    if method in ("none", "rank", "prank", "borda", "dist2max", "fracmax", "dist2targ"):
        if arg:
            raise StepError(Message("cli.normalise_no_arguments", spec=spec, method=method))
        return {"method": method}
    raise StepError(Message("cli.normalise_unknown", spec=spec, methods=NORMALISE_HELP))


def parse_aggregate(spec: str) -> dict[str, Any]:
    # lazy: NumPy and the engine are not imported for `chiso --help` (issue 22)
    from .build import canonical_method

    method, _, arg = spec.strip().partition(":")
    method = canonical_method("aggregate", method)
    nums = _numbers(arg, spec) if arg else []
    if method in ("amean", "gmean", "hmean", "copeland", "mpi", "ampi"):
        if arg:
            raise StepError(Message("cli.aggregate_no_arguments", spec=spec, method=method))
        return {"method": method}
    if method == "genmean":
        if len(nums) != 1:
            raise StepError(Message("cli.genmean_exponent", spec=spec))
        return {"method": method, "p": nums[0]}
    if method == "sum":
        return {"method": method, **({"scale": nums[0]} if nums else {})}
    raise StepError(Message("cli.aggregate_unknown", spec=spec, methods=AGGREGATE_HELP))


def _numbers(arg: str, spec: str) -> list[float]:
    try:
        return [float(x) for x in arg.split(",")]
    except ValueError:
        raise StepError(Message("cli.numbers", spec=spec)) from None


def read_steps(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """A steps file: `steps:` followed by a list; each item a step name or {name: {params}}."""
    # lazy: YAML only for a steps file, NumPy not for `chiso --help` (issue 22)
    import yaml

    from .build import parse_steps

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise StepError(Message("cli.not_yaml", path=str(path), error=str(e))) from None
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
def _load(args: argparse.Namespace, room_for_aggregates: bool = False, processes: int = 1):
    """(framework, data); what was converted from COINr users' files (R's write.csv, COINr < 1.0
    workbooks) is said on stderr, leaving stdout to the results. `processes`: see
    chiso.engine.ingest.read_table."""
    # lazy: NumPy and the engine are not imported for `chiso --help` (issue 22)
    from .io import load_with_notes

    if args.imeta is None and Path(args.idata).suffix.lower() not in (".yaml", ".yml", ".xlsx"):
        raise StepError(Message("cli.imeta_required"))
    framework, data, notes = load_with_notes(args.idata, args.imeta, room_for_aggregates=room_for_aggregates,
                                             processes=processes)
    for note in notes:
        print(f"chiso: note: {note}", file=sys.stderr)
    return framework, data


def cmd_index_compute(args: argparse.Namespace) -> int:
    # lazy: NumPy and the engine are not imported for `chiso --help` (issue 22)
    from .build import IndexBuild, default_steps
    from .io import results_table, write_results, write_workbook

    steps = read_steps(args.steps) if args.steps else default_steps()
    if args.normalise:
        _set_step(steps, "normalise", parse_normalise(args.normalise))
    if args.aggregate:
        _set_step(steps, "aggregate", parse_aggregate(args.aggregate))
    if not any(n in ("aggregate", "points") for n, _ in steps):
        raise StepError(Message("cli.no_aggregate"))
    # Only the build holds the data (nothing here keeps a reference), and only its latest data
    # set; it normalises in place and aggregates into the room the reader left beside the
    # indicators: one values matrix in memory for the default pipeline.
    room = any(n == "aggregate" for n, _ in steps)
    # A large iData CSV is parsed by two processes (np.loadtxt holds the GIL: threads would take
    # turns). Forking is safe here: the command is a fresh process with a single thread, and
    # chiso/engine/blas.py set BLAS to one thread before NumPy loaded, so no thread pool is
    # copied in a half-held state. Library callers (a web server's threads) keep one process.
    build = IndexBuild(*_load(args, room_for_aggregates=room, processes=2), keep="last", in_place=True)
    for name, params in steps:
        build.run(name, **dict(params or {}))
    res = build.results()
    write_results(args.out, res.units, res.names, res.codes, res.scores, res.rank, res.time)
    if args.xlsx:
        header, rows = results_table(res.units, res.names, res.codes, res.scores, res.rank, res.time)
        write_workbook(args.xlsx, _workbook_sheets(build, header, rows))
    return 0


def cmd_index_validate(args: argparse.Namespace) -> int:
    # lazy: NumPy is not imported for `chiso --help` (issue 22)
    import numpy as np

    framework, data = _load(args)
    n_missing = int(np.isnan(data.values).sum())
    print(f"ok: {data.n_units} units, {len(framework.indicators)} indicators, "
          f"{len(framework.aggregates)} aggregates over {framework.max_level} levels, "
          f"{n_missing} missing values")
    return 0


def _analysis_inputs(args: argparse.Namespace):
    """(build, assumptions, spec) for `uncertainty`/`sensitivity`: a spec file, or the shortcut options."""
    # lazy: the uncertainty code only for uncertainty and sensitivity (issue 22)
    from .build import IndexBuild, default_steps
    from .uncertainty import Assumption, Spec, read_spec

    shortcuts = args.weights_noise is not None or args.normalise_alternatives or args.aggregate_alternatives
    if args.spec and shortcuts:
        raise StepError(Message("cli.spec_or_alternatives"))
    if args.weights_levels and args.weights_noise is None:
        raise StepError(Message("cli.levels_need_noise"))
    if args.spec:
        spec = read_spec(args.spec)
    elif shortcuts:
        assumptions = []
        if args.weights_noise is not None:
            assumptions.append(Assumption.weights(args.weights_noise, args.weights_levels or None))
        if args.normalise_alternatives:
            assumptions.append(Assumption.discrete("Normalisation", ["normalise"],
                                                   [parse_normalise(a) for a in args.normalise_alternatives]))
        if args.aggregate_alternatives:
            assumptions.append(Assumption.discrete("Aggregation", ["aggregate"],
                                                   [parse_aggregate(a) for a in args.aggregate_alternatives]))
        spec = Spec(assumptions=assumptions)
    else:
        raise StepError(Message("cli.nothing_uncertain"))
    steps = read_steps(args.steps) if args.steps else (spec.steps or default_steps())
    if not any(n in ("aggregate", "points") for n, _ in steps):
        raise StepError(Message("cli.no_aggregate"))
    framework, data = _load(args)
    build = IndexBuild.from_steps(framework, data, steps)
    return build, spec


def _pick(cli_value, spec_value, default):
    return cli_value if cli_value is not None else (spec_value if spec_value is not None else default)


def cmd_index_uncertainty(args: argparse.Namespace) -> int:
    # lazy: the uncertainty code only for this command (issue 22)
    from .io import _write_csv
    from .uncertainty import uncertainty

    build, spec = _analysis_inputs(args)
    n = _pick(args.n, spec.n, 1000)
    t0 = time.perf_counter()
    res = uncertainty(build, spec.assumptions, n=n, seed=_pick(args.seed, spec.seed, None),
                      target=args.target or spec.target, on_failure=_pick(args.on_failure, spec.on_failure, "raise"))
    elapsed = time.perf_counter() - t0
    header, rows = res.table()
    _write_csv(args.out, header, rows)
    failed = int(res.failed.sum())
    print(f"ok: {n} replications of {res.target} over {len(res.assumptions)} assumptions "
          f"({', '.join(a.name for a in res.assumptions)}) in {elapsed:.2f} s"
          + (f"; {failed} could not run (missing)" if failed else ""))
    return 0


def cmd_index_sensitivity(args: argparse.Namespace) -> int:
    # lazy: the uncertainty code only for this command (issue 22)
    from .io import _write_csv
    from .uncertainty import sensitivity

    build, spec = _analysis_inputs(args)
    n = _pick(args.n, spec.n, 1000)
    t0 = time.perf_counter()
    res = sensitivity(build, spec.assumptions, n=n, seed=_pick(args.seed, spec.seed, None),
                      n_boot=_pick(args.n_boot, spec.n_boot, 100), target=args.target or spec.target,
                      on_failure=_pick(args.on_failure, spec.on_failure, "raise"))
    elapsed = time.perf_counter() - t0
    header, rows = res.table()
    _write_csv(args.out, header, rows)
    if args.ranks:
        _write_csv(args.ranks, *res.uncertainty.table())
    d = len(spec.assumptions)
    print(f"ok: {n * (d + 2)} replications (n = {n}, {d} assumptions) of {res.uncertainty.target} "
          f"in {elapsed:.2f} s")
    return 0


def _workbook_sheets(build: IndexBuild, header, rows) -> dict[str, tuple[list, list]]:
    # lazy: YAML only when a workbook is written (no YAML for a CSV compute, issue 22)
    import numpy as np
    import yaml

    from .rank import rank_min

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
AUDIT_MODULE = "chiso.engine.audit_cli"


def _add_audit(sub, wanted: bool) -> None:
    """`index audit`, from chiso.engine.audit_cli (add_arguments, run), imported only when wanted."""
    audit = sub.add_parser("audit", help="statistical audit of a build: correlations, PCA, Cronbach's alpha, "
                                         "effective weights (COINr's analysis)",
                           description="The statistical audit of an index build (chiso.engine.audit_cli).")
    module = None
    if wanted:
        try:
            module = import_module(AUDIT_MODULE)
            module.add_arguments(audit)
        except ImportError as e:
            reason = str(e)
            module = None

            def unavailable(args: argparse.Namespace) -> int:
                raise StepError(Message("cli.audit_unavailable", reason=reason))

            audit.set_defaults(func=unavailable)
    if module is None:
        audit.set_defaults(any_arguments=True)  # whatever follows: the message says what is missing
        if not wanted:
            audit.set_defaults(func=lambda args: 2)
    else:
        audit.set_defaults(func=module.run)


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter with the terminal width read once per parser (argparse reads it
    through shutil for every argument added, and importing shutil alone costs a few milliseconds)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _terminal_width() if width is None else width)


def _terminal_width() -> int:
    """As shutil.get_terminal_size().columns - 2 (argparse's width): $COLUMNS, the terminal, or 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class _Parser(argparse.ArgumentParser):
    """Every parser and sub-parser with _Formatter (add_subparsers makes sub-parsers of this class)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def _get_formatter(self):
        # One formatter's width per parser: add_argument asks for a formatter each time.
        width = self.__dict__.get("_width")
        if width is None:
            width = self.__dict__["_width"] = _terminal_width()
        return self.formatter_class(prog=self.prog, width=width)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="chiso", description="Chỉ số: compute composite indices.")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND")
    groups.required = True
    index = groups.add_parser("index", help="composite indices: compute, validate, uncertainty, sensitivity, "
                                            "audit",
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

    ua = sub.add_parser("uncertainty", help="uncertainty analysis: rank intervals under uncertain assumptions",
                        description="Recompute the index n times with uncertain assumptions drawn at random "
                                    "(COINr's get_sensitivity, SA_type 'UA') and write each unit's nominal, "
                                    "mean, median, 5th and 95th percentile ranks.")
    _analysis_options(ua)
    ua.add_argument("--out", required=True, metavar="RANKS.csv",
                    help="one row per unit: uCode, Nominal, Mean, Median, Q5, Q95 (ranks)")
    ua.set_defaults(func=cmd_index_uncertainty)

    sa = sub.add_parser("sensitivity", help="sensitivity analysis: which assumption moves the ranks",
                        description="First-order and total-effect sensitivity indices of the mean absolute "
                                    "rank shift per assumption (Saltelli/Jansen estimators, n (d + 2) "
                                    "replications; COINr's get_sensitivity, SA_type 'SA').")
    _analysis_options(sa)
    sa.add_argument("--n-boot", type=int, metavar="B", help="bootstrap resamples for the intervals (default 100)")
    sa.add_argument("--out", required=True, metavar="SENSITIVITY.csv",
                    help="one row per assumption: Variable, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95")
    sa.add_argument("--ranks", metavar="RANKS.csv", help="also the rank statistics of the first 2n replications")
    sa.set_defaults(func=cmd_index_sensitivity)

    argv = sys.argv[1:] if argv is None else list(argv)
    _add_audit(sub, wanted=argv[:2] == ["index", "audit"])
    return parser


def _analysis_options(p: argparse.ArgumentParser) -> None:
    _data_options(p)
    p.add_argument("--steps", metavar="STEPS.yaml", help="the nominal pipeline (default: the spec's steps, "
                                                         "else min-max 0-100 and the arithmetic mean)")
    p.add_argument("--spec", metavar="SPEC.yaml", help="the uncertain assumptions (and optionally steps, n, "
                                                       "seed, target); see docs/engine.md")
    p.add_argument("--weights-noise", type=float, metavar="X",
                   help="perturb every weight by a uniform ±X of its value (0.25 = ±25 %%), as COINr's "
                        "get_noisy_weights; every weighted level unless --weights-levels")
    p.add_argument("--weights-levels", type=int, nargs="+", metavar="L",
                   help="the levels whose weights get noise (1 = indicators' weights in their pillar)")
    p.add_argument("--normalise-alternatives", nargs="+", metavar="METHOD",
                   help="alternatives for the normalise step, e.g. minmax:1,100 zscore:10,2")
    p.add_argument("--aggregate-alternatives", nargs="+", metavar="METHOD",
                   help="alternatives for the aggregate step, e.g. amean gmean")
    p.add_argument("-n", type=int, metavar="N", help="replications (sensitivity: base sample; default 1000)")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (the same seed gives the same output)")
    p.add_argument("--target", metavar="CODE", help="the aggregate to analyse (default: the index)")
    p.add_argument("--on-failure", choices=("raise", "nan"),
                   help="a combination that cannot run: stop (raise, default) or record it as missing (nan)")


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--idata", required=True, metavar="DATA",
                   help="unit data: COINr iData CSV, or a YAML/XLSX file with an iData sheet")
    p.add_argument("--imeta", metavar="META",
                   help="framework: COINr iMeta CSV, or YAML/XLSX (default: the --idata file)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; with `argv` None (the `chiso` command itself) the process then ends at once.

    Ending with os._exit after flushing stdout and stderr skips tearing down every module (NumPy's
    included), a tenth of a small command's time; every file the command wrote is closed by then.
    Called with a list (tests, other Python code), main returns the exit status.
    """
    if argv is None:
        code = _run(None)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: as the interpreter, exit with status 120
            code = code or 120
        os._exit(code)
    return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
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
