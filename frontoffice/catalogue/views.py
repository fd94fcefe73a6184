"""Administering the service catalogue: services, their questions and a preview of the form
those questions make."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.catalogue import operations as ops
from frontoffice.catalogue import queries, questions, sla
from frontoffice.catalogue.forms import (
    EditQuestionForm,
    EditServiceForm,
    GroupFilterForm,
    QuestionForm,
    ServiceForm,
)
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion, ServiceTier
from frontoffice.extensions import db
from frontoffice.formkit import fieldset_params

bp = Blueprint("catalogue", __name__, url_prefix="/staff/catalogue")

# Which form field to blame for an operations error on a model attribute.
_FIELD_FOR = {
    "owning_partner_id": "owning_partner",
    "sla_working_days": "sla_value",
    "sla_hours": "sla_value",
}


@bp.app_context_processor
def catalogue_helpers():
    return {"describe_sla": sla.describe, "catalogue_fieldset": fieldset_params}


def _service_or_404(service_id: int) -> Service:
    service = queries.service(service_id)
    if service is None:
        abort(404)
    return service


def _question_or_404(service: Service, question_id: int) -> ServiceQuestion:
    question = queries.question(service, question_id)
    if question is None:
        abort(404)
    return question


def _blame(form, error: ops.CatalogueError) -> None:
    db.session.rollback()
    name = _FIELD_FOR.get(error.field, error.field)
    field = form._fields.get(name)
    if field is None:  # pragma: no cover - every error names a field of its form
        raise error
    field.errors = [*field.errors, error.message]


def _status(form) -> int:
    return 422 if request.method == "POST" and form.errors else 200


@bp.route("/services")
@requires(Permission.ADMINISTER)
def services():
    groups = queries.groups()
    filters = GroupFilterForm(request.args)
    filters.group.choices = [SelectChoice("", "All groups")] + [SelectChoice(g, g) for g in groups]
    group = filters.group.data if filters.group.data in groups else None
    return render_template(
        "staff/catalogue/services.html",
        services=queries.services(group),
        filters=filters,
        group=group,
    )


def _details(form: ServiceForm, service: Service | None) -> ops.ServiceDetails:
    days, hours = form.sla()
    return ops.ServiceDetails(
        name=form.name.data,
        owning_partner_id=form.owning_partner.data,
        group=form.group.data or "",
        description=form.description.data or "",
        keywords=form.keywords.data or "",
        sla_working_days=days,
        sla_hours=hours,
        ack_working_days=form.ack(),
        tier=ServiceTier(form.tier.data),
        adviser_script=form.adviser_script.data or "",
        active=form.active.data == "yes" if service is not None else True,
    )


@bp.route("/services/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_service():
    form = ServiceForm()
    form.set_partner_choices(queries.partners())
    if form.validate_on_submit():
        try:
            service = ops.create_service(current_actor(), form.code.data, _details(form, None))
        except ops.CatalogueError as error:
            _blame(form, error)
        else:
            db.session.commit()
            flash(f"Service {service.name} created. Add its questions below.", "success")
            return redirect(url_for("catalogue.questions", service_id=service.id))
    return render_template("staff/catalogue/service_form.html", form=form, service=None), _status(
        form
    )


def _service_data(service: Service) -> dict:
    unit, value = "none", ""
    if service.sla_working_days is not None:
        unit, value = "working_days", str(service.sla_working_days)
    elif service.sla_hours is not None:
        unit, value = "hours", str(service.sla_hours)
    return {
        "name": service.name,
        "group": service.group,
        "description": service.description,
        "keywords": service.keywords,
        "owning_partner": service.owning_partner_id,
        "tier": service.tier.value,
        "sla_unit": unit,
        "sla_value": value,
        "ack_working_days": ""
        if service.ack_working_days is None
        else str(service.ack_working_days),
        "adviser_script": service.adviser_script,
        "active": "yes" if service.active else "no",
    }


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_service(service_id: int):
    service = _service_or_404(service_id)
    form = EditServiceForm(data=None if request.method == "POST" else _service_data(service))
    form.set_partner_choices(queries.partners())
    if form.validate_on_submit():
        try:
            changed = ops.update_service(current_actor(), service, _details(form, service))
        except ops.CatalogueError as error:
            _blame(form, error)
        else:
            db.session.commit()
            flash(
                f"Changes to {service.name} saved." if changed else "Nothing was changed.",
                "success",
            )
            return redirect(url_for("catalogue.services"))
    return render_template(
        "staff/catalogue/service_form.html", form=form, service=service
    ), _status(form)


def _preview_form(service: Service, formdata=None):
    form_class = questions.build_form(service.questions)
    return form_class(formdata=formdata)


@bp.route("/services/<int:service_id>/questions", methods=["GET", "POST"], endpoint="questions")
@requires(Permission.ADMINISTER)
def questions_page(service_id: int):
    service = _service_or_404(service_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = ops.add_question(current_actor(), service, form.details(form.code.data))
        except ops.CatalogueError as error:
            _blame(form, error)
        else:
            db.session.commit()
            flash(f"Question {question.code} added.", "success")
            return redirect(url_for("catalogue.questions", service_id=service.id))
    return render_template(
        "staff/catalogue/questions.html",
        service=service,
        form=form,
        preview=_preview_form(service, formdata=None),
        types=QuestionType,
    ), _status(form)


@bp.route("/services/<int:service_id>/questions/<int:question_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_question(service_id: int, question_id: int):
    service = _service_or_404(service_id)
    question = _question_or_404(service, question_id)
    data = None
    if request.method != "POST":
        data = {
            "label": question.label,
            "hint": question.hint,
            "datatype": question.datatype.value,
            "values": ops.format_values(question.values),
            "required": "yes" if question.required else "no",
        }
    form = EditQuestionForm(data=data)
    if form.validate_on_submit():
        try:
            changed = ops.update_question(current_actor(), question, form.details(question.code))
        except ops.CatalogueError as error:
            _blame(form, error)
        else:
            db.session.commit()
            flash(
                f"Question {question.code} saved." if changed else "Nothing was changed.", "success"
            )
            return redirect(url_for("catalogue.questions", service_id=service.id))
    return render_template(
        "staff/catalogue/question_form.html", service=service, question=question, form=form
    ), _status(form)


@bp.route("/services/<int:service_id>/questions/<int:question_id>/move", methods=["POST"])
@requires(Permission.ADMINISTER)
def move_question(service_id: int, question_id: int):
    service = _service_or_404(service_id)
    question = _question_or_404(service, question_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if direction is None:
        abort(400)
    if ops.move_question(current_actor(), question, direction):
        db.session.commit()
    return redirect(
        url_for("catalogue.questions", service_id=service.id, _anchor=f"question-{question.id}")
    )


@bp.route("/services/<int:service_id>/questions/<int:question_id>/active", methods=["POST"])
@requires(Permission.ADMINISTER)
def set_question_active(service_id: int, question_id: int):
    service = _service_or_404(service_id)
    question = _question_or_404(service, question_id)
    active = {"yes": True, "no": False}.get(request.form.get("active", ""))
    if active is None:
        abort(400)
    ops.set_question_active(current_actor(), question, active)
    db.session.commit()
    flash(f"Question {question.code} {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("catalogue.questions", service_id=service.id))


@bp.route("/services/<int:service_id>/preview", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def preview(service_id: int):
    """The questions as an adviser will see them: submitting checks the answers and shows
    what would be stored, and saves nothing."""
    service = _service_or_404(service_id)
    form = _preview_form(service, formdata=request.form if request.method == "POST" else None)
    answers = None
    if request.method == "POST" and form.validate():
        answers = questions.answers_from_form(form, service.questions)
    return render_template(
        "staff/catalogue/preview.html", service=service, form=form, answers=answers
    ), _status(form)
