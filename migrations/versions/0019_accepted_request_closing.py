"""Supervisors close a web request that could not be raised: accepted_request.closed_at,
close_reason

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accepted_request") as batch:
        batch.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("accepted_request") as batch:
        batch.drop_column("close_reason")
        batch.drop_column("closed_at")
