"""Administering partner systems: the adapter each partner's back-end takes cases through,
its settings (secrets stored encrypted and never shown again) and a connection test."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from frontoffice import adapters, clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.audit import operations as audit
from frontoffice.crypto import SecretsUnreadable, decrypt_json
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from frontoffice.routing_admin import connection, queries, settings_form
from frontoffice.routing_admin import operations as ops
from frontoffice.routing_admin.forms import NewAdapterForm
from frontoffice.routing_admin.views import bp


class ConnectionTestForm(FlaskForm):
    pass


def _types() -> list[adapters.Adapter]:
    return [adapters.get(name) for name in adapters.all_types()]


def _adapter_or_404(adapter_id: int) -> tuple[PartnerAdapter, adapters.Adapter]:
    row = queries.adapter(adapter_id)
    if row is None or row.adapter_type not in adapters.all_types():
        abort(404)
    return row, adapters.get(row.adapter_type)


def _secrets(row: PartnerAdapter) -> tuple[dict, bool]:
    """The stored secrets, and whether they could not be read (the key changed)."""
    try:
        return decrypt_json(current_app.config["SECRET_KEY"], row.secret_settings), False
    except SecretsUnreadable:
        return {}, True


@bp.route("/adapters", endpoint="adapters")
@requires(Permission.ADMINISTER)
def adapters_page():
    return render_template(
        "staff/routing_admin/adapters.html",
        partners=queries.adapters_by_partner(),
        labels={t.type_name: t.label for t in _types()},
        now=clock.now(),
    )


@bp.route("/adapters/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_adapter():
    types = _types()
    form = NewAdapterForm()
    form.set_choices(queries.partners(), queries.services(), types)
    if request.method == "GET" and request.args.get("partner", "").isdigit():
        form.partner.data = request.args["partner"]
    if form.validate_on_submit():
        partner = queries.partner(int(form.partner.data))
        chosen = adapters.get(form.adapter_type.data)
        try:
            row = ops.create_adapter(
                current_actor(),
                partner=partner,
                service_id=int(form.service.data) if form.service.data else None,
                adapter_type=chosen.type_name,
                name=form.name.data or f"{partner.name} {chosen.label}"[:100],
            )
        except ops.ScopeTaken as error:
            db.session.rollback()
            form.service.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"{row.name} created. Enter its settings.", "success")
            return redirect(url_for("routing_admin.edit_adapter", adapter_id=row.id))
    return render_template(
        "staff/routing_admin/new_adapter.html",
        form=form,
        type_items=[{"hint": {"text": t.description}} for t in types],
    ), 422 if form.is_submitted() else 200


@bp.route("/adapters/<int:adapter_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_adapter(adapter_id: int):
    row, adapter = _adapter_or_404(adapter_id)
    previous, unreadable = _secrets(row)
    saved = {k for k, v in previous.items() if v not in (None, "", {})}
    form_class = settings_form.build(adapter, saved)
    data = None
    if request.method == "GET":
        never_set = not row.settings and not row.secret_settings and not row.active
        data = settings_form.initial(adapter, row.settings or {}, row.name, row.active or never_set)
    form = form_class(data=data)
    if form.validate_on_submit():
        raw = form.raw_settings()
        for name in adapters.secret_fields(row.adapter_type):
            if isinstance(raw.get(name), str) and not raw[name].strip():
                raw[name] = ""  # blank keeps the saved secret
        keep = {k: v for k, v in previous.items() if k not in form.cleared()}
        try:
            settings = adapter.validate_settings(adapters.keep_secrets(row.adapter_type, raw, keep))
        except adapters.SettingsInvalid as error:
            form.blame(error.errors)
        else:
            changed = ops.save_adapter(
                current_actor(),
                row,
                name=form.name.data,
                active=bool(form.active.data),
                settings=settings,
                previous_secrets=previous,
                secret_key=current_app.config["SECRET_KEY"],
                secrets_unreadable=unreadable,
            )
            db.session.commit()
            flash(f"{row.name} saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("routing_admin.edit_adapter", adapter_id=row.id))
    return render_template(
        "staff/routing_admin/edit_adapter.html",
        row=row,
        adapter=adapter,
        form=form,
        saved=saved,
        unreadable=unreadable,
        now=clock.now(),
    ), 422 if form.is_submitted() else 200


@bp.route("/adapters/<int:adapter_id>/test", methods=["POST"])
@requires(Permission.ADMINISTER)
def test_adapter(adapter_id: int):
    row, adapter = _adapter_or_404(adapter_id)
    if not ConnectionTestForm().validate_on_submit():
        abort(400)
    previous, unreadable = _secrets(row)
    if unreadable:
        outcome = connection.Outcome(
            False, "The saved secrets cannot be read: enter them again and save"
        )
    else:
        outcome = connection.check_connection(adapter, {**(row.settings or {}), **previous})
    audit.record(
        current_actor(), "test_connection", ops.ADAPTER, row.id, details={"ok": outcome.ok}
    )
    db.session.commit()
    prefix = "Connection test passed" if outcome.ok else "Connection test failed"
    flash(f"{prefix}: {outcome.message}", "success" if outcome.ok else "info")
    return redirect(url_for("routing_admin.edit_adapter", adapter_id=row.id))
