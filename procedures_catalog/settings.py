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


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    try:
        return max(int(os.environ.get(name) or default), minimum)
    except ValueError:
        return default


def _float_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def _data_dir() -> Path:
    # Beside the default catalogue: runtime state, not training data.
    return Path(os.environ.get("CATALOG_DATA_DIR") or state_dir())


@dataclass(frozen=True)
class DossierSettings:
    """Where dossier statuses come from, and how lookups are limited.

    Attributes:
        source: ``demo`` (sample dossiers, the default), ``http`` (a one-stop system's
            lookup service) or ``none`` (explain how to look it up on the portal).
        http_url: the lookup service's URL (``DOSSIER_HTTP_URL``).
        http_unit: the unit code sent as ``madonvi`` (``DOSSIER_HTTP_UNIT``).
        http_user: user name for HTTP basic authentication, if any.
        http_password: its password.
        http_token: a bearer token, if the service uses one instead.
        http_mapping: name of a bundled field mapping (``dvcqg``) or a YAML file.
        http_timeout: seconds before a lookup is given up.
        lookups_per_hour: lookups allowed per conversation per hour (enumeration guard).
        store_path: SQLite file of the short-lived per-conversation code store, shared
            by the Rasa channels (which fill it) and the action server (which reads it).
        code_ttl: seconds a code stays in that store.
    """

    source: str
    http_url: str
    http_unit: str
    http_user: str
    http_password: str
    http_token: str
    http_mapping: str
    http_timeout: float
    lookups_per_hour: int
    store_path: Path
    code_ttl: int


def get_dossier_settings() -> DossierSettings:
    """Read the dossier-lookup settings from the environment (cheap; call when needed)."""
    source = (os.environ.get("DOSSIER_SOURCE") or "demo").strip().lower()
    return DossierSettings(
        source=source if source in ("demo", "http", "none") else "demo",
        http_url=os.environ.get("DOSSIER_HTTP_URL", ""),
        http_unit=os.environ.get("DOSSIER_HTTP_UNIT", ""),
        http_user=os.environ.get("DOSSIER_HTTP_USER", ""),
        http_password=os.environ.get("DOSSIER_HTTP_PASSWORD", ""),
        http_token=os.environ.get("DOSSIER_HTTP_TOKEN", ""),
        http_mapping=os.environ.get("DOSSIER_HTTP_MAPPING") or "dvcqg",
        http_timeout=_float_env("DOSSIER_HTTP_TIMEOUT", 5.0),
        lookups_per_hour=_int_env("DOSSIER_LOOKUPS_PER_HOUR", 5),
        store_path=Path(os.environ.get("DOSSIER_STORE_PATH") or _data_dir() / "dossier-codes.sqlite3"),
        code_ttl=_int_env("DOSSIER_CODE_TTL", 1800, minimum=60),
    )


@dataclass(frozen=True)
class CardSettings:
    """Where checklist cards are cached and the URL they are served at.

    Attributes:
        cache_dir: folder of the rendered PNG files (``CARD_DIR``).
        base_url: public URL of that folder as the Rasa ``cards`` channel serves it
            (``CARD_BASE_URL``).
        font_dir: folder of the DejaVu fonts (Debian's ``fonts-dejavu-core``).
    """

    cache_dir: Path
    base_url: str
    font_dir: Path


def get_card_settings() -> CardSettings:
    """Read the checklist-card settings from the environment (cheap; call when needed)."""
    return CardSettings(
        cache_dir=Path(os.environ.get("CARD_DIR") or _data_dir() / "cards"),
        base_url=(os.environ.get("CARD_BASE_URL") or "http://localhost:5005/webhooks/cards").rstrip("/"),
        font_dir=Path(os.environ.get("CARD_FONT_DIR") or "/usr/share/fonts/truetype/dejavu"),
    )


@dataclass(frozen=True)
class FollowSettings:
    """How the follow job reaches citizens (the same variables the channels use).

    Attributes:
        interval: seconds between two checks of the followed dossiers.
        telegram_token: ``TELEGRAM_BOT_TOKEN``.
        telegram_api_base_url: ``TELEGRAM_API_BASE_URL``.
        zalo_access_token: ``ZALO_ACCESS_TOKEN``.
        zalo_api_base_url: ``ZALO_API_BASE_URL``.
    """

    interval: int
    telegram_token: str
    telegram_api_base_url: str
    zalo_access_token: str
    zalo_api_base_url: str


def get_follow_settings() -> FollowSettings:
    """Read the follow job's settings from the environment (cheap; call when needed)."""
    return FollowSettings(
        interval=_int_env("DOSSIER_FOLLOW_INTERVAL", 900, minimum=10),
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org/bot",
        zalo_access_token=os.environ.get("ZALO_ACCESS_TOKEN", ""),
        zalo_api_base_url=(os.environ.get("ZALO_API_BASE_URL") or "https://openapi.zalo.me").rstrip("/"),
    )
