#!/usr/bin/env bash
# Run the test suite the way users meet the project: Debian packages, a fresh non-editable install in
# .venv, a second environment with datasets 3.6 for the compatibility test, then pytest.
# Usage: bash scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
if [ ! -x .venv-ds36/bin/python ]; then
  python3 -m venv .venv-ds36
  .venv-ds36/bin/python -m pip install -q "datasets==3.6.0" pillow
fi
export SYNTHDOC_DATASETS36_PYTHON="$(pwd)/.venv-ds36/bin/python"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
# `pytest` (not `python -m pytest`) so that the installed wheel, not the source tree, is imported
.venv/bin/pytest -p no:cacheprovider tests "$@"
