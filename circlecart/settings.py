"""Configuration from the environment (prefix CIRCLECART_) and an optional .env file, via pydantic-settings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bots.core.i18n import Translations

ENV_PREFIX = "CIRCLECART_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    database_url: str = Field(default="sqlite+aiosqlite:///circlecart.db", description="SQLAlchemy URL")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API base URL")
    owner_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), description="Operator user ids")
    framework: Literal["aiogram", "ptb"] = "aiogram"
    default_language: str = "en"
    payment_provider_token: SecretStr = SecretStr("")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        supported = Translations().supported
        if value not in supported:
            raise ValueError(f"must be one of {', '.join(supported)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    def token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigurationError(f"set {ENV_PREFIX}BOT_TOKEN to the token @BotFather gave you")
        return self.bot_token.get_secret_value().strip()


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is one line that says what to set."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = ENV_PREFIX + str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"{name} is invalid: {reason}") from None
