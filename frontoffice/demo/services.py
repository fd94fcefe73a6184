"""The demo service catalogue: what residents ask for, who delivers it, how fast."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    group: str
    description: str
    owner: str  # partner code; for district-tier services, the lead district
    sla_working_days: int
    summaries: tuple[str, ...]
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Delivered by each district for its own residents: the catalogue entry is kept by a lead
    # district (owner) and each case belongs to the district the customer lives in.
    district_tier: bool = False

    @property
    def on_street(self) -> bool:
        """A problem somewhere in the street (a pothole), not at the customer's home."""
        return (
            self.group in ("Street care", "Roads and transport") and self.code != "parking-permit"
        )

    @property
    def at_home(self) -> bool:
        return self.group in ("Bins and recycling", "Environmental health")


SERVICES = (
    ServiceSpec(
        "missed-bin",
        "Report a missed bin collection",
        "Bins and recycling",
        "A bin that was out on time but was not emptied on the collection day.",
        "NVDC",
        2,
        (
            "Grey bin not collected, out by 7am",
            "Recycling missed again this week",
            "Food caddy left behind, whole street missed",
            "Assisted collection missed",
        ),
        {"bin": ("general waste", "recycling", "food waste", "garden waste")},
        district_tier=True,
    ),
    ServiceSpec(
        "bulky-waste",
        "Book a bulky waste collection",
        "Bins and recycling",
        "Collection of up to five large items such as furniture or white goods, for a fee.",
        "NVDC",
        10,
        (
            "Sofa and armchair for collection",
            "Fridge freezer and washing machine",
            "Mattress and bed frame",
            "Wardrobe and two chests of drawers",
        ),
        {"items": ("1", "2", "3", "4", "5"), "concession": ("yes", "no")},
        district_tier=True,
    ),
    ServiceSpec(
        "garden-waste",
        "Garden waste subscription",
        "Bins and recycling",
        "Join, renew or cancel the yearly brown-bin garden waste collection.",
        "NVDC",
        10,
        (
            "New garden waste subscription",
            "Renewal, second bin wanted",
            "Bin not delivered after subscribing",
            "Cancel subscription, moving away",
        ),
        {"bins": ("1", "2")},
        district_tier=True,
    ),
    ServiceSpec(
        "fly-tipping",
        "Report fly-tipping",
        "Street care",
        "Rubbish dumped illegally on public land. Evidence may lead to a fixed penalty.",
        "EMDC",
        3,
        (
            "Builders' rubble dumped in lay-by",
            "Black bags left by the bottle bank",
            "Mattress and tyres in the lane behind the shops",
            "Asbestos sheets by the footpath",
        ),
        {"size": ("single bag", "car boot load", "small van load", "lorry load")},
        district_tier=True,
    ),
    ServiceSpec(
        "abandoned-vehicle",
        "Report an abandoned vehicle",
        "Street care",
        "A vehicle that seems abandoned: untaxed, damaged or not moved for weeks.",
        "EMDC",
        10,
        (
            "Untaxed car not moved for six weeks",
            "Burnt-out van on the verge",
            "Car with flat tyres and smashed window",
        ),
        {"taxed": ("yes", "no", "don't know")},
        district_tier=True,
    ),
    ServiceSpec(
        "dog-fouling",
        "Report dog fouling",
        "Street care",
        "Dog mess on a pavement, path or park; the worst places get extra patrols.",
        "EMDC",
        5,
        (
            "Dog fouling on the path to the primary school",
            "Repeated fouling by the play area",
            "Same dog walker every morning, fouling not picked up",
        ),
        district_tier=True,
    ),
    ServiceSpec(
        "noise",
        "Report a noise nuisance",
        "Environmental health",
        "Noise from a neighbour, business or event that keeps happening.",
        "EMDC",
        10,
        (
            "Loud music late at night from neighbouring flat",
            "Barking dog all day",
            "Early morning deliveries at the supermarket",
            "Intruder alarm ringing for hours",
        ),
        {"time": ("daytime", "evening", "night")},
        district_tier=True,
    ),
    ServiceSpec(
        "pest-control",
        "Book pest control",
        "Environmental health",
        "Treatment for rats, mice, wasps and bed bugs; charges apply for some pests.",
        "EMDC",
        5,
        (
            "Rats in the garden near the compost bin",
            "Wasps' nest under the eaves",
            "Mice in the kitchen",
            "Bed bugs in a rented flat",
        ),
        {"pest": ("rats", "mice", "wasps", "bed bugs", "cockroaches")},
        district_tier=True,
    ),
    ServiceSpec(
        "planning-enquiry",
        "Planning enquiry",
        "Planning and building control",
        "A question about a planning application, permitted development or an enforcement.",
        "SDDC",
        15,
        (
            "Does a rear extension need planning permission?",
            "Objection to neighbour's application",
            "Possible breach: fence over two metres",
            "Status of my householder application",
        ),
        district_tier=True,
    ),
    ServiceSpec(
        "electoral-registration",
        "Electoral registration",
        "Elections",
        "Registering to vote, changes of name or address, postal and proxy votes.",
        "SDDC",
        10,
        (
            "Add new occupant to the register",
            "Apply for a postal vote",
            "Remove deceased relative from the register",
        ),
        district_tier=True,
    ),
    ServiceSpec(
        "pothole",
        "Report a pothole",
        "Roads and transport",
        "A pothole or damaged road surface; dangerous defects are made safe within a day.",
        "SCC",
        5,
        (
            "Deep pothole on the bend, cyclists swerving",
            "Road surface breaking up by the bus stop",
            "Pothole filled last month has opened again",
        ),
        {"depth": ("under 40mm", "40 to 100mm", "over 100mm")},
    ),
    ServiceSpec(
        "street-light",
        "Report a street light fault",
        "Roads and transport",
        "A street light that is out, flickering or on during the day.",
        "SCC",
        10,
        (
            "Street light out outside number 12",
            "Light flickering all night",
            "Column leaning after a car hit it",
        ),
        {"fault": ("out", "flickering", "on in daytime", "damaged column")},
    ),
    ServiceSpec(
        "parking-permit",
        "Apply for a residents' parking permit",
        "Roads and transport",
        "A permit for a controlled parking zone, for residents and their visitors.",
        "SCC",
        5,
        (
            "First resident permit for zone B",
            "Visitor permits for carer",
            "Change of vehicle on existing permit",
        ),
        {"zone": ("A", "B", "C", "D")},
    ),
    ServiceSpec(
        "blue-badge",
        "Apply for a Blue Badge",
        "Adult social care",
        "A parking badge for people with a disability or health condition that affects mobility.",
        "SCC",
        20,
        (
            "New Blue Badge application",
            "Renewal, badge expires next month",
            "Lost badge, replacement needed",
        ),
        {"route": ("automatic", "further assessment")},
    ),
    ServiceSpec(
        "adult-social-care",
        "Adult social care referral",
        "Adult social care",
        "A referral for a care needs assessment, made by the person, a relative or a professional.",
        "SCC",
        2,
        (
            "Daughter worried father is not coping at home after fall",
            "Carer's assessment requested",
            "Hospital discharge, needs support with washing",
        ),
        {"referrer": ("self", "relative", "professional")},
    ),
    ServiceSpec(
        "school-admissions",
        "School admissions",
        "Education",
        "Applying for a school place, in-year transfers and appeals.",
        "SCC",
        15,
        (
            "In-year transfer after moving to the area",
            "Reception place, sibling at school",
            "Appeal against refused place",
        ),
        {"phase": ("reception", "junior", "secondary")},
    ),
    ServiceSpec(
        "library-card",
        "Join the library",
        "Libraries",
        "A library card for borrowing, e-books and free computer use.",
        "SCC",
        3,
        ("New library card", "Replacement card, old one lost", "Junior card for two children"),
    ),
    ServiceSpec(
        "ctax-moving",
        "Council tax: moving home",
        "Council tax",
        "Tell us when you move in, out or within the area so your bill is right.",
        "SRBP",
        10,
        (
            "Moving out, final bill needed",
            "Moved in from outside the area",
            "Moving within the district, new address from the 1st",
        ),
        {"move": ("in", "out", "within")},
    ),
    ServiceSpec(
        "ctax-spd",
        "Council tax: single person discount",
        "Council tax",
        "A 25% discount when only one adult lives in the property.",
        "SRBP",
        10,
        (
            "Partner has moved out, now living alone",
            "Adult son left for university",
            "Review letter returned, still sole occupier",
        ),
    ),
    ServiceSpec(
        "hb-change",
        "Housing benefit: change of circumstances",
        "Benefits",
        "Tell us about changes to income, household or rent that affect housing benefit.",
        "SRBP",
        10,
        ("Rent increase from April", "New job, hours changed", "Partner moved in"),
        {"change": ("income", "household", "rent", "address")},
    ),
)

