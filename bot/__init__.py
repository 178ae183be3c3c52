"""Channel adapters: each turns its channel's updates into dialog events and delivers outbox messages."""
