"""Partners' webhooks: a partner's system is told of new and changed cases routed to it."""
