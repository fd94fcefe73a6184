"""Messages to residents (a partner's public note on their case), sent through an outbox."""
