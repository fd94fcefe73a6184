"""Merging customers: merged_into, the merge with its snapshot, the duplicate sweep's place

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_index("ix_customer_merged_into_id", ["merged_into_id"], unique=False)
        batch.create_foreign_key(
            "fk_customer_merged_into_id_customer", "customer", ["merged_into_id"], ["id"]
        )
    op.create_table(
        "customer_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("unmerged_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unmerged_by_id", sa.Integer(), nullable=True),
        sa.Column("unmerge_reason", sa.Text(), nullable=False),
        sa.Column("before_unmerge", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["survivor_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["merged_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["match_review.id"]),
        sa.ForeignKeyConstraint(["merged_by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["unmerged_by_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customer_merge_survivor_id", "customer_merge", ["survivor_id"])
    op.create_index("ix_customer_merge_merged_id", "customer_merge", ["merged_id"])
    op.create_table(
        "duplicate_sweep",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_customer_id", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade():
    op.drop_table("duplicate_sweep")
    op.drop_index("ix_customer_merge_merged_id", table_name="customer_merge")
    op.drop_index("ix_customer_merge_survivor_id", table_name="customer_merge")
    op.drop_table("customer_merge")
    with op.batch_alter_table("customer") as batch:
        batch.drop_constraint("fk_customer_merged_into_id_customer", type_="foreignkey")
        batch.drop_index("ix_customer_merged_into_id")
        batch.drop_column("merged_into_id")
