"""The tell-us-once tests' partnership (`p`) and clock (`frozen`)."""

from tests.life_events.partnership import frozen, p  # noqa: F401
