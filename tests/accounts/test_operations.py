from datetime import timedelta

import pytest
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts import operations
from frontoffice.accounts.models import Role
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from tests.factories import PartnerFactory, StaffUserFactory


def test_register_refuses_an_email_that_differs_only_in_case():
    StaffUserFactory(email="pat@example.org")
    with pytest.raises(operations.StaffUserError) as error:
        operations.register_staff_user(
            Actor.system(),
            email="PAT@Example.org",
            name="Pat",
            partner_id=PartnerFactory().id,
            role=Role.ADVISER,
            password="long enough password",
        )
    assert error.value.field == "email"


def test_update_records_only_what_changed():
    user = StaffUserFactory(role=Role.ADVISER, team="A")
    changes = operations.update_staff_user(
        Actor.system(),
        user,
        role=Role.SUPERVISOR,
        partner_id=user.partner_id,
        team=" A ",
        active=True,
    )
    assert changes == {"role": ["adviser", "supervisor"]}


def test_nobody_may_deactivate_or_demote_themselves():
    admin = StaffUserFactory(role=Role.ADMINISTRATOR)
    me = Actor(admin.id, admin.email)
    with pytest.raises(operations.StaffUserError, match="deactivate"):
        operations.update_staff_user(
            me, admin, role=Role.ADMINISTRATOR, partner_id=admin.partner_id, team="", active=False
        )
    with pytest.raises(operations.StaffUserError, match="administrator role"):
        operations.update_staff_user(
            me, admin, role=Role.ADVISER, partner_id=admin.partner_id, team="", active=True
        )


def test_unlock_from_the_command_line(app):
    user = StaffUserFactory(failed_sign_ins=2, locked_until=clock.now() + timedelta(minutes=3))
    result = app.test_cli_runner().invoke(args=["users", "unlock", user.email.upper()])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.locked_until is None and user.failed_sign_ins == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unlock"))
    assert event.actor_label == "command line" and event.record_id == str(user.id)
    missing = app.test_cli_runner().invoke(args=["users", "unlock", "nobody@example.org"])
    assert missing.exit_code != 0 and "No staff user" in missing.output
