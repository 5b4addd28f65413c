"""Changing one thing about a planned drop, and what else moves with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from domain.drops.model import DropPlan
from domain.money import Money


def revise(
    plan: DropPlan,
    *,
    product_id: int | None = None,
    quantity: int | None = None,
    price: Money | None = None,
    starts_at: datetime | None = None,
    duration: timedelta | None = None,
    per_member_limit: int | None = None,
    early_access_minutes: int | None = None,
    communities: tuple[int, ...] | None = None,
) -> DropPlan:
    """The plan with the given changes. Moving the start keeps the drop's length; a new length keeps the start.

    Validation is the scheduler's (`scheduling.edit_drop`): this only composes the new plan.
    """
    starts = starts_at if starts_at is not None else plan.starts_at
    length = duration if duration is not None else plan.ends_at - plan.starts_at
    return replace(
        plan,
        product_id=plan.product_id if product_id is None else product_id,
        quantity=plan.quantity if quantity is None else quantity,
        price=plan.price if price is None else price,
        starts_at=starts,
        ends_at=starts + length,
        per_member_limit=plan.per_member_limit if per_member_limit is None else per_member_limit,
        early_access_minutes=plan.early_access_minutes if early_access_minutes is None else early_access_minutes,
        communities=plan.communities if communities is None else communities,
    )
