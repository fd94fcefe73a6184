import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.extensions import db


def test_the_database_refuses_to_change_or_delete_audit_events():
    event = audit.record(Actor(None, "tester", "127.0.0.1"), "view", "customer", 1, customer_id=1)
    db.session.flush()
    for statement in (
        "UPDATE audit_event SET action = 'forged' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": event.id})
        savepoint.rollback()
    assert db.session.get(type(event), event.id).action == "view"
