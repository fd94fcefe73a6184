"""Importing a partner's extract into the customer records:
`flask link EXTRACT.csv --into-customers PARTNER SYSTEM`."""
