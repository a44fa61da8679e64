#!/usr/bin/env bash
# The main job on the bundled defaults: install what is missing, write a six-language dataset to
# out/sample (Parquet shards + dataset card) and annotated previews to out/sample/preview.
# Usage: bash scripts/quickstart.sh [extra `synthdoc generate` options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/synthdoc generate --out out/sample --pages 60 --overwrite "$@"
.venv/bin/synthdoc preview --dataset out/sample --out out/sample/preview --pages 2 --overwrite
echo "dataset: out/sample   previews: out/sample/preview"
