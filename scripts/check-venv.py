"""Check that a virtual environment really holds what its lock file pins.

Usage: VENV/bin/python scripts/check-venv.py LOCK_FILE [MODULE...]

Every ``name==version`` line of LOCK_FILE (whose environment marker applies here)
must be installed at that version, and every MODULE must import. ``pip check`` alone
passes on an empty environment; this does not. Exits 1 with the list of problems.
Runs with the standard library and pip's vendored ``packaging`` only.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib import metadata
from pathlib import Path

from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
from pip._vendor.packaging.version import Version


def lock_problems(lock: Path) -> list[str]:
    """What is missing or at another version than ``lock`` pins."""
    problems = []
    for number, raw in enumerate(lock.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            problems.append(f"{lock}:{number}: not a requirement: {line} ({exc})")
            continue
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{requirement.name} is not installed ({lock}:{number})")
            continue
        if pins and all(Version(installed) != Version(pin) for pin in pins):
            problems.append(f"{requirement.name} is {installed}, {lock}:{number} pins {pins[0]}")
    return problems


def import_problems(modules: list[str]) -> list[str]:
    """The modules that fail to import, with the error."""
    problems = []
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
            problems.append(f"cannot import {module}: {type(exc).__name__}: {exc}")
    return problems


def main(argv: list[str]) -> int:
    """Check the lock file and the modules; print the problems and return 1 if any."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    lock, modules = Path(argv[0]), argv[1:]
    # TensorFlow logs its CPU features and missing GPU drivers on import.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    problems = lock_problems(lock) + import_problems(modules)
    if problems:
        print(f"error: {sys.prefix} is incomplete (checked against {lock}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
