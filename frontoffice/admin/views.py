"""Administration of staff users and (read-only for now) partners."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.accounts import operations as accounts
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.admin import queries
from frontoffice.admin.forms import EditStaffUserForm, NewStaffUserForm
from frontoffice.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


def _render(template: str, status: int | None = None, **context):
    if status is None:
        form = context.get("form")
        status = 422 if request.method == "POST" and form is not None and form.errors else 200
    return render_template(template, **context), status


def _user_or_404(user_id: int) -> StaffUser:
    user = queries.staff_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@requires(Permission.ADMINISTER)
def users():
    now = clock.now()
    rows = [(user, accounts.is_locked(user, now)) for user in queries.staff_users()]
    return render_template("staff/admin/users.html", rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_user():
    form = NewStaffUserForm()
    form.set_partner_choices(queries.partners())
    if form.validate_on_submit():
        try:
            user = accounts.register_staff_user(
                current_actor(),
                email=form.email.data,
                name=form.name.data,
                partner_id=form.partner.data,
                role=Role(form.role.data),
                password=form.password.data,
                team=form.team.data or "",
            )
        except accounts.StaffUserError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Staff user {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    return _render("staff/admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = EditStaffUserForm(
        data=None
        if request.method == "POST"
        else {
            "partner": user.partner_id,
            "role": user.role.value,
            "team": user.team,
            "active": "yes" if user.active else "no",
        }
    )
    form.set_partner_choices(queries.partners())
    if form.validate_on_submit():
        try:
            changes = accounts.update_staff_user(
                current_actor(),
                user,
                role=Role(form.role.data),
                partner_id=form.partner.data,
                team=form.team.data or "",
                active=form.active.data == "yes",
            )
        except accounts.StaffUserError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(
                f"Changes to {user.email} saved." if changes else "Nothing was changed.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return _render(
        "staff/admin/edit_user.html",
        form=form,
        user=user,
        locked=accounts.is_locked(user),
    )


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@requires(Permission.ADMINISTER)
def unlock_user(user_id: int):
    user = _user_or_404(user_id)
    accounts.unlock_staff_user(current_actor(), user)
    db.session.commit()
    flash(f"{user.email} is unlocked and can sign in.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/partners")
@requires(Permission.ADMINISTER)
def partners():
    return render_template("staff/admin/partners.html", rows=queries.partners_with_staff_counts())
