"""The three pages that find an address, for any journey and any address in it: a postcode,
then the gazetteer's addresses at that postcode to choose from, or the address typed in.

The caller says where the address is kept in the draft and where each page goes; the answer
is stored as {"uprn", "postcode"} (chosen) or {"line_1", "line_2", "town", "postcode"} (typed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from frontoffice.customers import normalise
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.public.forms import AddressChoiceForm, ManualAddressForm, PostcodeForm


@dataclass(frozen=True)
class AddressPages:
    caption: str
    heading: str  # the postcode page's question
    given: dict[str, Any]  # what the draft holds for this address
    save: Callable[[FlaskForm, dict[str, Any]], bool]  # False when it could not be kept
    postcode_url: str
    choose_url: str
    manual_url: str
    next_url: str  # once the address is given
    back: str  # from the postcode page


def one_line(address) -> str:
    parts = (address.line_1, address.line_2, address.line_3, address.town, address.postcode)
    return ", ".join(p for p in parts if p)


def _render(template: str, pages: AddressPages, back: str, form: FlaskForm, **context: Any):
    return render_template(
        template, pages=pages, caption=pages.caption, back=back, form=form, **context
    ), 400 if form.errors else 200


def postcode_page(pages: AddressPages):
    form = PostcodeForm(data={"postcode": pages.given.get("postcode", "")})
    if form.validate_on_submit():
        postcode = normalise.normalise_postcode(form.postcode.data)
        if pages.save(form, {"postcode": postcode}):
            return redirect(pages.choose_url)
    return _render("public/address.html", pages, pages.back, form)


def choose_page(pages: AddressPages):
    if not pages.given.get("postcode"):
        return redirect(pages.postcode_url)
    postcode = pages.given["postcode"]
    found = gazetteer.by_postcode(postcode)
    form = AddressChoiceForm(data={"uprn": pages.given.get("uprn")})
    form.uprn.choices = [SelectChoice(a.uprn, one_line(a)) for a in found]
    chosen = {"uprn": form.uprn.data, "postcode": postcode}
    if found and form.validate_on_submit() and pages.save(form, chosen):
        return redirect(pages.next_url)
    return _render(
        "public/choose_address.html",
        pages,
        pages.postcode_url,
        form,
        postcode=postcode,
        found=found,
    )


def manual_page(pages: AddressPages):
    form = ManualAddressForm(data={} if pages.given.get("uprn") else pages.given)
    if form.validate_on_submit():
        typed = {
            "line_1": form.line_1.data,
            "line_2": form.line_2.data or "",
            "town": form.town.data or "",
            "postcode": normalise.normalise_postcode(form.postcode.data),
        }
        if pages.save(form, typed):
            return redirect(pages.next_url)
    return _render("public/manual_address.html", pages, pages.postcode_url, form)
