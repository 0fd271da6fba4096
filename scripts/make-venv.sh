#!/usr/bin/env sh
# Create (or reuse) a virtual environment and install a pinned lock file into it.
# Usage: scripts/make-venv.sh VENV_DIR LOCK_FILE [extra pip args...]
set -eu
# pip must see only the venv (the Makefile puts the project on PYTHONPATH for Rasa).
unset PYTHONPATH
venv=$1; lock=$2; shift 2
python=$(scripts/find-python310.sh)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
    echo "creating $venv with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
echo "installing $lock into $venv (first time: a few minutes)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" 2>&1 | grep -v "is ignored: it is neither" || true
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" "$@" 2>&1 | grep -v "is ignored: it is neither" || true
# grep hides one harmless warning of this machine's pip config; check the result instead.
# (From / so that the project's own *.egg-info folder does not count as installed.)
venv_abs=$(cd "$venv" && pwd)
(cd / && "$venv_abs/bin/python" -m pip check >/dev/null 2>&1) || { (cd / && "$venv_abs/bin/python" -m pip check); exit 1; }
