"""The only place the catalogue library reads environment variables.

Every variable has a safe default so that a fresh checkout works with no
configuration; they are listed in `.env.example` and the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"
DEFAULT_SAMPLE = PACKAGE_DATA / "tien_giang_2024_sample.csv.gz"
DEFAULT_OFFICES = PACKAGE_DATA / "offices.yaml"
DEFAULT_ALIASES = PACKAGE_DATA / "aliases"
DEFAULT_PROVINCE = PACKAGE_DATA / "province.yaml"


def _project_root() -> Path:
    # In a source checkout the package sits in the project root.
    return PACKAGE_DIR.parent


def state_dir() -> Path:
    """The project's folder of runtime state (``var/``): databases that cannot be rebuilt.

    ``make clean`` keeps it; only ``make clean-state`` deletes it.
    """
    return _project_root() / "var"


@dataclass(frozen=True)
class Settings:
    """Catalogue settings resolved from the environment.

    Attributes:
        database_url: SQLAlchemy URL of the catalogue database.
        seed_file: catalogue file loaded into an empty database on first use.
        offices_file: YAML file with the offices citizens go to, per level.
        aliases_file: YAML file (or folder of them) with curated colloquial names.
        seed_on_first_use: whether an empty SQLite database is filled automatically
            (other databases are filled only by an explicit ``catalog init --sample``).
        province_file: YAML file with the province's name, units and reform dates.
    """

    database_url: str
    seed_file: Path
    offices_file: Path
    aliases_file: Path
    seed_on_first_use: bool
    province_file: Path = DEFAULT_PROVINCE


def default_database_path() -> Path:
    """The SQLite file used when ``CATALOG_DATABASE_URL`` is not set.

    ``var/catalog.sqlite3`` in the project, or ``catalog.sqlite3`` in ``CATALOG_DATA_DIR``.
    """
    return Path(os.environ.get("CATALOG_DATA_DIR") or state_dir()) / "catalog.sqlite3"


def legacy_database_path() -> Path | None:
    """Where the default catalogue lived before ``var/`` (``data/catalog.sqlite3``).

    None when ``CATALOG_DATA_DIR`` is set: the file then always lived there.
    """
    if os.environ.get("CATALOG_DATA_DIR"):
        return None
    return _project_root() / "data" / "catalog.sqlite3"


def default_database_url() -> str:
    """Return the SQLite URL used when ``CATALOG_DATABASE_URL`` is not set."""
    return f"sqlite:///{default_database_path()}"


def get_settings() -> Settings:
    """Read the settings from the environment (cheap; call when needed)."""
    return Settings(
        database_url=os.environ.get("CATALOG_DATABASE_URL") or default_database_url(),
        seed_file=Path(os.environ.get("CATALOG_SEED_FILE") or DEFAULT_SAMPLE),
        offices_file=Path(os.environ.get("CATALOG_OFFICES_FILE") or DEFAULT_OFFICES),
        aliases_file=Path(os.environ.get("CATALOG_ALIASES_FILE") or DEFAULT_ALIASES),
        seed_on_first_use=os.environ.get("CATALOG_SEED_ON_FIRST_USE", "1") not in ("0", "false", "no"),
        province_file=Path(os.environ.get("CATALOG_PROVINCE_FILE") or DEFAULT_PROVINCE),
    )


@dataclass(frozen=True)
class TurnlogSettings:
    """How the assistant's turns are logged for the staff dashboard.

    Attributes:
        enabled: whether turns are logged at all (``TURNLOG_ENABLED``, default on).
        salt: secret salt of the conversation-id hash (``TURNLOG_SALT``); empty means
            "use the random salt generated once and kept in the database".
        retention_days: turns and ratings older than this are deleted
            (``TURNLOG_RETENTION_DAYS``, default 180; 0 keeps them forever).
    """

    enabled: bool
    salt: str
    retention_days: int


def get_turnlog_settings() -> TurnlogSettings:
    """Read the turn-log settings from the environment (cheap; call when needed)."""
    try:
        retention = int(os.environ.get("TURNLOG_RETENTION_DAYS") or 180)
    except ValueError:
        retention = 180
    return TurnlogSettings(
        enabled=os.environ.get("TURNLOG_ENABLED", "1") not in ("0", "false", "no"),
        salt=os.environ.get("TURNLOG_SALT", ""),
        retention_days=max(retention, 0),
    )


@dataclass(frozen=True)
class ImportLimits:
    """Limits on what an import may unpack.

    Attributes:
        max_unpacked_mb: largest unpacked size of a ``.gz`` file or of an XLSX's parts
            (``CATALOG_IMPORT_MAX_UNPACKED_MB``, default 60; the whole province's
            catalogue is about 10 MB).
    """

    max_unpacked_mb: int = 60


def get_import_limits() -> ImportLimits:
    """Read the import limits from the environment (cheap; call when needed)."""
    try:
        mb = int(os.environ.get("CATALOG_IMPORT_MAX_UNPACKED_MB") or 60)
    except ValueError:
        mb = 60
    return ImportLimits(max_unpacked_mb=max(mb, 1))
