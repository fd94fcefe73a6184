"""Imports: a run's heartbeat, so a second run of the same partner system refuses while it lives

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_run") as batch:
        batch.add_column(sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("import_run") as batch:
        batch.drop_column("heartbeat_at")
