"""Residents report life events on the web: their contact details, and emails to informants

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from frontoffice.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "web_life_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("postcode_key", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["life_event_id"], ["life_event.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
        sa.UniqueConstraint("life_event_id"),
    )
    with op.batch_alter_table("resident_message") as batch:
        batch.add_column(sa.Column("life_event_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_resident_message_life_event_id_life_event", "life_event", ["life_event_id"], ["id"]
        )
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table("resident_message") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("fk_resident_message_life_event_id_life_event", type_="foreignkey")
        batch.drop_column("life_event_id")
    op.drop_table("web_life_event")
