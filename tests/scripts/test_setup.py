"""The set-up scripts say when they fail, and why.

Each test runs a script of ``scripts/`` the way the Makefile does, against fakes put
on ``PATH`` (an interpreter without ``ensurepip``, an ``uname`` of another machine)
or against a throw-away virtual environment in a temporary folder: the project's own
``.venv`` and ``.venv-rasa`` are never touched.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.servers import ROOT

SCRIPTS = ROOT / "scripts"


def run(args: list[str], env: Mapping[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a script from the project root, as the Makefile does."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHON310", "SETUP_ANY_PLATFORM")}
    return subprocess.run(args, cwd=ROOT, env={**base, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout)


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(scope="module")
def python310() -> str:
    """The Python 3.10 the set-up itself would use."""
    found = run([str(SCRIPTS / "find-python310.sh")])
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def fake_python(folder: Path, real: str, *, ensurepip: bool) -> Path:
    """``folder/python3.10``: the real interpreter, optionally without ``ensurepip``.

    Without it, it behaves like Debian's python3.10 when python3.10-venv is not
    installed: ``import venv`` works, ``import ensurepip`` does not.
    """
    stubs = folder / "stubs"
    if not ensurepip:
        (stubs / "ensurepip").mkdir(parents=True)
        (stubs / "ensurepip" / "__init__.py").write_text(
            'raise ModuleNotFoundError("No module named \'ensurepip\'", name="ensurepip")\n')
    return executable(folder / "bin" / "python3.10",
                      f'#!/bin/sh\nPYTHONPATH="{stubs}" exec "{real}" "$@"\n')


# ------------------------------------------------------------- find-python310.sh
@pytest.mark.parametrize("ensurepip", [True, False], ids=["with-ensurepip", "without-ensurepip"])
def test_an_explicit_interpreter_is_used_only_if_it_can_make_venvs(
        tmp_path: Path, python310: str, ensurepip: bool) -> None:
    fake = fake_python(tmp_path, python310, ensurepip=ensurepip)
    found = run([str(SCRIPTS / "find-python310.sh")], {"PYTHON310": str(fake)})
    if ensurepip:
        assert (found.returncode, found.stdout.strip()) == (0, str(fake)), found.stderr
    else:
        assert found.returncode == 1 and found.stdout == ""
        assert f"{fake} is Python 3.10 but cannot create virtual environments" in found.stderr
        assert "sudo apt install python3.10-venv" in found.stderr


def test_python310_on_path_without_ensurepip_is_refused(tmp_path: Path, python310: str) -> None:
    fake = fake_python(tmp_path, python310, ensurepip=False)
    found = run([str(SCRIPTS / "find-python310.sh")],
                {"PATH": f"{fake.parent}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert str(fake) not in found.stdout
    if found.returncode == 0:
        # This machine has another Python 3.10 in a standard place: it must work.
        other = found.stdout.strip()
        assert run([other, "-c", "import ensurepip, venv"]).returncode == 0
    else:
        assert "ensurepip module is missing" in found.stderr
        assert "python3.10-venv" in found.stderr


def test_an_explicit_interpreter_that_is_not_310_is_refused(tmp_path: Path) -> None:
    fake = executable(tmp_path / "python3", "#!/bin/sh\nexit 1\n")
    found = run([str(SCRIPTS / "find-python310.sh")], {"PYTHON310": str(fake)})
    assert found.returncode == 1 and found.stdout == ""
    assert f"PYTHON310={fake} is not a Python 3.10 interpreter" in found.stderr


# -------------------------------------------------------------- check-platform.sh
def fake_uname(folder: Path, system: str, machine: str) -> str:
    """A PATH whose ``uname`` describes another machine."""
    executable(folder / "uname", f'#!/bin/sh\ncase "$1" in -s) echo {system};; '
                                 f'-m) echo {machine};; *) echo {system};; esac\n')
    return f"{folder}:{os.environ['PATH']}"


@pytest.mark.parametrize(("system", "machine"), [("Linux", "aarch64"), ("Darwin", "arm64"),
                                                 ("Darwin", "x86_64")])
def test_an_unsupported_platform_stops_the_set_up_before_anything_is_made(
        tmp_path: Path, system: str, machine: str) -> None:
    path = fake_uname(tmp_path / "bin", system, machine)
    venv = tmp_path / "venv"
    made = run([str(SCRIPTS / "make-venv.sh"), str(venv), "requirements/catalog.lock"],
               {"PATH": path})
    assert made.returncode == 1
    assert f"supports Linux on x86_64 only, and this machine is {system} {machine}" in made.stderr
    assert "SETUP_ANY_PLATFORM=1" in made.stderr
    assert not venv.exists()


def test_linux_x86_64_is_supported_and_the_check_can_be_overridden(tmp_path: Path) -> None:
    check = str(SCRIPTS / "check-platform.sh")
    assert run([check], {"PATH": fake_uname(tmp_path / "a", "Linux", "x86_64")}).returncode == 0
    other = run([check], {"PATH": fake_uname(tmp_path / "b", "Linux", "aarch64"),
                          "SETUP_ANY_PLATFORM": "1"})
    assert other.returncode == 0 and "not supported" in other.stderr


# ------------------------------------------------------------------- make-venv.sh
@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, python310: str) -> Path:
    """A folder with a fresh, empty virtual environment ``venv`` made by make-venv.sh."""
    folder = tmp_path_factory.mktemp("make-venv")
    (folder / "empty.lock").write_text("# nothing pinned\n")
    made = run([str(SCRIPTS / "make-venv.sh"), str(folder / "venv"), str(folder / "empty.lock")],
               {"PYTHON310": python310})
    assert made.returncode == 0, made.stderr
    assert (folder / "venv" / "bin" / "python").exists()
    return folder


def test_a_broken_lock_file_fails_with_pips_message(scratch: Path, python310: str) -> None:
    lock = scratch / "broken.lock"
    lock.write_text("requests==2.32.3\nthis is not a requirement\n")
    made = run([str(SCRIPTS / "make-venv.sh"), str(scratch / "venv"), str(lock)],
               {"PYTHON310": python310})
    assert made.returncode == 1
    # pip's own words, then ours naming what failed.
    assert "ERROR: Invalid requirement: 'this is not a requirement'" in made.stderr
    assert f"error: pip install -r {lock} failed in {scratch / 'venv'}" in made.stderr


def test_an_environment_without_the_key_packages_is_not_taken_as_ready(
        scratch: Path, python310: str) -> None:
    made = run([str(SCRIPTS / "make-venv.sh"), str(scratch / "venv"), str(scratch / "empty.lock"),
                "sqlalchemy"], {"PYTHON310": python310})
    assert made.returncode == 1
    assert "cannot import sqlalchemy: ModuleNotFoundError" in made.stderr


def test_every_pin_of_the_lock_file_must_be_installed_at_its_version(scratch: Path) -> None:
    lock = scratch / "pins.lock"
    pip_version = run([str(scratch / "venv/bin/python"), "-c",
                       "import pip; print(pip.__version__)"]).stdout.strip()
    lock.write_text(f"# a comment\npip=={pip_version}\nsqlalchemy==2.0.0\n"
                    f"setuptools==0.1 ; python_version < '3'\n")
    checked = run([str(scratch / "venv/bin/python"), str(SCRIPTS / "check-venv.py"), str(lock)])
    assert checked.returncode == 1
    problems = [line.strip() for line in checked.stderr.splitlines()[1:]]
    assert problems == [f"sqlalchemy is not installed ({lock}:3)"]
    lock.write_text("pip==0.1\n")
    checked = run([str(scratch / "venv/bin/python"), str(SCRIPTS / "check-venv.py"), str(lock)])
    assert checked.returncode == 1
    assert f"pip is {pip_version}, {lock}:1 pins 0.1" in checked.stderr


def test_the_project_environments_hold_their_lock_files() -> None:
    for venv, lock, modules in ((".venv", "catalog.lock", ["sqlalchemy", "rasa_sdk"]),
                                (".venv-rasa", "rasa.lock", ["rasa"])):
        checked = run([str(ROOT / venv / "bin/python"), str(SCRIPTS / "check-venv.py"),
                       str(ROOT / "requirements" / lock), *modules],
                      {"PYTHONPATH": ""})
        assert checked.returncode == 0, checked.stderr
