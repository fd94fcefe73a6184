"""Administrators' pages for routing rules and partner systems (adapters)."""
