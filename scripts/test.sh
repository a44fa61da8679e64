#!/usr/bin/env bash
# Run the test suite the way users meet the project: Debian packages, a fresh non-editable install in
# .venv, a second environment with datasets 3.6 for the compatibility test, then ruff and pytest.
# Usage: bash scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
if [ ! -x .venv-ds36/bin/python ]; then
  python3 -m venv .venv-ds36
  .venv-ds36/bin/python -m pip install -q "datasets==3.6.0" pillow
fi
# The PyTorch IterableDataset test needs torch; take the CPU build only (a plain `torch` requirement would pull
# several GB of CUDA packages). Where no CPU build is reachable, those two tests skip.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  .venv/bin/python -m pip install -q "torch==2.13.0+cpu" 2>/dev/null \
    || echo "torch CPU build not available: the torch IterableDataset tests will skip"
fi
# python-doctr (judge of the docTR export) imports torchvision. PyPI's x86_64 torchvision wheels are CUDA builds:
# their C extension links libtorch_cuda.so, which the CPU torch lacks, so it never loads here. torchvision >= 0.17
# then fails at import ("RuntimeError: operator torchvision::nms does not exist", a fake-kernel registration for
# the missing op); 0.16.2 only warns, and doctr's dataset loaders use nothing but its pure-Python transforms.
# --no-deps: torchvision 0.16.2 pins torch==2.1.2 (the CUDA build, GBs) and python-doctr requires opencv-python,
# which would overwrite opencv-python-headless's cv2. doctr's other imports are in the test extra. About 7 MB.
if .venv/bin/python -c "import torch" 2>/dev/null && ! .venv/bin/python -W ignore -c "import doctr.datasets" 2>/dev/null; then
  .venv/bin/python -m pip install -q --no-deps "torchvision==0.16.2" "python-doctr==1.1.0" \
    || echo "python-doctr not installable: the docTR loader test will skip"
fi
export SYNTHDOC_DATASETS36_PYTHON="$(pwd)/.venv-ds36/bin/python"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
# Lint first (rules in pyproject.toml's [tool.ruff]): a finding fails the run before the tests start.
.venv/bin/ruff check synthdoc tests examples benchmarks
# `pytest` (not `python -m pytest`) so that the installed wheel, not the source tree, is imported
.venv/bin/pytest -p no:cacheprovider tests "$@"
