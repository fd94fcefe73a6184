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
        "event_confirm_subject": "We have your report {reference}: tell us once",
        "event_confirm_body": (
            "Dear {name},\n\n"
            "Thank you for telling us. Your reference is {reference}.\n\n"
            "We are telling these services:\n{told}\n\n"
            "You can see how far each service has got at {track_url} with your reference and "
            "{gave}.\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "event_again_subject": "We have your report {reference}: tell us once",
        "event_again_body": (
            "Dear {name},\n\n"
            "Thank you for telling us. Your reference is {reference}.\n\n"
            "Someone had already told us about this, so we have not told any service a second "
            "time. You do not need to do anything else.\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "event_update_subject": "Your report {reference}: {service}",
        "event_update_body": (
            "Dear {name},\n\n"
            "{said_by} has an update on what you told us ({reference}, {service}):\n\n"
            "{text}\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "closed_subject": "Your request {reference}: {service}",
        "closed_body": (
            "Dear {name},\n\n"
            "We are sorry: we cannot take your request {reference} ({service}) forward.\n\n"
            "{reason}\n\n"
            "We have kept what you sent us. You can still see your request at {track_url} "
            "with your reference and the email address or postcode you gave.\n\n"
            "Please quote {reference} if you contact us about it.\n"
        ),
        "gave_email_or_postcode": "the email address or postcode you gave",
        "gave_email": "this email address",
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
        "event_confirm_subject": (
            "Mae eich adroddiad {reference} wedi dod i law: dweud wrthym unwaith"
        ),
        "event_confirm_body": (
            "Annwyl {name},\n\n"
            "Diolch am ddweud wrthym. Eich cyfeirnod yw {reference}.\n\n"
            "Rydym yn dweud wrth y gwasanaethau hyn:\n{told}\n\n"
            "Gallwch weld pa mor bell mae pob gwasanaeth wedi mynd yn {track_url} gyda'ch "
            "cyfeirnod {gave}.\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "event_again_subject": (
            "Mae eich adroddiad {reference} wedi dod i law: dweud wrthym unwaith"
        ),
        "event_again_body": (
            "Annwyl {name},\n\n"
            "Diolch am ddweud wrthym. Eich cyfeirnod yw {reference}.\n\n"
            "Roedd rhywun eisoes wedi dweud wrthym am hyn, felly nid ydym wedi dweud wrth "
            "unrhyw wasanaeth eto. Nid oes angen i chi wneud dim byd arall.\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "event_update_subject": "Eich adroddiad {reference}: {service}",
        "event_update_body": (
            "Annwyl {name},\n\n"
            "Mae gan {said_by} ddiweddariad ar yr hyn a ddywedoch wrthym "
            "({reference}, {service}):\n\n{text}\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "closed_subject": "Eich cais {reference}: {service}",
        "closed_body": (
            "Annwyl {name},\n\n"
            "Mae'n ddrwg gennym: ni allwn fwrw ymlaen â'ch cais {reference} ({service}).\n\n"
            "{reason}\n\n"
            "Rydym wedi cadw'r hyn a anfonoch atom. Gallwch weld eich cais o hyd yn "
            "{track_url} gyda'ch cyfeirnod a'r cyfeiriad e-bost neu'r cod post a roesoch.\n\n"
            "Dyfynnwch {reference} os byddwch yn cysylltu â ni amdano.\n"
        ),
        "gave_email_or_postcode": "a'r cyfeiriad e-bost neu'r cod post a roesoch",
        "gave_email": "a'r cyfeiriad e-bost hwn",
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
