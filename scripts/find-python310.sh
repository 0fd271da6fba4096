#!/usr/bin/env sh
# Print the path of a Python 3.10 interpreter, or explain how to get one and fail.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; we use 3.10 for both venvs.
# Order: $PYTHON310, python3.10 on PATH, pyenv's 3.10.x, common system locations.
set -u

is310() {
    [ -n "$1" ] || return 1
    "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

for candidate in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null)"; do
    if is310 "$candidate"; then echo "$candidate"; exit 0; fi
done

if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root 2>/dev/null)
    for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -t. -k3 -n -r); do
        if is310 "$candidate"; then echo "$candidate"; exit 0; fi
    done
fi

for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10 /opt/python3.10/bin/python3.10 \
                 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10; do
    if is310 "$candidate"; then echo "$candidate"; exit 0; fi
done

cat >&2 <<'MSG'
error: Python 3.10 was not found.
  Rasa Open Source 3.6 (the assistant's engine) runs only on Python 3.8-3.10, so this
  project needs a Python 3.10 interpreter with the venv module. Install one, e.g.
    pyenv install 3.10.13                       (any OS, with pyenv)
    sudo apt install python3.10 python3.10-venv (Debian/Ubuntu with 3.10 packages)
  or point to it explicitly:  make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
