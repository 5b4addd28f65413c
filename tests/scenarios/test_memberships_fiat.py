"""Memberships in a provider currency: no automatic renewal, so reminders carry a fresh payment link."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.memberships.lifecycle import MembershipStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import running_shop
from tests.scenarios.memberships_steps import follow_the_shop_clock, run_jobs

PROVIDER_TOKEN = "284685063:TEST:circlecart"


def _url_buttons(message: object) -> list[tuple[str, str]]:
    markup = message.data.get("reply_markup") or {}  # type: ignore[attr-defined]
    return [(b["text"], b["url"]) for row in markup.get("inline_keyboard", []) for b in row if "url" in b]


async def test_a_dollar_member_renews_through_the_reminders_link_and_a_lapsed_one_is_told(
    framework: str, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG), payment_provider_token=PROVIDER_TOKEN) as shop:
        follow_the_shop_clock(shop)
        owner, mei = shop.member("Owner"), shop.member("Mei")
        community = await shop.group_with_bot("Tea Lovers", admin=owner)
        (created,) = await shop.say(owner, community, "/plan add 5 USD Tea Club")
        assert "created" in created.text, created.text
        plan_id = int(created.text.split("#", 1)[1].split()[0])

        (view,) = await shop.say(mei, None, "/membership")
        await shop.press(mei, view, text=next(t for t in view.button_texts if t.startswith("Join")))
        offer = shop.fake.last(mei)
        assert offer.invoice is not None and offer.invoice.params["currency"] == "USD"
        assert (await shop.pay(mei, offer)).accepted
        async with shop.uow() as uow:
            first = await uow.memberships.get_for(mei.id, plan_id)
        assert first is not None and first.status is MembershipStatus.ACTIVE

        # Three days before the end: a reminder with a link to a fresh invoice for the plan's terms.
        shop.clock.set(first.period_end - timedelta(days=2, hours=12))
        await run_jobs(shop)
        (reminder,) = [m for m in shop.fake.sent(mei) if "Renew now" in m.content]
        ((label, link),) = _url_buttons(reminder)
        assert label == "Renew · $5.00" and link in shop.fake.invoice_links
        assert shop.fake.invoice_links[link].params["provider_token"] == PROVIDER_TOKEN
        assert (await shop.pay(mei, link)).accepted
        async with shop.uow() as uow:
            renewed = await uow.memberships.get_for(mei.id, plan_id)
        assert renewed is not None and renewed.period_end == first.period_end + timedelta(days=30)

        # The one-day reminder of the old period never comes; the jobs running again send nothing more.
        shop.clock.set(first.period_end - timedelta(hours=12))
        await run_jobs(shop)
        await run_jobs(shop)
        assert len([m for m in shop.fake.sent(mei) if "Renew now" in m.content]) == 1

        # The next period lapses unpaid: grace, a last reminder with its own fresh link, then the end.
        shop.clock.set(renewed.period_end + timedelta(hours=1))
        await run_jobs(shop)
        async with shop.uow() as uow:
            assert (await uow.memberships.get_for(mei.id, plan_id)).status is MembershipStatus.GRACE
        shop.clock.set(renewed.grace_end - timedelta(hours=12))
        await run_jobs(shop)
        reminders = [m for m in shop.fake.sent(mei) if "Renew now" in m.content]
        assert len(reminders) == 2 and _url_buttons(reminders[-1])[0][1] != link
        shop.clock.set(renewed.grace_end + timedelta(hours=1))
        await run_jobs(shop)
        async with shop.uow() as uow:
            assert (await uow.memberships.get_for(mei.id, plan_id)).status is MembershipStatus.EXPIRED
        told = [m.content for m in shop.fake.sent(mei)]
        assert sum("without a renewal" in t for t in told) == 1  # grace begins
        assert told[-1] == "Your Tea Club membership has ended. Join again any time with /membership."
        shop.fake.assert_no_errors()
