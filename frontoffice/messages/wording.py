"""What residents' emails say, in English and Welsh. A resident who asked for Welsh gets
Welsh where the text exists here; service names and partners' notes stay as written."""

from __future__ import annotations

from frontoffice.customers.models import Language

TEXTS: dict[Language, dict[str, str]] = {
    Language.ENGLISH: {
        "confirm_subject": "We have your request {reference}: {service}",
        "confirm_body": (
            "Dear {name},\n\n"
            "Thank you. We have your request for {service}. Your reference is {reference}.\n\n"
            "You can see how it is going at {track_url} with your reference and the email "
            "address or postcode you gave.\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "update_subject": "Your request {reference}: {service}",
        "update_body": (
            "Dear {name},\n\n"
            "{said_by} has an update on your request {reference} ({service}):\n\n{text}\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "resident": "resident",
    },
    Language.WELSH: {
        "confirm_subject": "Mae eich cais {reference} wedi dod i law: {service}",
        "confirm_body": (
            "Annwyl {name},\n\n"
            "Diolch. Mae eich cais am {service} wedi dod i law. Eich cyfeirnod yw {reference}.\n\n"
            "Gallwch weld sut mae'n mynd yn {track_url} gyda'ch cyfeirnod a'r cyfeiriad e-bost "
            "neu'r cod post a roesoch.\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "update_subject": "Eich cais {reference}: {service}",
        "update_body": (
            "Annwyl {name},\n\n"
            "Mae gan {said_by} ddiweddariad ar eich cais {reference} ({service}):\n\n{text}\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "resident": "breswylydd",
    },
}


def say(language: Language | str, key: str, **values: str) -> str:
    try:
        texts = TEXTS[Language(language)]
    except ValueError:
        texts = TEXTS[Language.ENGLISH]
    values.setdefault("name", texts["resident"])
    if not values["name"]:
        values["name"] = texts["resident"]
    return texts[key].format(**values)