# The questions behind each answer key: (label, Open311 datatype). Lists store a value key.
QUESTIONS = {
    "bin": ("Which bin was missed?", "singlevaluelist"),
    "items": ("How many items?", "number"),
    "concession": ("Does the customer get a benefit that gives a discount?", "singlevaluelist"),
    "bins": ("How many bins?", "number"),
    "size": ("How much has been dumped?", "singlevaluelist"),
    "taxed": ("Is the vehicle taxed?", "singlevaluelist"),
    "time": ("When does the noise happen?", "singlevaluelist"),
    "pest": ("What kind of pest?", "singlevaluelist"),
    "depth": ("How deep is it?", "singlevaluelist"),
    "fault": ("What is wrong with the light?", "singlevaluelist"),
    "zone": ("Which parking zone?", "singlevaluelist"),
    "route": ("How is the customer eligible?", "singlevaluelist"),
    "referrer": ("Who is making the referral?", "singlevaluelist"),
    "phase": ("Which school phase?", "singlevaluelist"),
    "move": ("Is the customer moving in, out or within the area?", "singlevaluelist"),
    "change": ("What has changed?", "singlevaluelist"),
}

KEYWORDS = {
    "missed-bin": "wheelie bin, grey bin, recycling box, not emptied, collection missed",
    "bulky-waste": "sofa, fridge, mattress, furniture collection, white goods",
    "garden-waste": "brown bin, green waste, grass cuttings",
    "fly-tipping": "dumped rubbish, flytipping, illegal dumping",
    "pothole": "road surface, hole in the road, carriageway",
    "street-light": "lamp post, street lamp, lighting",
    "blue-badge": "disabled parking, parking badge",
    "ctax-moving": "council tax, change of address, moving house",
    "ctax-spd": "council tax, discount, living alone, 25%",
    "hb-change": "housing benefit, rent, income change",
    "noise": "loud music, barking dog, neighbour noise",
    "pest-control": "rats, mice, wasps, bed bugs",
}

SCRIPTS = {
    "missed-bin": "Check the round calendar first: if today is collection day, ask the customer "
    "to leave the bin out until 6pm.",
    "fly-tipping": "Ask whether it looks hazardous (asbestos, chemicals, needles). If so, tell "
    "the caller not to touch it and mark the case high priority.",
    "adult-social-care": "Ask whether the person is safe right now. If not, transfer the call "
    "to the emergency duty team before raising anything.",
    "pothole": "If the defect is deeper than 100mm on a main road, mark the case high priority.",
}


def value_key(option: str) -> str:
    """'general waste' -> 'general-waste': how a list answer is stored."""
    return "-".join("".join(c if c.isalnum() else " " for c in option.lower()).split())
