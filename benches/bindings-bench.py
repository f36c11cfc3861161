#!/usr/bin/env python3
"""Renders a large corpus chart from Python with helm_rs and by spawning the reference
`helm template` (shared/tools/helm-oracle), and prints the timings and their ratio.

Usage: python3 benches/bindings-bench.py [RUNS] [CHART_DIR]
Needs helm_rs installed (scripts/test.d/setup-bindings.sh puts it in ~/.cache/helm-rs/venv).
"""

import pathlib
import statistics
import subprocess
import sys
import time

import helm_rs

ROOT = pathlib.Path(__file__).resolve().parents[1]
ORACLE = ROOT.parent / "shared" / "tools" / "helm-oracle"
DEFAULT_CHART = ROOT.parent / "shared" / "conformance" / "charts" / "prometheus-community__kube-prometheus-stack"


def timed(fn, runs):
    fn()  # warm-up (page cache, the oracle's one-time unpacking)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    chart = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CHART
    if not chart.exists():
        print(f"skip: {chart} is absent")
        return 0
    args = dict(release_name="rel", namespace="corpus-ns")
    ours = timed(lambda: helm_rs.template(str(chart), **args), runs)
    loaded = helm_rs.load_chart(chart)
    ours_loaded = timed(lambda: helm_rs.template(loaded, **args), runs)
    print(f"chart: {chart.name}, {runs} runs, median (min)")
    print(f"helm_rs.template(path)            {ours[0]*1000:8.1f} ms ({ours[1]*1000:.1f})")
    print(f"helm_rs.template(loaded Chart)    {ours_loaded[0]*1000:8.1f} ms ({ours_loaded[1]*1000:.1f})")
    if not ORACLE.exists():
        print(f"skip: {ORACLE} is absent, no reference timing")
        return 0
    cmd = [str(ORACLE), "template", "rel", str(chart), "-n", "corpus-ns"]
    ref = timed(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL), runs)
    print(f"subprocess helm template (4.1.4)  {ref[0]*1000:8.1f} ms ({ref[1]*1000:.1f})")
    print(f"ratio (helm subprocess / helm_rs.template(path)): {ref[0]/ours[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
