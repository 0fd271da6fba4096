#!/usr/bin/env sh
# Print the path of a Python 3.10 interpreter that can create virtual environments,
# or explain how to get one and fail.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; we use 3.10 for both venvs.
# Order: $PYTHON310, python3.10 on PATH, pyenv's 3.10.x, common system locations.
# "Can create venvs" means the venv and ensurepip modules import: Debian and Ubuntu
# ship ensurepip separately (python3.10-venv), and `python -m venv` fails without it.
set -u

# Why the last Python 3.10 found was refused (empty: none found at all).
refused=""

usable() {
    [ -n "$1" ] || return 1
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1 || return 1
    if ! "$1" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        refused="$1 is Python 3.10 but cannot create virtual environments (the ensurepip module is missing)"
        return 1
    fi
}

no_venv_help() {
    cat >&2 <<MSG
error: $refused.
  On Debian/Ubuntu install the venv package of that Python:
    sudo apt install python3.10-venv
  (or use another Python 3.10, e.g. pyenv install 3.10.13, or make PYTHON310=/path/to/python3.10 ...)
MSG
}

# An interpreter chosen explicitly is used or refused, never silently replaced.
if [ -n "${PYTHON310:-}" ]; then
    if usable "$PYTHON310"; then echo "$PYTHON310"; exit 0; fi
    if [ -n "$refused" ]; then no_venv_help; exit 1; fi
    echo "error: PYTHON310=$PYTHON310 is not a Python 3.10 interpreter." >&2
    exit 1
fi

candidate=$(command -v python3.10 2>/dev/null)
if usable "$candidate"; then echo "$candidate"; exit 0; fi

if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root 2>/dev/null)
    for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -t. -k3 -n -r); do
        if usable "$candidate"; then echo "$candidate"; exit 0; fi
    done
fi

for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10 /opt/python3.10/bin/python3.10 \
                 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10; do
    if usable "$candidate"; then echo "$candidate"; exit 0; fi
done

if [ -n "$refused" ]; then no_venv_help; exit 1; fi
cat >&2 <<'MSG'
error: Python 3.10 was not found.
  Rasa Open Source 3.6 (the assistant's engine) runs only on Python 3.8-3.10, so this
  project needs a Python 3.10 interpreter with the venv module. Install one, e.g.
    pyenv install 3.10.13                       (any OS, with pyenv)
    sudo apt install python3.10 python3.10-venv (Debian/Ubuntu with 3.10 packages)
  or point to it explicitly:  make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
