"""The Telegram bridge's settings; :meth:`Settings.from_env` is the only place that reads them.

See docs/telegram.md and ``.env.example`` for every variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.channels.limits import EnvReader

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_RATE_LIMIT = 20


class SettingsError(ValueError):
    """A missing or invalid setting; the message names the variable, never its value."""


@dataclass(frozen=True)
class Settings:
    """The bridge's settings; :meth:`from_env` is the only place that reads them.

    Attributes:
        token: the bot token from BotFather (never logged or shown).
        mode: ``polling`` (default) or ``webhook``.
        api_base_url: the Bot API URL the token is appended to (tests use a fake).
        rasa_url: where Rasa listens.
        rate_limit: messages a minute one chat may send (0: no limit).
        webhook_url: the public HTTPS address Telegram posts updates to.
        webhook_secret: the secret Telegram sends back in every webhook request.
        webhook_listen: the address the webhook server binds.
        webhook_port: the port the webhook server binds.
        bridge_token: the shared secret Rasa's REST channel expects from this bridge
            (``BRIDGE_TOKEN``; scripts/serve-telegram.sh keeps one in var/secrets/).
        api_timeout: seconds to wait for one Bot API answer before trying again.
    """

    token: str = field(repr=False)
    mode: str = "polling"
    api_base_url: str = DEFAULT_API_BASE_URL
    rasa_url: str = DEFAULT_RASA_URL
    rate_limit: int = DEFAULT_RATE_LIMIT
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    bridge_token: str | None = field(default=None, repr=False)
    api_timeout: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the settings (empty values count as unset).

        Raises:
            SettingsError: a required variable is missing or a value is invalid.
        """
        read = EnvReader(env)
        get = read.text
        token = get("TELEGRAM_BOT_TOKEN")
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token "
                                "(digits, a colon, then letters)")
        mode = (get("TELEGRAM_MODE", "polling") or "").lower()
        if mode not in ("polling", "webhook"):
            raise SettingsError("TELEGRAM_MODE must be 'polling' or 'webhook'")
        try:
            rate_limit = read.number("TELEGRAM_RATE_LIMIT", DEFAULT_RATE_LIMIT, kind=int)
            port = read.number("TELEGRAM_WEBHOOK_PORT", 8443, kind=int)
            api_timeout = read.number("TELEGRAM_API_TIMEOUT", 15, kind=int) or 15
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        webhook_url, secret = get("TELEGRAM_WEBHOOK_URL"), get("TELEGRAM_WEBHOOK_SECRET")
        if mode == "webhook":
            if not webhook_url or not urlsplit(webhook_url).netloc:
                raise SettingsError("TELEGRAM_WEBHOOK_URL must be the bot's public HTTPS "
                                    "address in webhook mode")
            # Telegram accepts 1-256 characters from this set; without a secret anyone
            # who finds the URL could post fake updates.
            if not secret or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be set in webhook mode "
                                    "(1-256 characters: letters, digits, _ and -)")
        return cls(
            token=token,
            mode=mode,
            api_base_url=get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL) or "",
            rasa_url=get("RASA_URL", DEFAULT_RASA_URL) or "",
            rate_limit=rate_limit,
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1") or "",
            webhook_port=port,
            bridge_token=get("BRIDGE_TOKEN"),
            api_timeout=api_timeout,
        )

