"""acknowledgement targets: per service, and on each case

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("ack_working_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("ack_due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("case") as batch:
        batch.drop_column("acknowledged_at")
        batch.drop_column("ack_due_date")
    with op.batch_alter_table("service") as batch:
        batch.drop_column("ack_working_days")
