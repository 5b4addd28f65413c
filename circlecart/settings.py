"""Configuration from the environment (prefix CIRCLECART_) and an optional .env file, via pydantic-settings."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bots.core.i18n import Translations
from domain.drops.beacon import QUICKNET, BeaconChain
from domain.numbers import whole_number
from domain.shop.fulfilment import ReturnPolicy
from domain.shop.shipping import ShippingRules

ENV_PREFIX = "CIRCLECART_"
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    database_url: str = Field(default="sqlite+aiosqlite:///circlecart.db", description="SQLAlchemy URL")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API base URL")
    owner_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), description="Operator user ids")
    framework: Literal["aiogram", "ptb"] = "aiogram"
    default_language: str = "en"
    payment_provider_token: SecretStr = SecretStr("")
    # Physical goods: countries shipped to and their prices (order currency), and the free-shipping threshold.
    shipping_zones: str = ""
    shipping_free_over: str = ""
    # Fulfilment (domain/shop/fulfilment.py): returns, and how long a closed order's address is kept.
    return_days: int = Field(default=7, ge=0, le=365, description="return window after delivery, unless a product says")
    return_transit_days: int = Field(
        default=5, ge=0, le=90, description="days a parcel travels, when not marked delivered"
    )
    address_retention_days: int = Field(
        default=30, ge=0, le=3650, description="days an address is kept after its order is delivered or returned"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = Field(default="text", description="json: one JSON object a line")
    webhook_url: str = Field(default="", description="Public HTTPS URL of the webhook; empty: long polling")
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "0.0.0.0:8080"
    # /healthz, /readyz and /metrics (circlecart/operations.py): their own HOST:PORT; empty: on the webhook's
    # server in webhook mode, nowhere in polling mode
    metrics_address: str = Field(default="", description="HOST:PORT for /healthz, /readyz and /metrics")
    startup_settle_seconds: float = Field(
        default=1.0, ge=0, le=60, description="quiet time that marks the start-up backlog as read, before catch-up"
    )
    telegram_wait_seconds: float = Field(
        default=300.0, ge=1, le=86_400, description="how long start-up keeps trying to reach Telegram"
    )
    gc_freeze: bool = Field(
        default=True, description="move start-up objects out of the garbage collector's way (circlecart/heap.py)"
    )
    jobs_lock_retry_seconds: float = Field(
        default=5.0, gt=0, le=300, description="how often a process without the jobs lock asks for it again"
    )
    # rewards: points, referrals and group buys (see circlecart/rewards_config.py)
    points_per_unit: int = Field(default=1, ge=0, description="points earned per whole unit of currency paid")
    points_per_discount_unit: int = Field(default=100, ge=1, description="points that buy one unit of discount")
    points_spend_cap_percent: int = Field(default=20, ge=0, le=100, description="max share of an order paid in points")
    points_expiry_months: int = Field(default=12, ge=1)
    points_reminder_days: int = Field(default=30, ge=0)
    points_daily_cap_purchase: int = Field(default=10_000, ge=0)
    points_daily_cap_referral: int = Field(default=1_000, ge=0)
    points_daily_cap_groupbuy: int = Field(default=500, ge=0)
    points_daily_cap_event: int = Field(default=500, ge=0)
    referral_points: int = Field(default=200, ge=0)
    referral_hold_days: int = Field(default=14, ge=0, description="refund window before a referral reward is paid")
    group_buy_hours: int = Field(default=24, ge=1, le=24 * 30)
    group_buy_leader_points: int = Field(default=100, ge=0)
    redis_url: str = Field(default="", description="Redis for dialog state shared by workers; empty: memory")
    drop_teasers: str = Field(default="24h,1h", description="Teasers before a drop opens, e.g. 24h,1h")
    drop_claim_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60, description="Raffle winners' time to pay")
    # raffles draw with a drand round (domain/drops/beacon.py); the defaults are drand's quicknet
    beacon_url: str = Field(default="https://api.drand.sh", description="drand HTTP relay raffles fetch rounds from")
    beacon_chain_hash: str = Field(default=QUICKNET.chain_hash, description="the drand chain raffles draw with")
    beacon_genesis: int = Field(default=QUICKNET.genesis, ge=0, description="Unix time of the chain's round 1")
    beacon_period: int = Field(default=QUICKNET.period, ge=1, le=3600, description="seconds between its rounds")
    # paid broadcasts: past the free 30 messages a second, the outbox may send up to this rate, paying Stars
    paid_broadcast: bool = Field(default=False, description="send past 30/s with allow_paid_broadcast (costs Stars)")
    paid_broadcast_per_second: int = Field(
        default=1000, ge=31, le=1000, description="the outbox's ceiling with paid broadcasts on (Telegram: 1000)"
    )
    # payments: how often Telegram's record of Stars is compared with ours, and how old a charge must be
    reconcile_seconds: float = Field(default=300.0, ge=1, le=86_400, description="seconds between reconciliations")
    reply_grace_seconds: float = Field(
        default=60.0,
        ge=5,
        le=3600,
        description="how long a payment answer waits for its handler before the outbox sends it",
    )
    codes_low_at: int = Field(
        default=10, ge=0, le=100_000, description="a pool of codes at or below this many free codes warns its brand"
    )
    reconcile_after_seconds: float = Field(
        default=120.0, ge=0, le=86_400, description="a charge younger than this is left to its update"
    )
    # the shop assistant: any OpenAI-compatible endpoint (circlecart/assistant_client.py); empty: no model, the
    # assistant's triggers answer with search and the member's own views
    ai_base_url: str = Field(default="", description="OpenAI-compatible base URL with its /v1; empty: no model")
    ai_api_key: SecretStr = SecretStr("")
    ai_model: str = Field(default="", description="the model name the endpoint serves")
    ai_timeout_seconds: float = Field(default=5.0, gt=0, le=60, description="longest wait for the model, retries too")
    ai_retries: int = Field(default=2, ge=0, le=5, description="retries on 429 and 5xx within that time")
    ai_member_daily_requests: int = Field(default=30, ge=0, description="assistant requests per member per day")
    ai_daily_token_budget: int = Field(default=200_000, ge=0, description="tokens the shop spends per day")
    digest_retention_hours: int = Field(default=48, ge=1, le=24 * 30, description="raw group text kept this long")
    digest_hour: int = Field(default=8, ge=0, le=23, description="UTC hour the moderators' daily digest goes out")
    # the community's share (domain/share): the platform's fee on every brand sale, in basis points
    platform_fee_bp: int = Field(
        default=500, ge=0, le=3000, description="platform fee on brand sales in basis points (500 = 5 %)"
    )
    # the sandbox (`circlecart sandbox`, or `circlecart run` without a token): a local Bot API and web chat
    sandbox_port: int = Field(default=8765, ge=0, le=65535, description="port of the sandbox on 127.0.0.1")
    sandbox_dir: str = Field(default=".sandbox", description="the sandbox's database and clock live here")

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("shipping_zones")
    @classmethod
    def _shipping_zones(cls, value: str) -> str:
        from domain.shop.shipping import parse_rules

        parse_rules(value)  # raises ValueError (ShippingRulesError) with the reason
        return value

    @field_validator("shipping_free_over")
    @classmethod
    def _shipping_free_over(cls, value: str) -> str:
        from domain.shop.shipping import parse_rules

        parse_rules("", value)
        return value

    def return_policy(self) -> ReturnPolicy:
        return ReturnPolicy(days=self.return_days, transit=timedelta(days=self.return_transit_days))

    def shipping_rules(self) -> ShippingRules:
        from domain.shop.shipping import parse_rules

        return parse_rules(self.shipping_zones, self.shipping_free_over)

    @field_validator("drop_teasers")
    @classmethod
    def _teaser_leads(cls, value: str) -> str:
        from domain.drops.rules import parse_leads

        parse_leads(value)  # raises ValueError with the reason
        return value

    @field_validator("beacon_chain_hash")
    @classmethod
    def _chain_hash(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("must be 64 lowercase hex digits (a drand chain hash)")
        return value

    @field_validator("ai_base_url")
    @classmethod
    def _optional_http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, or be empty")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _model_needs_a_name(self) -> Settings:
        if self.ai_base_url and not self.ai_model.strip():
            raise ValueError("CIRCLECART_AI_MODEL must name the model when CIRCLECART_AI_BASE_URL is set")
        return self

    @field_validator("telegram_api_url", "beacon_url")
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

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        number = whole_number(port, max_digits=5)
        if not host or number is None or not 0 < number < 65536:
            raise ValueError("must be HOST:PORT, e.g. 0.0.0.0:8080")
        return value

    @field_validator("metrics_address")
    @classmethod
    def _metrics_host_port(cls, value: str) -> str:
        if not value:
            return value
        host, _, port = value.rpartition(":")
        number = whole_number(port, max_digits=5)
        if not host or number is None or not 0 <= number < 65536:  # 0: any free port (tests)
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:9464, or empty")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        secret = self.webhook_secret.get_secret_value()
        if self.webhook_url and not WEBHOOK_SECRET.match(secret):
            raise ValueError(
                "CIRCLECART_WEBHOOK_SECRET must be set (1-256 of A-Z a-z 0-9 _ -) when CIRCLECART_WEBHOOK_URL is"
            )
        return self

    def beacon(self) -> BeaconChain:
        return BeaconChain(self.beacon_chain_hash, self.beacon_genesis, self.beacon_period)

    def listen_address(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host, int(port)

    def metrics_listen_address(self) -> tuple[str, int] | None:
        """Where /healthz, /readyz and /metrics have a server of their own; None: see metrics_address."""
        if not self.metrics_address:
            return None
        host, _, port = self.metrics_address.rpartition(":")
        return host, int(port)

    def has_token(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value().strip())

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
        reason = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings: its message names what to set
            raise ConfigurationError(reason) from None
        name = ENV_PREFIX + str(first["loc"][0]).upper()
        raise ConfigurationError(f"{name} is invalid: {reason}") from None
