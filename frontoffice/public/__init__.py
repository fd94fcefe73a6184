"""Resident self-service at `/`: request a service, track it. No sign-in; no one sees another
resident's data."""
