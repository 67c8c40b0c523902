"""``python -m bench [--only risk|records] [--sizes 1000000,10000000] [--no-write]``.

Runs the benchmark suites and writes their results to BENCHMARKS.md with the command, date,
machine and versions, so a number in the repository always says where it came from.
``--only records`` runs the record evaluator alone (a minute, where the whole risk suite takes
a quarter of an hour) and replaces only its row of the risk section, which then names the
command, date and load it was measured with.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench import report

SUITES = ("risk", "records")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(SUITES), help=f"comma-separated suites ({', '.join(SUITES)})"
    )
    parser.add_argument(
        "--sizes", default="1000000,10000000", help="comma-separated household counts"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "safepath-bench",
        help="where generated data are cached between runs",
    )
    parser.add_argument("--record-sample", type=int, default=50_000)
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds before a variant is stopped and reported as timed out",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="fresh processes per variant; the best time counts (pandas at 10M+ runs once)",
    )
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    suites = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; known: {list(SUITES)}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    load_before = report.load()
    if suites == ["records"]:
        from bench.risk import suite

        rec = suite.run_records(
            args.workdir, size=min(sizes), record_sample=args.record_sample, timeout=args.timeout
        )
        print(report.records_row(rec))
        if not args.no_write:
            command = " ".join(["python -m bench", *sys.argv[1:]])
            report.update_records_row(args.out, rec, command=command, load_before=load_before)
            print(f"wrote {args.out}", file=sys.stderr)
        return 0 if "seconds" in rec else 1
    if "records" in suites:
        parser.error("records is part of the risk suite: --only records runs it alone")
    sections: list[str] = []
    if "risk" in suites:
        from bench.risk import suite

        results = suite.run(
            sizes,
            args.workdir,
            record_sample=args.record_sample,
            timeout=args.timeout,
            repeat=args.repeat,
        )
        (args.workdir / "risk-results.json").write_text(
            json.dumps(results, indent=2, default=str), encoding="utf-8"
        )
        sections.append(report.risk_section(results))
    text = report.document(
        sections, command=" ".join(["python -m bench", *sys.argv[1:]]), load_before=load_before
    )
    print(text)
    if not args.no_write:
        report.write_section(
            args.out, "risk", text.replace("# Benchmarks\n", "## Risk engine run\n", 1)
        )
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
