from sqlalchemy import select

from frontoffice.accounts.models import Role, StaffUser
from frontoffice.extensions import db
from tests.factories import PartnerFactory


def test_create_admin_then_refuses_a_duplicate_and_a_short_password(app):
    partner = PartnerFactory(code="SCC")
    runner = app.test_cli_runner()
    args = ["users", "create-admin", "Boss@Example.org", "The Boss", "SCC"]
    result = runner.invoke(args=args, input="long enough password\nlong enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "boss@example.org"))
    assert user.role is Role.ADMINISTRATOR and user.partner_id == partner.id
    again = runner.invoke(args=args, input="long enough password\nlong enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["users", "create-admin", "b@example.org", "B", "SCC"], input="short\nshort\n"
    )
    assert short.exit_code != 0 and "at least 12" in short.output
    unknown = runner.invoke(
        args=["users", "create-admin", "c@example.org", "C", "NOPE"],
        input="x" * 12 + "\n" + "x" * 12 + "\n",
    )
    assert unknown.exit_code != 0 and "No partner" in unknown.output
