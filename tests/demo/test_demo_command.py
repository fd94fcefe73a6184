from sqlalchemy import func, select

from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer
from frontoffice.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_flask_demo_runs_through_the_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--customers", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Demo data built" in result.output
    assert "adviser@demo.frontoffice.test" in result.output
    assert _count(Customer) == 30
    assert _count(Case) > 0


def test_if_empty_leaves_existing_data_alone(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--customers", "30"]).exit_code == 0
    customers, cases = _count(Customer), _count(Case)

    again = runner.invoke(args=["demo", "--customers", "30", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "already has partners" in again.output
    assert (_count(Customer), _count(Case)) == (customers, cases)

    refused = runner.invoke(args=["demo", "--customers", "30"])
    assert refused.exit_code != 0
    assert "empty database" in refused.output
    assert (_count(Customer), _count(Case)) == (customers, cases)
