"""Settings of a Wuye Desk installation, read from DESK_* environment variables or a TOML file."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from estate.core.rules import RULE_NAMES, rule_problem
from estate.core.secret_key import checked_secret_key


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


def _default_database_url() -> str:
    return "sqlite+aiosqlite:///" + str(Path(os.environ.get("DESK_DATA_DIR", "var")) / "desk.sqlite3")


class Settings(BaseSettings):
    """Everything an operator can set. Defaults run the embedded demo on one machine."""

    model_config = SettingsConfigDict(env_prefix="DESK_", extra="ignore", case_sensitive=False)

    database_url: str = Field(default_factory=_default_database_url)
    timezone: str = "Asia/Shanghai"
    data_dir: Path = Path("var")
    # Empty means "the key generated in the data folder" (after data_dir: its validator reads it).
    secret_key: str = Field(default="", validate_default=True)
    base_url: str = "http://127.0.0.1:8000"
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed; none by default.
    trusted_proxies: Annotated[list[str], NoDecode] = []

    telegram_token: str | None = None
    telegram_api_base: str | None = None
    telegram_mode: str = "polling"
    telegram_webhook_secret: str | None = None

    wechat_token: str | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_template_id: str | None = None

    demo_password: str | None = None

    # The service rules (DESIGN §3), read into one `estate.core.rules.ServiceRules` (`Context.rules`).
    repair_dispatch_minutes: int = 60
    urgent_dispatch_minutes: int = 15
    complaint_transfer_days: int = 3
    callback_hours: int = 24
    inquiry_resolve_hours: int = 24
    near_breach_minutes: int = 30
    repair_resolve_grace_hours: int = 24
    low_rating: int = 2
    satisfaction_target_percent: int = 95
    urge_interval_minutes: int = 30
    booking_cancel_cutoff_hours: int = 2
    quiet_start: int = 21
    quiet_end: int = 8
    binding_max_attempts: int = 5
    binding_window_minutes: int = 60
    office_open: int = 8
    office_close: int = 20

    binding_code_ttl_hours: int = 72
    low_balance_threshold_cents: int = 10000
    outbox_lease_seconds: int = 60
    telegram_rate_per_second: float = 25.0
    telegram_per_chat_interval: float = 1.0
    max_photo_bytes: int = 10 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024  # a JSON, XML or form request body (not an upload)
    max_upload_bytes: int = 20 * 1024 * 1024  # a multipart upload to the console (imports)
    photo_max_per_hour: int = 20  # photos one chat account may store in an hour
    photo_quota_mb: int = 100  # photos of one account not yet part of a request (cleaned up after a day)
    binding_max_attempts_per_address: int = 20  # wrong codes per client address per binding window
    binding_max_attempts_global: int = 300  # wrong codes over the whole installation per binding window

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_key(cls, value: str, info: ValidationInfo) -> str:
        return checked_secret_key(value, info.data.get("data_dir"))

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: Any) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(value or [])
        proxies = [str(item).strip() for item in items if str(item).strip()]
        for item in proxies:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (comma-separated list)")
        return proxies

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator(*RULE_NAMES)
    @classmethod
    def _rule(cls, value: int, info: ValidationInfo) -> int:
        problem = rule_problem(str(info.field_name), value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key(cls, value: str | None) -> str | None:
        if value is not None and value != "" and len(value) != 43:
            raise ValueError("must be the 43-character EncodingAESKey")
        return value or None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(toml_path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read settings (TOML file, then DESK_* variables, then overrides); raise SettingsError naming a bad one."""
    file_values: dict[str, Any] = {}
    path = toml_path or os.environ.get("DESK_CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except OSError as exc:
            raise SettingsError(f"DESK_CONFIG: cannot read {path}: {exc.strerror}")
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"DESK_CONFIG: {path} is not valid TOML: {exc}")
        file_values = {k.lower(): v for k, v in raw.get("desk", raw).items()}
    env_names = {name for name in os.environ if name.upper().startswith("DESK_")}
    merged = {k: v for k, v in file_values.items() if f"DESK_{k.upper()}" not in env_names}
    merged.update(overrides)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "DESK_" + str(err["loc"][0]).upper() if err.get("loc") else "DESK_?"
        raise SettingsError(f"{name}: {err['msg']}")
