"""Tell us once: which details each tell rule shares with its service (tell_rule.shares),
the informant's language (life_event_person.language), and room for both parents' names

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tell_rule") as batch_op:
        batch_op.add_column(sa.Column("shares", sa.JSON(), nullable=True))
    with op.batch_alter_table("life_event_person") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=20), nullable=False, server_default="en")
        )
    # Informants who reported on the web chose their language there.
    op.execute(
        "UPDATE life_event_person SET language = (SELECT w.language FROM web_life_event w"
        " WHERE w.life_event_id = life_event_person.life_event_id)"
        " WHERE role = 'informant' AND EXISTS (SELECT 1 FROM web_life_event w"
        " WHERE w.life_event_id = life_event_person.life_event_id)"
    )
    with op.batch_alter_table("life_event") as batch_op:
        batch_op.alter_column(
            "parents",
            existing_type=sa.String(length=400),
            type_=sa.String(length=500),
            existing_nullable=False,
        )


def downgrade():
    op.execute("UPDATE life_event SET parents = substr(parents, 1, 400) WHERE length(parents) > 400")
    with op.batch_alter_table("life_event") as batch_op:
        batch_op.alter_column(
            "parents",
            existing_type=sa.String(length=500),
            type_=sa.String(length=400),
            existing_nullable=False,
        )
    with op.batch_alter_table("life_event_person") as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("tell_rule") as batch_op:
        batch_op.drop_column("shares")
