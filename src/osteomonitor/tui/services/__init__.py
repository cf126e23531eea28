"""Services: what the live screens start (a live session on a collector)."""
