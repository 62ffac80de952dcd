#!/usr/bin/python3
"""check_example_results.py RESULTS.jsonl: the installed rankme's results on the built-in example are sane.

Shared by tests/install/test_install.sh (an installed prefix) and scripts/check_debian_package.sh (the .deb).
The example has 24 checkpoints of 128 columns; only the diverging run (lr=0.03) may hold NaN (status
nonfinite), and every other checkpoint has a finite RankMe in (1, 128].
"""
import json
import math
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
ok = [r for r in rows if r.get("status") == "ok"]
bad = [r["dataset"] for r in ok if not (isinstance(r.get("rankme"), float) and math.isfinite(r["rankme"])
                                        and 1.0 < r["rankme"] <= 128.0)]
others = [(r["dataset"], r.get("status")) for r in rows if r.get("status") != "ok"]
if len(rows) != 24 or len(ok) < 20 or bad or any(s != "nonfinite" or "lr=0.03_" not in d for d, s in others):
    sys.exit(f"{sys.argv[1]}: {len(rows)} rows (expected 24), {len(ok)} ok (expected >= 20), "
             f"ok without a RankMe in (1, 128]: {bad}, not ok: {others}")
