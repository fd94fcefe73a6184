"""The app as gunicorn serves it, plus one bare view for bench/intake.py to compare with:
a POST that inserts one row with SQLAlchemy and commits. Not part of the product."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

from frontoffice import create_app
from frontoffice.access.policy import public
from frontoffice.extensions import csrf, db

bench_metadata = MetaData()
bench_row = Table(
    "bench_row",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("note", String(100), nullable=False),
)

app = create_app()


@app.route("/bench/bare-insert", methods=["POST"])
@public
@csrf.exempt
def bare_insert():
    db.session.execute(bench_row.insert().values(note="bare insert"))
    db.session.commit()
    return "", 204
