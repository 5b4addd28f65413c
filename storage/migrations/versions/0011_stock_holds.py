"""Stock composes with holds, drops and imports: a product's shelf and the units held on it are kept apart.

`products.stock` becomes the shelf: units the shop has and has not sold, held ones included. `products.held`
counts the units on it that are not for sale: held by a payment in progress, or set aside for a drop.
`products.counted` is the count the last catalog import stated: an import moves the shelf by the difference
from it, so units held or sold since stay taken and a re-import cannot hand out a unit twice. (Products
imported before this revision start from their shelf now: sales before the upgrade are not known to it.)
`drops.reserved` counts the units a drop set aside on its product's shelf and has not sold yet (drops
scheduled before this revision set none aside and keep selling from their own pool); `drops.refunded`
counts units an operator refunded.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD_CHECK = "ck_products_held_not_negative"


def upgrade() -> None:
    # Plain ADD COLUMN works in place on both backends (SQLite accepts a CHECK on an added column).
    op.add_column(
        "products",
        sa.Column(
            "held", sa.Integer(), sa.CheckConstraint("held >= 0", name=HELD_CHECK), nullable=False, server_default="0"
        ),
    )
    # Until now `stock` was what was left after holds: put the held units back on the shelf and count them.
    op.execute(
        "UPDATE products SET held = (SELECT COALESCE(SUM(stock_holds.quantity), 0) FROM stock_holds"
        " WHERE stock_holds.product_id = products.id AND stock_holds.status = 'active')"
    )
    op.execute("UPDATE products SET stock = stock + held")
    op.add_column("products", sa.Column("counted", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE products SET counted = stock")
    op.add_column("drops", sa.Column("reserved", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("drops", sa.Column("refunded", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("drops", "refunded")
    op.drop_column("drops", "reserved")
    # Units set aside for drops or held go back to being off the shelf, as before.
    op.drop_column("products", "counted")
    op.execute("UPDATE products SET stock = CASE WHEN stock > held THEN stock - held ELSE 0 END")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(HELD_CHECK, "products", type_="check")
    op.drop_column("products", "held")
