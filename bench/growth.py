"""How the teacher and reviewer pages grow with the district: the same pages, as the same roles, at
several generated sizes. Writes bench/results/growth.md and growth.json.

    python -m bench.growth              # 1,000 / 10,000 / 50,000 teachers (the 50,000 build takes ~5 min, 2 GB)
    python -m bench.growth --quick      # 1,000 / 3,000 / 10,000 teachers (what `make bench` runs)

Target: from 10,000 to 50,000 teachers no teacher or reviewer page gets more than 1.5x
slower; in --quick mode the same bound is read between the two largest sizes."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from bench import _district
from bench.pages import PAGES, machine, measure_scale

FULL, QUICK = [1_000, 10_000, 50_000], [1_000, 3_000, 10_000]
LIMIT = 1.5


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK} instead of {FULL}")
    parser.add_argument("--sizes", help="comma-separated numbers of teachers (overrides --quick)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    sizes = _district.parse_sizes(args.sizes) if args.sizes else (QUICK if args.quick else FULL)
    pages = [p for p in PAGES if p.kind in ("teacher", "reviewer")]
    results, notes = [], []
    for scale in sizes:
        built = _district.ensure(scale)
        if built is not None:
            notes.append(f"{_district.scale_label(scale)}: built in {built:.0f} s.")
        r, n = measure_scale(scale, args.repeat, pages)
        results += r
        notes += [f"{_district.scale_label(scale)}: {x}" for x in n]
    by = {(r["page"], r["scale"]): r for r in results}
    a, b = sizes[-2], sizes[-1]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# Growth of teacher and reviewer pages ({_district.backend()})", "",
             f"{when}; {machine()}. Median ms (queries) per page at each size; the last column is the slowdown "
             f"from {a:,} to {b:,} teachers (target ≤ {LIMIT}x).", "",
             "| page | " + " | ".join(f"{s:,} teachers" for s in sizes) + f" | {a:,} → {b:,} | met |",
             "|" + " --- |" * (len(sizes) + 3)]
    verdict = {}
    for page in pages:
        if not any((page.key, s) in by for s in sizes):
            continue
        cells = [f"{by[(page.key, s)]['median_ms']:.1f} ({by[(page.key, s)]['queries']})" if (page.key, s) in by
                 else "-" for s in sizes]
        ratio = None
        if (page.key, a) in by and (page.key, b) in by:
            ratio = by[(page.key, b)]["median_ms"] / by[(page.key, a)]["median_ms"]
            verdict[page.key] = ratio <= LIMIT
        lines.append(f"| {page.label} | " + " | ".join(cells) + f" | {'-' if ratio is None else f'{ratio:.2f}x'} | "
                     f"{'-' if ratio is None else 'yes' if ratio <= LIMIT else 'no'} |")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    _district.RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if _district.backend() == "sqlite" else "-postgresql"
    (_district.RESULTS / f"growth{suffix}.md").write_text(text)
    (_district.RESULTS / f"growth{suffix}.json").write_text(json.dumps(
        {"backend": _district.backend(), "machine": machine(), "when": datetime.now(UTC).isoformat(),
         "sizes": sizes, "results": results, "verdict": verdict, "notes": notes}, indent=2) + "\n")
    print(text)
    print("PASS" if all(verdict.values()) else "FAIL (see the 'met' column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
