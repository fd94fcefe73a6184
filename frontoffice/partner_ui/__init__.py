"""The partner UI: partner staff work the cases routed to their partner."""
