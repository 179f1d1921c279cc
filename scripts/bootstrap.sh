# Sourced by scripts/demo and scripts/test: find a Python 3.8-3.10, make .venv, install the project.
# AllenNLP 2.10.1 (and torch<1.13, spacy<3.4 it pins) has wheels for Python 3.8-3.10 only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

_fits() {  # does "$1" run and report a Python between 3.8 and 3.10?
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' >/dev/null 2>&1
}

find_python() {
  local c
  if [ -n "${ADVISOR_PYTHON:-}" ]; then
    _fits "$ADVISOR_PYTHON" && { echo "$ADVISOR_PYTHON"; return; }
    echo "ADVISOR_PYTHON=$ADVISOR_PYTHON is not a working Python 3.8-3.10." >&2; return 1
  fi
  for c in python3.10 python3.9 python3.8 python3 python; do
    if command -v "$c" >/dev/null 2>&1 && _fits "$(command -v "$c")"; then command -v "$c"; return; fi
  done
  local proot="${PYENV_ROOT:-$HOME/.pyenv}"
  command -v pyenv >/dev/null 2>&1 && proot="$(pyenv root)"
  for c in $(ls -d "$proot"/versions/3.10.* "$proot"/versions/3.9.* "$proot"/versions/3.8.* 2>/dev/null | sort -rV); do
    if _fits "$c/bin/python"; then echo "$c/bin/python"; return; fi
  done
  cat >&2 <<'MSG'
error: cpu-advisor needs Python 3.8, 3.9 or 3.10 (AllenNLP 2.10.1 and the torch<1.13 it pins publish
wheels for those versions only), and none was found: not python3.10/3.9/3.8/python3 on PATH, nor
under pyenv's versions. Install one, e.g. `pyenv install 3.10` or your OS package `python3.10` and
`python3.10-venv`, or point ADVISOR_PYTHON at an interpreter, then run this command again.
MSG
  return 1
}

ensure_venv() {
  local py stamp want
  py="$(find_python)"
  want="$("$py" -c 'import sys; print(sys.version.split()[0])') $(cat "$ROOT/pyproject.toml" | cksum)"
  stamp="$VENV/.advisor-installed"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
     && "$VENV/bin/python" -c 'import advisor, probes, rules' >/dev/null 2>&1; then
    return 0  # up to date: nothing to install
  fi
  if ! { [ -x "$VENV/bin/python" ] && _fits "$VENV/bin/python"; }; then
    echo "creating $VENV with $py" >&2
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
  fi
  echo "installing cpu-advisor and its dependencies into .venv (AllenNLP brings torch: a few minutes the first time)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  "$VENV/bin/python" -c 'import advisor, probes, rules' || { echo "error: install into .venv failed (see above)" >&2; return 1; }
  echo "$want" > "$stamp"
}
