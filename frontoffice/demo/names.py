"""Fictional but believable people and places for demo data and benchmarks.

Names are common in England and Wales (with Welsh, Irish, South Asian, African and Eastern
European families, hyphenated and apostrophe names). Places are invented: the NV, EM and SD
postcode areas do not exist, and phone numbers come from Ofcom's ranges kept for drama.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


# Given names by origin: (female, male). Families mostly, not always, share an origin.
GIVEN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "british": (
        _split(
            "Olivia Amelia Isla Ava Mia Sophie Grace Emily Lily Freya Charlotte Ella Poppy Evie "
            "Jessica Sarah Emma Rachel Claire Helen Karen Susan Margaret Patricia Jean Joan Linda "
            "Julie Lisa Nicola Michelle Joanne Louise Hannah Chloe Megan Lauren Zoe Abigail "
            "Eleanor Harriet Dorothy Pauline Sandra Deborah Kerry Gemma Stacey Jade Amy Holly"
        ),
        _split(
            "Oliver George Harry Jack Noah Charlie Jacob Thomas Oscar William James Henry Leo "
            "Alfie David John Michael Peter Paul Stephen Andrew Mark Richard Robert Christopher "
            "Ian Gary Kevin Simon Martin Neil Graham Trevor Barry Keith Daniel Matthew Samuel "
            "Joseph Ryan Dennis Brian Colin Derek Lee Craig Wayne Jamie Callum Liam Connor"
        ),
    ),
    "welsh": (
        _split(
            "Siân Angharad Cerys Eleri Llinos Gwenllian Ffion Bethan Rhiannon Carys Nia Mererid "
            "Seren Catrin Efa Elin Non Heledd Lowri Megan Mali"
        ),
        _split(
            "Dafydd Rhys Gareth Iolo Ieuan Owain Geraint Emyr Huw Gethin Aled Cai Tomos Idris "
            "Gwilym Dylan Emrys Gruffudd Llŷr Rhodri Steffan"
        ),
    ),
    "irish": (
        _split("Siobhan Niamh Aoife Ciara Roisin Mary Bridget Orla Kathleen Sinead"),
        _split("Sean Patrick Declan Ciaran Liam Eoin Conor Padraig Michael Brendan"),
    ),
    "south_asian": (
        _split(
            "Priya Aisha Fatima Zainab Amira Nadia Ayesha Sana Anjali Harpreet Rukhsana Nasreen"
        ),
        _split("Mohammed Ahmed Imran Sanjay Rajesh Arjun Hamza Bilal Gurpreet Tariq Vikram Asif"),
    ),
    "polish": (
        _split("Agnieszka Katarzyna Zofia Anna Magdalena Małgorzata Ewa Joanna"),
        _split("Tomasz Piotr Krzysztof Paweł Marek Jakub Łukasz Michał"),
    ),
    "west_african": (
        _split("Chiamaka Adaeze Ngozi Abena Funmilayo Ama Chidinma Yetunde"),
        _split("Chukwuemeka Kwame Oluwaseun Kofi Emeka Tunde Chinedu Yaw"),
    ),
    "east_asian": (
        _split("Mei Li Xin Hui Lan Thi Linh Jing"),
        _split("Wei Jun Hao Ming Minh Tuan Jian Kai"),
    ),
    "portuguese_turkish": (
        _split("Ana Beatriz Mariana Elif Zeynep Ayşe"),
        _split("João Pedro Tiago Mehmet Emre Mustafa"),
    ),
}
FAMILY_ORIGINS = {
    origin: frozenset(_split(names, ","))
    for origin, names in {
        "welsh": "Jones,Davies,Williams,Evans,Thomas,Roberts,Hughes,Lewis,Morgan,Price,Griffiths,"
        "Lloyd,Owen,Rees,Jenkins,Llewellyn,Pryce,Vaughan,Prosser,Meredith,Bowen,Howells,Gwilym,"
        "ap Rhys,Parry,Pritchard,Powell,Watkins,Lloyd-Davies,Pryce-Evans",
        "irish": "Murphy,Kelly,Byrne,Doyle,Walsh,Ryan,Gallagher,Lynch,Quinn,McCarthy,O'Brien,"
        "O'Connor,O'Neill,O'Sullivan,O'Reilly,McLaughlin,Sullivan,Burke,D'Arcy",
        "south_asian": "Patel,Khan,Singh,Begum,Ali,Hussain,Ahmed,Kaur,Shah,Akhtar,Bibi,Miah,"
        "D'Souza,Fernandes",
        "polish": "Nowak,Kowalski,Wiśniewski",
        "west_african": "Okafor,Mensah,Adeyemi",
        "east_asian": "Chen,Wong,Nguyen",
        "portuguese_turkish": "Costa,Kaya",
    }.items()
}
# Family names carried only by women; a man in the same family carries the other one.
FEMALE_FAMILY_NAMES = {"Begum": "Miah", "Kaur": "Singh", "Bibi": "Khan"}
WELSH_GIVEN = frozenset(GIVEN_NAMES["welsh"][0] + GIVEN_NAMES["welsh"][1])

# (family name, relative frequency). A rough Zipf: a few very common names, a long tail.
FAMILY_NAMES: tuple[tuple[str, int], ...] = tuple(
    (name.strip(), int(weight))
    for name, weight in (
        pair.strip().rsplit(" ", 1)
        for pair in _split(
            "Smith 120, Jones 95, Williams 80, Taylor 60, Brown 58, Davies 55, Evans 45, "
            "Wilson 40, Thomas 40, Johnson 35, Roberts 34, Robinson 30, Thompson 30, "
            "Wright 29, Walker 28, White 27, Edwards 26, Hughes 26, Green 25, Hall 25, "
            "Lewis 24, Harris 24, Clarke 23, Patel 23, Jackson 22, Wood 22, Turner 21, "
            "Martin 21, Cooper 20, Hill 20, Ward 19, Morris 19, Moore 18, Clark 18, Lee 18, "
            "King 18, Baker 17, Harrison 17, Morgan 17, Allen 16, James 16, Scott 16, "
            "Phillips 15, Watson 15, Davis 15, Parker 15, Price 14, Bennett 14, Young 14, "
            "Griffiths 14, Mitchell 13, Kelly 13, Cook 13, Carter 13, Richardson 12, "
            "Bailey 12, Collins 12, Bell 12, Shaw 12, Murphy 12, Miller 11, Cox 11, "
            "Richards 11, Khan 11, Marshall 11, Anderson 11, Simpson 10, Ellis 10, Adams 10, "
            "Singh 10, Begum 10, Wilkinson 10, Foster 9, Chapman 9, Powell 9, Webb 9, "
            "Rogers 9, Gray 9, Mason 9, Ali 9, Hunt 9, Hussain 9, Campbell 8, Matthews 8, "
            "Owen 8, Palmer 8, Holmes 8, Mills 8, Barnes 8, Knight 8, Lloyd 8, Butler 8, "
            "Russell 8, Barker 8, Fisher 8, Stevens 8, Jenkins 7, Murray 7, Dixon 7, "
            "Harvey 7, Graham 7, Pearson 7, Ahmed 7, Fletcher 7, Walsh 7, Kaur 7, Gibson 7, "
            "Howard 7, Andrews 7, Stewart 7, Elliott 7, Reynolds 7, Saunders 7, Payne 7, "
            "Fox 7, Ford 6, Pearce 6, Day 6, Brooks 6, West 6, Lawrence 6, Cole 6, "
            "Atkinson 6, Bradley 6, Spencer 6, Gill 6, Dawson 6, Ball 6, Burton 6, "
            "O'Brien 6, Watts 6, Rose 6, Booth 6, Perry 6, Ryan 6, Grant 6, Wells 6, "
            "Armstrong 6, Francis 6, Rees 6, Hayes 6, Hart 6, Hudson 5, Newman 5, Barrett 5, "
            "Webster 5, Hunter 5, Gregory 5, Carr 5, Lowe 5, Page 5, Marsh 5, Riley 5, "
            "Dunn 5, Woods 5, Parsons 5, Berry 5, Stone 5, Reid 5, Holland 5, Hawkins 5, "
            "Harding 5, Porter 5, Robertson 5, Newton 5, Oliver 5, Reed 5, Kennedy 5, "
            "Williamson 5, Bird 5, Gardner 5, Shah 5, Dean 5, Lane 4, Cooke 4, Bates 4, "
            "Henderson 4, Parry 4, Burgess 4, Bishop 4, Walton 4, Burns 4, Nicholson 4, "
            "Shepherd 4, Ross 4, Cross 4, Long 4, Freeman 4, Warren 4, Nicholls 4, "
            "Hamilton 4, Byrne 4, Sutton 4, McDonald 4, Yates 4, Hodgson 4, Robson 4, "
            "Curtis 4, Hopkins 4, O'Connor 4, Harper 4, Coleman 4, Watkins 4, Moss 4, "
            "McCarthy 4, Chambers 4, O'Neill 4, Griffin 3, Sharp 3, Hardy 3, Wheeler 3, "
            "Potter 3, Osborne 3, Johnston 3, Gordon 3, Doyle 3, Wallace 3, George 3, "
            "Jordan 3, Hutchinson 3, Rowe 3, Burke 3, May 3, Pritchard 3, Gilbert 3, "
            "Willis 3, Higgins 3, Read 3, Miles 3, Stevenson 3, Stephenson 3, Hammond 3, "
            "Arnold 3, Buckley 3, Walters 3, Hewitt 3, Barber 3, Nelson 3, Slater 3, "
            "Austin 3, Sullivan 3, Whitehead 3, Mann 3, Frost 3, Lambert 3, Stephens 3, "
            "Blake 3, Akhtar 3, Lynch 3, Goodwin 3, Barton 3, Woodward 3, Thomson 3, "
            "Cunningham 3, Quinn 3, Barnett 3, Baxter 3, Bibi 3, Clayton 3, Nash 3, "
            "Greenwood 3, Jennings 3, Holt 3, Kemp 3, Poole 3, Gallagher 3, Bond 3, "
            "Stokes 3, Tucker 3, Davidson 3, Fowler 3, Heath 3, Norman 3, Middleton 3, "
            "Lawson 3, Banks 3, French 3, Llewellyn 3, Pryce 3, Vaughan 3, Prosser 3, "
            "Meredith 3, Bowen 3, Howells 2, Gwilym 2, ap Rhys 1, Nowak 2, Kowalski 2, "
            "Wiśniewski 1, Okafor 2, Mensah 2, Adeyemi 2, Chen 2, Wong 2, Nguyen 1, "
            "D'Souza 2, D'Arcy 1, O'Sullivan 2, O'Reilly 2, McLaughlin 2, MacLeod 2, "
            "Smith-Jones 1, Harrington-Baker 1, Lloyd-Davies 1, Pryce-Evans 1, "
            "Ashworth-Hughes 1, Fernandes 1, Costa 1, Kaya 1, Miah 3",
            ", ",
        )
    )
)

STREET_NAMES = _split(
    "Church Acre, Mill Lane, Station Road, Victoria Street, Orchard Way, Meadow Close, "
    "Chapel Row, Brook Street, Queen's Road, Kingfisher Drive, Willow Crescent, Heather Close, "
    "The Paddocks, Beech Grove, Ashdown Road, Tannery Lane, Wheelwright Close, Ropewalk, "
    "Foundry Street, Pump Lane, Castle Hill, Priory Walk, Abbey Gardens, Market Place, "
    "Sheep Street, Cornmarket, Granary Court, Ferry Lane, Wharf Road, Lock Keeper's Way, "
    "Hazel Drive, Rowan Avenue, Sycamore Road, Larch Close, Hawthorn Way, Elder Court, "
    "Coronation Avenue, Jubilee Terrace, Albert Road, Alexandra Street, Nelson Terrace, "
    "Cromwell Road, Poplar Walk, St Mary's Close, St David's Road, Bryn Teg, Heol y Felin, "
    "Maes y Coed, Fairfield Road, Highfield Rise, Greenacres, Windmill Hill, Old School Lane",
    ", ",
)

HOUSE_NAMES = (
    "Rose Cottage",
    "The Old Forge",
    "Ty Gwyn",
    "Orchard House",
    "The Laurels",
    "Bramble Cottage",
    "Hafod",
    "The Old Rectory",
)


@dataclass(frozen=True)
class Town:
    name: str
    district: str  # partner code
    outward_codes: tuple[str, ...]


TOWNS = (
    Town("Northvale", "NVDC", ("NV1", "NV2", "NV3", "NV4")),
    Town("Haverton", "NVDC", ("NV5",)),
    Town("Ashby Marsh", "NVDC", ("NV6",)),
    Town("Kelby", "NVDC", ("NV7",)),
    Town("Eastmoor", "EMDC", ("EM1", "EM2", "EM3")),
    Town("Cray Bridge", "EMDC", ("EM4",)),
    Town("Withernby", "EMDC", ("EM5",)),
    Town("Hollins Cross", "EMDC", ("EM6",)),
    Town("Southdown", "SDDC", ("SD1", "SD2", "SD3")),
    Town("Saltmarsh", "SDDC", ("SD4",)),
    Town("Fennick", "SDDC", ("SD5",)),
    Town("Little Orbury", "SDDC", ("SD6",)),
)

# Letters allowed in the last two places of a UK postcode (no C I K M O V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

MOBILE_DRAMA_PREFIX = "+447700900"  # 07700 900000 to 900999
LANDLINE_DRAMA_PREFIX = "+441632960"  # 01632 960000 to 960999

EMAIL_DOMAINS = ("example.org", "example.com")


def pick_family_name(rng: random.Random) -> str:
    return rng.choices(_FAMILY, weights=_FAMILY_WEIGHTS)[0]


def origin_of(family: str) -> str:
    return next((o for o, names in FAMILY_ORIGINS.items() if family in names), "british")


def pick_given_name(rng: random.Random, sex: str, family: str) -> str:
    origin = origin_of(family)
    if origin == "british":
        origin = "welsh" if rng.random() < 0.06 else "british"
    elif origin == "welsh":
        origin = "welsh" if rng.random() < 0.45 else "british"
    elif rng.random() < 0.15:
        origin = "british"
    female, male = GIVEN_NAMES[origin]
    return rng.choice(female if sex == "F" else male)


def family_name_for(family: str, sex: str) -> str:
    return FEMALE_FAMILY_NAMES.get(family, family) if sex == "M" else family


def postcode(rng: random.Random, outward: str) -> str:
    return f"{outward} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def mobile(rng: random.Random) -> str:
    return f"{MOBILE_DRAMA_PREFIX}{rng.randint(0, 999):03d}"


def landline(rng: random.Random) -> str:
    return f"{LANDLINE_DRAMA_PREFIX}{rng.randint(0, 999):03d}"


def email_local_part(given: str, family: str, rng: random.Random) -> str:
    from frontoffice.customers.normalise import name_key

    style = rng.randint(0, 3)
    g, f = name_key(given), name_key(family)
    if style == 0:
        return f"{g}.{f}"
    if style == 1:
        return f"{g[0]}{f}{rng.randint(1, 99)}"
    if style == 2:
        return f"{g}{f}"
    return f"{f}.{g}{rng.randint(60, 99)}"


_FAMILY = [name for name, _ in FAMILY_NAMES]
_FAMILY_WEIGHTS = [weight for _, weight in FAMILY_NAMES]
