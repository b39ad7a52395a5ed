#!/usr/bin/env bash
# One-step set-up on Debian 12 / Python 3.11: system packages, .venv, the project.
# Idempotent and quick on a second run: each step is skipped when already done.
#   bash setup.sh          run-time needs (Tesseract + Vietnamese models, fonts)
#   bash setup.sh --test   also what the tests need (PostgreSQL server, test extras)
#   bash setup.sh --train  also what rebuilding the models needs (KenLM's build tools)
set -euo pipefail
cd "$(dirname "$0")"

want_test=0
want_train=0
[ "${1:-}" = "--test" ] && want_test=1
[ "${1:-}" = "--train" ] && want_train=1

apt_pkgs=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet tesseract-ocr-osd hunspell-vi
          fonts-dejavu-core fonts-liberation fonts-liberation2 fonts-noto-core
          fonts-croscore fonts-texgyre python3-venv
          gcc libc6-dev python3-dev  # compilers: the repair search is built from Cython
          g++ pkg-config libtesseract-dev libleptonica-dev)  # tesserocr, on this Tesseract
# pdftotext reads cli.py pdf's output; chromium runs the review's browser tests (Playwright)
[ $want_test = 1 ] && apt_pkgs+=(postgresql poppler-utils chromium)
# models/train_lm.py builds KenLM's lmplz from its PyPI sdist: CMake, a C++ compiler, Boost
[ $want_train = 1 ] && apt_pkgs+=(cmake g++ make libboost-program-options-dev
                                  libboost-system-dev libboost-thread-dev libboost-test-dev
                                  zlib1g-dev libbz2-dev liblzma-dev)

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >&2
fi

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$py" -m venv .venv
fi

extras="test,train"
stamp=".venv/.setup-stamp"
digest="$(cat pyproject.toml setup.py extract/repair/kernels.pyx | sha256sum | cut -c1-16)-$extras"
built=(extract/repair/kernels.*.so)
if [ ! -f "$stamp" ] || ! grep -qx -- "$digest" "$stamp" 2>/dev/null || [ ! -e "${built[0]}" ]; then
  echo "setup: installing the project into .venv ($extras)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  # tesserocr built against Debian's Tesseract, not its wheel's own (see extract/tesseract.py)
  .venv/bin/python -m pip install -q --no-binary tesserocr -e ".[$extras]" >&2
  engine="$(.venv/bin/python -c \
    'import tesserocr; print(tesserocr.tesseract_version().split()[1])')"
  if [ "$engine" != "$(tesseract --version 2>&1 | head -1 | cut -d' ' -f2)" ]; then
    echo "setup: rebuilding tesserocr against this machine's Tesseract (it had $engine)" >&2
    .venv/bin/python -m pip install -q --force-reinstall --no-deps --no-binary tesserocr \
      tesserocr >&2
  fi
  echo "$digest" > "$stamp"
fi

# Sample scans too large to commit (clean300, jpeg), rendered from samples/texts; skipped
# when up to date.
.venv/bin/python samples/make_scans.py --only clean300 --only jpeg >&2
