#!/usr/bin/env sh
# Create (or reuse) a virtual environment and install a pinned lock file into it.
# Usage: scripts/make-venv.sh VENV_DIR LOCK_FILE [MODULE...]
# Fails with pip's own message when an install fails, and afterwards checks that
# every pin of LOCK_FILE is installed at its version and that each MODULE imports,
# so a half-made environment is never taken for a working one.
set -eu
# pip must see only the venv (the Makefile puts the project on PYTHONPATH for Rasa).
unset PYTHONPATH
venv=$1; lock=$2; shift 2
[ -f "$lock" ] || { echo "error: lock file $lock not found" >&2; exit 1; }
scripts/check-platform.sh
python=$(scripts/find-python310.sh)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
    echo "creating $venv with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Run pip quietly; on failure print everything it said and stop. One harmless warning
# of some machines' pip configuration ("... is ignored: it is neither a file nor a
# directory") is left out of what is shown; it never changes pip's exit status.
pip_install() {
    if "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >"$log" 2>&1; then
        grep -v "is ignored: it is neither" "$log" || :
    else
        status=$?
        grep -v "is ignored: it is neither" "$log" >&2 || :
        echo "error: pip install $* failed in $venv (exit status $status); see pip's message above" >&2
        exit 1
    fi
}

echo "installing $lock into $venv (first time: a few minutes)"
pip_install --upgrade "pip>=24"
pip_install -r "$lock"
# pip check from / so that the project's own *.egg-info folder does not count as installed.
venv_abs=$(cd "$venv" && pwd)
(cd / && "$venv_abs/bin/python" -m pip check) >"$log" 2>&1 || {
    cat "$log" >&2
    echo "error: the packages installed in $venv conflict (pip check above)" >&2
    exit 1
}
"$venv/bin/python" scripts/check-venv.py "$lock" "$@"
