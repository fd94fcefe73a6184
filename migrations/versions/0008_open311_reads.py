"""Open311 reads: every submission kept with its key and token; residents' posted updates

Revision ID: 0008
Revises: 0007
"""

import secrets

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("open311_submission") as batch:
        batch.alter_column("client_request_id", existing_type=sa.String(100), nullable=True)
        batch.add_column(sa.Column("token", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("media_url", sa.String(length=500), nullable=False, server_default="")
        )
    table = sa.table("open311_submission", sa.column("id", sa.Integer), sa.column("token"))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(
            table.update().where(table.c.id == row_id).values(token=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("open311_submission") as batch:
        batch.alter_column("token", existing_type=sa.String(64), nullable=False)
        batch.alter_column("media_url", existing_type=sa.String(500), server_default=None)
        batch.create_unique_constraint("uq_open311_submission_token", ["token"])
        batch.create_index("ix_open311_submission_case_id", ["case_id"])
    op.create_table(
        "open311_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key_id", "update_id"),
    )
    op.create_index("ix_open311_update_case_id", "open311_update", ["case_id"])


def downgrade():
    op.drop_index("ix_open311_update_case_id", table_name="open311_update")
    op.drop_table("open311_update")
    op.execute("DELETE FROM open311_submission WHERE client_request_id IS NULL")
    with op.batch_alter_table("open311_submission") as batch:
        batch.drop_index("ix_open311_submission_case_id")
        batch.drop_constraint("uq_open311_submission_token", type_="unique")
        batch.drop_column("media_url")
        batch.drop_column("token")
        batch.alter_column("client_request_id", existing_type=sa.String(100), nullable=False)
