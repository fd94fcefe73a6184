"""The partner API at /api/v1/: partners' systems read and work the cases routed to them."""
