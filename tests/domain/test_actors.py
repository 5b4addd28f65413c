"""Who is acting: one `Actor`, built from the settings and from Telegram, judged by the domain in words.

The last tests keep it one: a second actor-like class, or a use case that takes a list of operators to
compare an id against (or a bare "is a moderator" flag), would be a second place where permissions are
decided, and the two would drift.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Actor
from domain.brands import roles
from domain.brands.errors import BrandError
from domain.communities import CommunityError
from domain.errors import DomainError
from domain.groupbuys.errors import GroupBuyError
from domain.memberships.errors import MembershipError
from domain.shop.errors import ShopError
from tests.domain.memberships_fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
GROUP, OTHER_GROUP = -1001, -1002
MEI, BOSS = 11, 1

mei_admin_here = Actor(MEI, admin_of=frozenset({GROUP}))
operator = Actor(BOSS, operator=True)


def test_a_group_admin_may_moderate_only_their_own_group() -> None:
    assert mei_admin_here.may_moderate(GROUP)
    assert not mei_admin_here.may_moderate(OTHER_GROUP)
    mei_admin_here.require_moderator(GROUP, refusal=MembershipError.NOT_OWNER)
    with pytest.raises(DomainError, match=r"membership\.not_owner"):
        mei_admin_here.require_moderator(OTHER_GROUP, refusal=MembershipError.NOT_OWNER)


def test_the_operator_may_do_everything_the_shop_decides() -> None:
    operator.require_operator(refusal=GroupBuyError.NOT_ALLOWED)
    for chat in (GROUP, OTHER_GROUP, None):
        assert operator.may_moderate(chat)
        operator.require_moderator(chat, refusal=MembershipError.NOT_OWNER)


def test_outside_a_group_only_the_operator_moderates() -> None:
    assert not mei_admin_here.may_moderate(None)
    assert operator.may_moderate(None)


def test_a_group_admin_is_no_operator() -> None:
    with pytest.raises(DomainError, match=r"refund\.not_allowed"):
        mei_admin_here.require_operator(refusal=ShopError.REFUND_NOT_ALLOWED)


def test_a_groups_consent_to_brands_is_given_by_its_own_admins_not_by_the_operator() -> None:
    mei_admin_here.require_group_admin(GROUP, refusal=CommunityError.MODERATORS_ONLY)
    for who, chat in ((operator, GROUP), (mei_admin_here, OTHER_GROUP)):
        assert not who.is_group_admin(chat)
        with pytest.raises(DomainError, match=r"community\.moderators_only"):
            who.require_group_admin(chat, refusal=CommunityError.MODERATORS_ONLY)


def test_a_member_is_refused_in_the_words_of_the_action_they_tried() -> None:
    stranger = Actor(MEI)
    for refusal in (BrandError.OPERATOR_ONLY, GroupBuyError.NOT_ALLOWED, MembershipError.PLATFORM_OPERATOR_ONLY):
        with pytest.raises(DomainError) as refused:
            stranger.require_operator(refusal=refusal)
        assert refused.value.code == refusal


def test_the_command_line_is_the_operator_and_nobody_on_telegram() -> None:
    cli = Actor.command_line()
    assert cli.operator and cli.user_id == 0 and cli.admin_of == frozenset()
    assert Actor.command_line(BOSS) == Actor(BOSS, operator=True)  # a refund made by hand, recorded as theirs


def test_a_member_removed_from_a_brands_staff_cannot_act_on_an_actor_built_before() -> None:
    async def play() -> None:
        uow: Any = FakeUnitOfWork()
        celadon = uow.catalog.brand("Celadon Studio", MEI)
        mei = Actor(MEI)  # built, say, when the button was pressed
        assert await roles.require_brand_staff(uow, mei, celadon.id) == celadon
        uow.catalog.staff.discard((celadon.id, MEI))
        with pytest.raises(DomainError, match=r"brand\.not_staff"):
            await roles.require_brand_staff(uow, mei, celadon.id)
        assert await roles.require_brand_staff(uow, operator, celadon.id) == celadon

    asyncio.run(play())


# -- there is one Actor ---------------------------------------------------------------------------------

ACTOR_FIELDS = {"user_id", "operator"}
# Who decides, not who is told: `operators` alone is a list of notice recipients and stays.
DECIDING_PARAMETERS = ({"actor_id", "operators"}, {"is_moderator"})


def second_actors(source: str) -> list[str]:
    """Classes named like the Actor, or holding its facts (a user id and whether they are the operator)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        fields = {s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
        if node.name in ("Actor", "Authority") or ACTOR_FIELDS <= fields:
            found.append(f"line {node.lineno}: class {node.name}")
    return found


def permission_parameters(source: str) -> list[str]:
    """Functions that would decide who acts themselves, from an id and a list of operators or a flag."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            names = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
            if any(deciding <= names for deciding in DECIDING_PARAMETERS):
                found.append(f"line {node.lineno}: {node.name}")
    return found


def _offenders(check: Any) -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): found
        for package in ("domain", "bots")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "domain" / "actors.py" and (found := check(path.read_text(encoding="utf-8")))
    }


def test_domain_and_bots_know_one_actor() -> None:
    assert _offenders(second_actors) == {}


def test_no_use_case_decides_who_acts_from_an_operators_list_or_a_moderator_flag() -> None:
    assert _offenders(permission_parameters) == {}


def test_the_checks_see_what_they_forbid() -> None:
    authority = "class Authority:\n    user_id: int\n"
    lookalike = "@dataclass\nclass Who:\n    user_id: int\n    operator: bool = False\n"
    assert second_actors(authority) == ["line 1: class Authority"]
    assert second_actors(lookalike) == ["line 2: class Who"]
    assert second_actors("class Member:\n    user_id: int\n") == []
    forged = "async def set_offer(uow, actor_id: int, operators: list[int], sku: str): ...\n"
    flag = "async def brand_choices(uow, chat_id: int, is_moderator: bool): ...\n"
    told = "async def report_if_done(uow, now, drop_id: int, operators: list[int]): ...\n"
    assert permission_parameters(forged) == ["line 1: set_offer"]
    assert permission_parameters(flag) == ["line 1: brand_choices"]
    assert permission_parameters(told) == []
