"""Administrators make and revoke partners' API keys. A new key is shown once, on the page
that answers the POST that made it, and never again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from sqlalchemy import select
from wtforms import StringField

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from frontoffice.partner_api.models import ApiKey
from frontoffice.partner_webhooks import operations as webhooks
from frontoffice.partner_webhooks.models import WebhookSubscription
from frontoffice.partners.models import Partner

bp = Blueprint("api_keys", __name__, url_prefix="/staff/admin")


class NewKeyForm(FlaskForm):
    name = StringField(
        "Name of the new key",
        widget=GovTextInput(),
        description="The system that will use it, such as 'Northvale CRM (live)'",
    )


class RevokeForm(FlaskForm):
    pass


def _partner_or_404(partner_id: int) -> Partner:
    return db.session.get(Partner, partner_id) or abort(404)


def _page(partner: Partner, form: NewKeyForm, new_key: str | None = None, status: int = 200):
    rows = db.session.scalars(
        select(ApiKey).where(ApiKey.partner_id == partner.id).order_by(ApiKey.created_at.desc())
    ).all()
    return render_template(
        "staff/admin/api_keys.html",
        partner=partner,
        rows=rows,
        form=form,
        revoke_form=RevokeForm(formdata=None),
        new_key=new_key,
        webhooks=webhooks.all_for(partner.id),
    ), status


@bp.route("/partners/<int:partner_id>/api-keys", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def partner_keys(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = NewKeyForm()
    if form.validate_on_submit():
        try:
            key, text = keys.create(current_actor(), partner.id, form.name.data or "")
        except keys.ApiKeyError as error:
            form.name.errors = [str(error)]
            return _page(partner, form, status=422)
        db.session.commit()
        response = _page(partner, NewKeyForm(formdata=None), new_key=text, status=201)
        return response
    return _page(partner, form, status=422 if form.is_submitted() else 200)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@requires(Permission.ADMINISTER)
def revoke(key_id: int):
    key = db.session.get(ApiKey, key_id) or abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        keys.revoke(current_actor(), key)
    except keys.ApiKeyError as error:
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(f"The key '{key.name}' is revoked: calls made with it are refused.", "success")
    return redirect(url_for("api_keys.partner_keys", partner_id=key.partner_id))


@bp.route("/webhooks/<int:webhook_id>/disable", methods=["POST"])
@requires(Permission.ADMINISTER)
def disable_webhook(webhook_id: int):
    """An administrator stops a partner's webhook (a receiver gone rogue, say)."""
    subscription = db.session.get(WebhookSubscription, webhook_id) or abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    if subscription.active:
        webhooks.disable(current_actor(), subscription, f"disabled by {current_actor().label}")
        db.session.commit()
        flash(
            f"The webhook to {subscription.url} is disabled: nothing more is sent to it.", "success"
        )
    return redirect(url_for("api_keys.partner_keys", partner_id=subscription.partner_id))
