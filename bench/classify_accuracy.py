"""How often the suggested category (``reports.classify.suggest``) is right, on the labelled set.

What it measures
----------------
``tests/reports/data/labelled_reports.csv`` holds resident reports written the way residents write
them (colloquial, some in Traditional characters, some about two things at once), each labelled
with the demo site's category code (``reports/demo.py``: HJ01 环境卫生, AQ01 消防通道堵塞, TC01 停车秩序,
WY01 物业服务, SS01 设施损坏, AQ02 安全隐患, LL01 邻里纠纷). Every row is run through ``suggest`` against
the demo categories and keywords (unsaved, no database needed), and the script prints:

  * overall accuracy (no suggestion counts as wrong), on all rows and on the held-out third
    (every third row, ``--split``), which was never looked at while the keywords were tuned;
  * per-category precision, recall and support;
  * the most common confusions (labelled → suggested), with an example of each; ``-v`` prints
    every miss.

Run: ``.venv/bin/python bench/classify_accuracy.py [-v] [--split all|dev|held-out] [--top N]``
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "reports" / "data" / "labelled_reports.csv"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")


def load(path: Path = DATA, split: str = "all") -> list[tuple[str, str]]:
    """Rows (text, code); every third row (index 0, 3, 6, …) is the held-out part."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    if split == "held-out":
        return rows[0::3]
    if split == "dev":
        return [r for i, r in enumerate(rows) if i % 3]
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    p.add_argument("--split", choices=["all", "dev", "held-out"], default="all")
    p.add_argument("--top", type=int, default=12, help="how many confusions to print")
    args = p.parse_args(argv)
    import django

    django.setup()
    from jiceng.reports.classify import evaluate
    from jiceng.reports.demo import demo_categories

    cats = demo_categories()
    names = {c.code: c.name for c in cats}
    rows = load(split=args.split)
    res = evaluate(rows, cats)
    print(f"labelled reports: {res['n']} ({args.split})   accuracy: {res['accuracy']:.3f}"
          f"   no suggestion: {res['no_suggestion']}")
    if args.split == "all":
        for part in ("dev", "held-out"):
            r = evaluate(load(split=part), cats)
            print(f"  {part:9s} {r['n']:4d} rows   accuracy: {r['accuracy']:.3f}")
    print(f"\n{'category':16s} {'precision':>9s} {'recall':>7s} {'support':>7s}")
    for code, m in res["per_category"].items():
        print(f"{code} {names[code]:10s} {m['precision']:9.3f} {m['recall']:7.3f} {m['support']:7d}")
    print("\nmost common errors (labelled → suggested):")
    examples = {}
    for text, code, got in res["misses"]:
        examples.setdefault((code, got), text)
    for (code, got), n in res["confusion"].most_common(args.top):
        print(f"  {n:3d}  {names[code]} → {names.get(got, '（无建议）')}   e.g. {examples[(code, got)]}")
    if args.verbose:
        print("\nevery miss:")
        for text, code, got in res["misses"]:
            print(f"  [{code}→{got}] {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
