#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine for synthdoc: Debian font packages (and, with --test, Tesseract
# with its language packs), a virtual environment in .venv, and a non-editable `pip install .`.
# Usage: bash scripts/setup.sh [--test] [--fonts extra]
#   --fonts extra: also the curated Debian font packages below (hundreds of Latin/Cyrillic families, Japanese,
#   Korean and Chinese mincho/gothic/brush/pen faces, handwriting) and the Google Fonts families
#   (`pip install ".[google-fonts]"`); see README "Fonts". About 1.3 GB of fonts; the default stays small.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
FONTS=default
while [ $# -gt 0 ]; do
  case "$1" in
    --test) WITH_TEST=1 ;;
    --fonts) FONTS="${2:?--fonts needs a value: default or extra}"; shift ;;
    *) echo "setup.sh: unknown option $1 (use --test, --fonts extra)" >&2; exit 2 ;;
  esac
  shift
done

pkgs=(fonts-noto-core fonts-noto-cjk)
if [ "$FONTS" = extra ]; then
  pkgs+=($(grep -v '^#' scripts/fonts-extra.txt))
fi
pkgs+=(libicu-dev pkg-config g++ python3-dev)  # PyICU (bidi, line breaking) compiles against the system ICU
if [ "$WITH_TEST" = 1 ]; then
  pkgs+=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-kor
         tesseract-ocr-rus tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-chi-sim-vert
         tesseract-ocr-chi-tra-vert)
  pkgs+=(tesseract-ocr-ara tesseract-ocr-fas tesseract-ocr-heb tesseract-ocr-hin tesseract-ocr-ben
         tesseract-ocr-tam tesseract-ocr-tha tesseract-ocr-ell tesseract-ocr-vie tesseract-ocr-ukr
         libfribidi0 fonts-dejavu-core)  # complex-script OCR test (Pillow/raqm baseline: fribidi, DejaVu)
fi
python3 -m venv --help >/dev/null 2>&1 || pkgs+=(python3-venv python3-pip)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extras=()
[ "$WITH_TEST" = 1 ] && extras+=(test)
[ "$FONTS" = extra ] && extras+=(google-fonts)
if [ "${#extras[@]}" -gt 0 ]; then
  .venv/bin/python -m pip install -q ".[$(IFS=,; echo "${extras[*]}")]"
else
  .venv/bin/python -m pip install -q .
fi
echo "synthdoc installed in $(pwd)/.venv ($(.venv/bin/synthdoc --version))"
