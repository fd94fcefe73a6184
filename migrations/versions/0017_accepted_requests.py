"""Web requests accepted at once and raised by the worker: accepted_request

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accepted_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("track_url", sa.String(length=500), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("postcode_key", sa.String(length=10), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index(
        "ix_accepted_request_next_attempt_at", "accepted_request", ["next_attempt_at"]
    )


def downgrade():
    op.drop_index("ix_accepted_request_next_attempt_at", table_name="accepted_request")
    op.drop_table("accepted_request")
