"""Who is acting: one person, as far as the outside world vouches for them right now.

Every use case that needs permission takes an `Actor` and asks it in words (`require_operator`,
`require_moderator`, `require_group_admin`), naming the refusal its own users read. A menu that hides a
button is a convenience, not a permission: the check is made where the action is.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode

# The command line is nobody on Telegram; 0 is no Telegram user id, so it can never be mistaken for one.
COMMAND_LINE_USER = 0


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an update (or the command line), built only from what the outside world says:
    `operator` from the settings (CIRCLECART_OWNER_IDS), `admin_of` from Telegram (getChatMember, asked
    right before the action), never from what a message or a button claims.

    Staff of a brand is not carried here. It is the shop's own data, and it can be revoked: looked up
    with the action, in the same unit of work (`domain.brands.roles.require_brand_staff`), a revoked
    member cannot act on an Actor built a moment before the revocation, and the staff table never has two
    readers that could disagree. The operator flag and admin rights have no such table to consult: they
    can only be asked of the settings and of Telegram, which is why they travel with the Actor.
    """

    user_id: int
    operator: bool = False
    admin_of: frozenset[int] = frozenset()  # group chat ids where Telegram says they are an admin

    @classmethod
    def command_line(cls, user_id: int = COMMAND_LINE_USER) -> Actor:
        """The operator at the command line: whoever can run it holds the database. `user_id` is whom an
        action is recorded as (e.g. who made a refund by hand), when the command is told."""
        return cls(user_id, operator=True)

    def is_group_admin(self, chat_id: int) -> bool:
        """Telegram says so, operator or not: a group's own consent is given by its admins alone."""
        return chat_id in self.admin_of

    def may_moderate(self, chat_id: int | None) -> bool:
        """The shop's side of a group (its plans, its members-only group): its admins, and the operator of
        every group. Outside a group (`None`, a private chat) only the operator."""
        return self.operator or (chat_id is not None and self.is_group_admin(chat_id))

    def require_operator(self, *, refusal: ErrorCode) -> None:
        if not self.operator:
            raise DomainError(refusal)

    def require_moderator(self, chat_id: int | None, *, refusal: ErrorCode) -> None:
        if not self.may_moderate(chat_id):
            raise DomainError(refusal)

    def require_group_admin(self, chat_id: int, *, refusal: ErrorCode) -> None:
        if not self.is_group_admin(chat_id):
            raise DomainError(refusal)
