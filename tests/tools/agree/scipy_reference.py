#!/usr/bin/python3
"""The reference for rankme-agree's statistics: scipy.stats on random and tied data, written as JSON.

    /usr/bin/python3 tests/tools/agree/scipy_reference.py OUT.json

test_rank_correlation runs it at test time (so the reference is whatever scipy is installed) and compares
rankme-agree's rho, tau and p-values with it. NaN (scipy's answer for constant inputs) is written as null.
Cases: continuous random data from n = 2 to 1000 (Kendall's exact p-value up to n = 33, the normal
approximation above), strong correlations (p-values down to 1e-200), perfect and reversed order, one swap
in a long sorted run (the exact p-value at n = 60), many ties (few distinct values, one side or both), and
constant inputs. Also I_x(a, b) (scipy.special.betainc), the t tail and Kendall's exact distribution itself.
"""
import json
import math
import sys

import numpy as np
import scipy
import scipy.special
import scipy.stats
from scipy.stats import _mstats_basic


def number(value):
    value = float(value)
    return None if math.isnan(value) else value


def correlation_case(name, x, y):
    spearman = scipy.stats.spearmanr(x, y)
    kendall = scipy.stats.kendalltau(x, y)
    return {"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
            "spearman_rho": number(spearman.statistic), "spearman_p": number(spearman.pvalue),
            "kendall_tau": number(kendall.statistic), "kendall_p": number(kendall.pvalue)}


def main():
    rng = np.random.default_rng(20261206)
    cases = []
    for n in (2, 3, 4, 5, 7, 10, 20, 33, 34, 50, 200, 1000):
        for trial in range(3):
            x = rng.normal(size=n)
            y = 0.5 * x + rng.normal(size=n)
            cases.append(correlation_case(f"random n={n} #{trial}", x, y))
    for n in (30, 100, 500):
        x = rng.normal(size=n)
        cases.append(correlation_case(f"strong n={n}", x, x + 0.05 * rng.normal(size=n)))
        cases.append(correlation_case(f"strong negative n={n}", x, -x + 0.05 * rng.normal(size=n)))
    for n in (3, 5, 12, 40):
        x = rng.normal(size=n)
        cases.append(correlation_case(f"same order n={n}", x, 2 * x + 1))
        cases.append(correlation_case(f"reversed n={n}", x, -x))
    for n in (40, 60):
        x = np.arange(n, dtype=float)
        y = x.copy()
        y[[10, 11]] = y[[11, 10]]
        cases.append(correlation_case(f"one swap n={n}", x, y))
    for n in (5, 8, 15, 33, 34, 60, 300):
        for levels in (2, 3, 6):
            x = rng.integers(0, levels, size=n).astype(float)
            y = x + rng.integers(0, levels, size=n)
            cases.append(correlation_case(f"ties both n={n} levels={levels}", x, y))
            cases.append(correlation_case(f"ties in x n={n} levels={levels}", x, rng.normal(size=n)))
    cases.append(correlation_case("constant x", np.ones(6), rng.normal(size=6)))
    cases.append(correlation_case("constant y", rng.normal(size=6), np.full(6, 0.7)))
    cases.append(correlation_case("one tie pair n=10", [1, 2, 3, 4, 5, 6, 7, 8, 9, 9], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9]))

    betainc = []
    for a, b in ((0.5, 0.5), (1, 1), (2, 3), (0.5, 10), (10, 0.5), (5, 0.5), (50, 0.5), (500, 0.5),
                 (2500, 0.5), (30, 40), (200, 300), (1e-3, 2)):
        for x in (1e-12, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-9):
            betainc.append({"a": a, "b": b, "x": x, "value": float(scipy.special.betainc(a, b, x))})

    t_tail = []
    for dof in (1, 2, 3, 8, 31, 98, 998):
        for t in (0.0, 1e-8, 0.3, 1.0, 2.5, 7.0, 40.0, 1e4):
            t_tail.append({"t": t, "dof": dof, "p": float(2 * scipy.stats.t.sf(abs(t), dof))})

    kendall_exact = []
    for n in (3, 4, 7, 12, 20, 33, 60, 171, 200):
        pairs = n * (n - 1) // 2
        for c in sorted({0, 1, 2, 3, pairs // 4, pairs // 3, pairs // 2, pairs - 1, pairs}):
            if n > 60 and c not in (0, 1, pairs - 1, pairs):
                continue  # scipy's auto method uses the exact law only for n <= 33 or c near the ends
            kendall_exact.append({"n": n, "c": c, "p": float(_mstats_basic._kendall_p_exact(n, c))})

    json.dump({"scipy": scipy.__version__, "correlations": cases, "betainc": betainc, "t_tail": t_tail,
               "kendall_exact": kendall_exact}, open(sys.argv[1], "w"))


if __name__ == "__main__":
    main()
