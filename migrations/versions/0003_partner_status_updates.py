"""status updates read from partners (Open311 servicerequestupdates)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("partner_adapter") as batch:
        batch.add_column(sa.Column("updates_read_until", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("dispatch") as batch:
        batch.add_column(sa.Column("partner_status", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("partner_status_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "partner_status_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.String(length=100), nullable=False),
        sa.Column("service_request_id", sa.String(length=100), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dispatch_id"], ["dispatch.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partner_id", "update_id", name="uq_partner_status_update"),
    )
    op.create_index(
        "ix_partner_status_update_dispatch_id", "partner_status_update", ["dispatch_id"]
    )


def downgrade():
    op.drop_index("ix_partner_status_update_dispatch_id", table_name="partner_status_update")
    op.drop_table("partner_status_update")
    with op.batch_alter_table("dispatch") as batch:
        batch.drop_column("partner_status_at")
        batch.drop_column("partner_status")
    with op.batch_alter_table("partner_adapter") as batch:
        batch.drop_column("updates_read_until")
