"""`chiso index audit`: the statistical audit of a build, as a folder of CSV tables, one workbook or one page.

cli.py dispatches the sub-command here (add_arguments, run); errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .audit import audit, write_csv_folder, write_html, write_xlsx
from .build import IndexBuild, default_steps, parse_steps
from .cli import _load
from .errors import EngineError, Message, StepError

FORMATS = ("csv", "xlsx", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--idata", required=True, metavar="DATA",
                        help="unit data: COINr iData CSV, or a YAML/XLSX file with an iData sheet")
    parser.add_argument("--imeta", metavar="META", help="framework: COINr iMeta CSV, or YAML/XLSX "
                                                        "(default: the --idata file)")
    parser.add_argument("--steps", metavar="STEPS.yaml",
                        help="the pipeline to audit (default: min-max 0-100, then the arithmetic mean)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="csv: a folder of tables (cronbach.csv, correlations.csv, pca.csv, "
                             "effective_weights.csv, drop_one.csv, ...); xlsx/html: the file to write")
    parser.add_argument("--format", choices=FORMATS, default="csv",
                        help="csv (default: one CSV per table), xlsx (one workbook) or html (one page)")
    parser.add_argument("--method", choices=("pearson", "spearman", "kendall"), default="pearson",
                        help="correlation type (default pearson)")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except EngineError as e:
        print(f"chiso: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        where = f" '{e.filename}'" if getattr(e, "filename", None) else ""
        print(f"chiso: error:{where} {e.strerror or e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"chiso: error: {e}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    steps = _read_steps(args.steps, parse_steps) if args.steps else default_steps()
    if not any(n == "aggregate" for n, _ in steps):
        raise StepError(Message("cli.no_aggregate"))
    framework, data = _load(args)
    build = IndexBuild.from_steps(framework, data, steps)
    result = audit(build, method=args.method)
    out = Path(args.out)
    fmt = getattr(args, "format", "csv") or "csv"
    if fmt == "csv":
        write_csv_folder(result, out)
        where = f"{len(result.tables)} tables in {out}"
    else:
        if out.is_dir():
            out = out / f"audit.{fmt}"
        out.parent.mkdir(parents=True, exist_ok=True)
        (write_xlsx if fmt == "xlsx" else write_html)(result, out)
        where = str(out)
    print(f"ok: audit of {result.summary['index']} ({result.summary['units']} units, "
          f"{result.summary['indicators']} indicators): {len(result.findings)} findings; {where}")
    return 0


def _read_steps(path: str, parse_steps) -> list:
    import yaml  # lazy: YAML, a heavy import, only for a steps file

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise StepError(Message("cli.not_yaml", path=str(path), error=str(e))) from None
    items = doc.get("steps") if isinstance(doc, dict) else doc
    return parse_steps(items, source=str(path))


def main(argv: list[str] | None = None) -> int:
    """Run the sub-command on its own: python -m chiso.engine.audit_cli --idata ... --out DIR."""
    parser = argparse.ArgumentParser(prog="chiso index audit", description="Statistical audit of an index.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
