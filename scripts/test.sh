#!/usr/bin/env bash
# The one test command: from a fresh clone on a machine with only Python 3.11+, it creates the
# virtual environment, installs kisbot with its dev tools, then runs lint, types, the import
# contracts and the test suite. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "== ruff";   .venv/bin/ruff check kisbot tests benchmarks
echo "== mypy";   .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/pytest "$@"
