"""Points at checkout: what a member's points take off a product, and Buy with points.

The offer is computed for the member who looks (their member price, their points) every time: a card
shown in a group carries the offer of whoever opened it, so pressing its button recomputes the offer for
the presser and never trusts what the button said. The points are not spent here but at pre-checkout,
together with the stock hold (see `domain.points.holds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError
from domain.memberships import perks
from domain.money import Money
from domain.points import holds as points_holds
from domain.points.errors import PointsError
from domain.points.holds import PointsDiscount
from domain.points.policy import RewardsPolicy, max_discount, points_needed
from domain.ports import UnitOfWork
from domain.shop import checkout
from domain.shop.checkout import Checkout
from domain.shop.errors import ShopError
from domain.shop.products import Product


@dataclass(frozen=True, slots=True)
class PointsOffer:
    points: int  # what the discount costs
    discount: Money
    price: Money  # what the member pays after the discount

    @property
    def as_discount(self) -> PointsDiscount:
        return PointsDiscount(self.points, self.discount)


def offer_for(price: Money, balance: int, policy: RewardsPolicy) -> PointsOffer | None:
    """The largest discount `balance` points buy on `price`, within the policy's share; None if none.

    At least one minor unit is always left to pay: Telegram does not issue an invoice for nothing.
    """
    if price.amount <= 1 or balance <= 0:
        return None
    amount = min(max_discount(price, balance, policy).amount, price.amount - 1)
    if amount <= 0:
        return None
    discount = Money(amount, price.currency)
    return PointsOffer(points_needed(discount, policy), discount, Money(price.amount - amount, price.currency))


async def points_offer(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, user_id: int, product: Product
) -> PointsOffer | None:
    """What this member's points take off one unit of `product` at the price they would pay."""
    if not product.buyable or policy.spend_cap_percent <= 0:
        return None
    balance = await points_holds.spendable(uow.points, now, user_id)
    if balance <= 0:
        return None
    price = await perks.unit_price(uow, now, user_id, product)
    return offer_for(price, balance, policy)


async def start_points_checkout(
    uow: UnitOfWork,
    now: datetime,
    policy: RewardsPolicy,
    user_id: int,
    product_id: int,
    chat_id: int,
    community_id: int | None,
    fiat_payments: bool = False,
) -> Checkout:
    """The member pressed Buy with points: an order for one unit with the discount their points buy now."""
    product = await uow.products.get(product_id)
    if product is None or not product.active:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    if not product.buyable:
        raise DomainError(ShopError.PRODUCT_SOLD_OUT, title=product.title)
    offer = await points_offer(uow, now, policy, user_id, product)
    if offer is None:
        raise DomainError(PointsError.NO_OFFER)
    return await checkout.start_checkout(
        uow,
        now,
        user_id,
        product_id,
        chat_id,
        community_id,
        fiat_payments=fiat_payments,
        points_discount=offer.as_discount,
    )
