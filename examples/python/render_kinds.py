"""Renders examples/charts/hello with a value set in code and prints `Kind/name` of every
document, hooks last (the same program as examples/rust and examples/node)."""

import pathlib
import sys

import helm_rs

chart = sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "charts" / "hello"
try:
    result = helm_rs.template(chart, values={"replicaCount": 2})
except helm_rs.HelmError as e:
    sys.exit(f"Error: {e}")
for doc in result.manifests + result.hooks:
    print(f"{doc['kind']}/{doc['name']}")
