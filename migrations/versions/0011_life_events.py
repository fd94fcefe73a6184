"""Life events: reports of a death, birth or move, their people, tell rules, notifications

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import frontoffice.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "life_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("death", "birth", "move", name="eventkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "walk_in",
                "web",
                "email",
                "letter",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("inquest", sa.Boolean(), nullable=False),
        sa.Column(
            "move_scope",
            sa.Enum("into", "within", "out_of", name="movescope", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("old_address", sa.String(length=400), nullable=False),
        sa.Column("new_address", sa.String(length=400), nullable=False),
        sa.Column("new_uprn", sa.String(length=12), nullable=True),
        sa.Column("child_name", sa.String(length=200), nullable=False),
        sa.Column("parents", sa.String(length=400), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", frontoffice.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_life_event_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["life_event.id"],
            name=op.f("fk_life_event_duplicate_of_id_life_event"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["staff_user.id"],
            name=op.f("fk_life_event_reported_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_event")),
        sa.UniqueConstraint("dedupe_key", name="uq_life_event_dedupe_key"),
    )
    with op.batch_alter_table("life_event", schema=None) as batch_op:
        batch_op.create_index("ix_life_event_customer", ["customer_id", "kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_life_event_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )

    op.create_table(
        "tell_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "event_kind",
            sa.Enum("death", "birth", "move", name="eventkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column(
            "area_kind",
            sa.Enum("any", "district", "ward", name="areakind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_tell_rule_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tell_rule")),
        sa.UniqueConstraint(
            "event_kind", "service_id", "area_kind", "area_code", name="uq_tell_rule"
        ),
    )
    op.create_table(
        "life_event_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "informant",
                "next_of_kin",
                "executor",
                name="personrole",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship", sa.String(length=100), nullable=False),
        sa.Column(
            "authority",
            sa.Enum(
                "next_of_kin",
                "executor",
                "acting_for",
                "self",
                "none",
                name="authority",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["life_event_id"],
            ["life_event.id"],
            name=op.f("fk_life_event_person_life_event_id_life_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_event_person")),
    )
    with op.batch_alter_table("life_event_person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_life_event_person_life_event_id"), ["life_event_id"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("consent_given_by", sa.String(length=200), nullable=False),
        sa.Column("consent_wording", sa.Text(), nullable=False),
        sa.Column("consent_given_at", frontoffice.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", frontoffice.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", frontoffice.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_notification_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["life_event_id"],
            ["life_event.id"],
            name=op.f("fk_notification_life_event_id_life_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_notification_partner_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_notification_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("life_event_id", "service_id", name="uq_notification"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_life_event_id"), ["life_event_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_life_event_id"))
        batch_op.drop_index(batch_op.f("ix_notification_case_id"))

    op.drop_table("notification")
    with op.batch_alter_table("life_event_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_event_person_life_event_id"))

    op.drop_table("life_event_person")
    op.drop_table("tell_rule")
    with op.batch_alter_table("life_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_event_duplicate_of_id"))
        batch_op.drop_index("ix_life_event_customer")

    op.drop_table("life_event")
