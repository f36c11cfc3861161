# Sourced by setup-bindings.sh and suite-bindings.sh: where the checkout is and where the
# bindings' Python venv lives.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$HOME/.cache/helm-rs"
venv="$cache/venv"
