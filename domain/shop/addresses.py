"""Shipping addresses: where a physical order goes, seen only by the brand that ships it and the operator.

Telegram's payment form collects the name, phone and address (`order_info`) and hands them over with the
payment. They are kept in their own table, keyed by order, never on the order itself (which keeps the
country only), and read only through `fulfilment.address_of`, which checks who is asking. An address is erased a
retention time after its order is closed (delivered, returned or cancelled): `fulfilment.erase_expired_addresses` is the
job's use case. The member's latest address is also kept as their saved address (a monthly box ships to it),
until they give another or ask for their data to be deleted (`forget_member`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

DEFAULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ShippingAddress:
    name: str = ""
    phone: str = ""
    country_code: str = ""
    state: str = ""
    city: str = ""
    street_line1: str = ""
    street_line2: str = ""
    post_code: str = ""
    shipping_option_id: str = ""

    @classmethod
    def from_order_info(cls, order_info: Mapping[str, object], shipping_option_id: str | None) -> ShippingAddress:
        """From Telegram's OrderInfo (name, phone_number, shipping_address{...}); missing parts are empty."""
        raw_address = order_info.get("shipping_address")
        address = raw_address if isinstance(raw_address, Mapping) else {}

        def text(source: Mapping[str, object], key: str, limit: int = 256) -> str:
            value = source.get(key)
            return str(value).strip()[:limit] if value is not None else ""

        return cls(
            name=text(order_info, "name"),
            phone=text(order_info, "phone_number", 64),
            country_code=text(address, "country_code", 2).upper(),
            state=text(address, "state"),
            city=text(address, "city"),
            street_line1=text(address, "street_line1"),
            street_line2=text(address, "street_line2"),
            post_code=text(address, "post_code", 32),
            shipping_option_id=(shipping_option_id or "")[:64],
        )

    def as_order_info(self) -> dict[str, object]:
        """Back to Telegram's shape (what the payment inbox keeps until the payment is settled)."""
        return {
            "name": self.name,
            "phone_number": self.phone,
            "shipping_address": {
                "country_code": self.country_code,
                "state": self.state,
                "city": self.city,
                "street_line1": self.street_line1,
                "street_line2": self.street_line2,
                "post_code": self.post_code,
            },
        }

    @property
    def empty(self) -> bool:
        return not (self.name or self.phone or self.street_line1 or self.city or self.post_code)

    def lines(self) -> tuple[str, ...]:
        """The address as a label: name, street, city line, country; blank parts left out."""
        city = " ".join(part for part in (self.post_code, self.city) if part)
        if self.state:
            city = f"{city}, {self.state}" if city else self.state
        parts = (self.name, self.phone, self.street_line1, self.street_line2, city, self.country_code)
        return tuple(part for part in parts if part)


class AddressRepository(Protocol):
    async def store(self, order_id: int, user_id: int, address: ShippingAddress, now: datetime) -> bool:
        """Keep the order's address (once: a replay changes nothing) and make it the member's saved address."""

    async def for_order(self, order_id: int) -> ShippingAddress | None: ...
    async def saved_for(self, user_id: int) -> ShippingAddress | None:
        """The member's saved address: the latest they gave (a later membership box ships to it)."""

    async def close(self, order_id: int, at: datetime) -> bool:
        """The order is closed (delivered, returned, cancelled): its address may go after the retention time."""

    async def erase_closed_before(self, moment: datetime, limit: int) -> int:
        """Erase order addresses closed at or before `moment`; how many went."""

    async def forget_member(self, user_id: int) -> int:
        """Erase every address of the member, their saved one included; how many went."""
