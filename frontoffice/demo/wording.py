"""What staff write on demo case timelines and contacts."""

from __future__ import annotations

from frontoffice.cases.status import CaseStatus

S = CaseStatus

WHY = {
    S.IN_PROGRESS: ("Passed to the crew for the next round", "Officer assigned", "Work started"),
    S.WAITING_ON_CUSTOMER: (
        "Emailed the customer asking for photos of the location",
        "Left a voicemail asking for a convenient time to call back",
        "Letter sent asking for proof of the change",
    ),
    S.WAITING_ON_PARTNER: (
        "Referred to the contractor; awaiting their date",
        "Needs the back-office team to check their system",
        "Waiting for the inspection report",
    ),
    S.CLOSED: ("Closed after five working days with no reply to the resolution",),
    S.CANCELLED: (
        "Customer called to say it is no longer needed",
        "Duplicate of an earlier report of the same problem",
        "Raised in error",
    ),
}
RESOLUTIONS = {
    "Bins and recycling": (
        "Crew went back and emptied the bin",
        "Collection booked and done",
        "Subscription set up and the bin delivered",
    ),
    "Street care": (
        "Cleared by the street cleansing team",
        "Officer visited; warning letter sent to the owner",
        "Extra patrols added at the location",
    ),
    "Environmental health": (
        "Officer visited and gave advice",
        "Treatment completed",
        "Noise diary reviewed; warning letter sent",
    ),
    "Planning and building control": (
        "Planning officer replied by email",
        "Enforcement officer visited: no breach found",
    ),
    "Elections": ("Register updated", "Postal vote application approved"),
    "Roads and transport": (
        "Made safe and repaired by the highways crew",
        "Permit issued",
        "Repaired by the lighting contractor",
    ),
    "Adult social care": (
        "Badge approved and posted",
        "Assessment booked with the locality team",
        "Referred to the reablement service",
    ),
    "Education": ("Place offered and accepted", "Appeal hearing date sent"),
    "Libraries": ("Card issued at the counter", "Card posted"),
    "Council tax": ("Account updated and a new bill sent", "Discount applied from the change"),
    "Benefits": ("Claim reassessed and a new award letter sent",),
}
REOPENED = "Reopened: the customer says it is not sorted"
NOTES = (
    "Customer called to chase; told it is with the team",
    "Photo received by email and attached",
    "Checked with the team leader: on the list for this week",
    "Customer asked to be called on the mobile, not the landline",
    "Site visited: could not find the problem at the location given",
)
ENQUIRIES = (
    ("Which day are bins collected?", "Told collection day from the round calendar"),
    ("Council tax band query", "Explained banding and gave the VOA link"),
    ("Opening hours of the recycling centre", "Gave opening hours"),
    ("Wanted to pay a parking fine", "Passed the payment line number"),
    ("Asked about the warm spaces scheme", "Told the nearest library times"),
    ("Complaint about a rude crew member", "Gave the complaints form; no case needed"),
)
