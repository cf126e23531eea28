"""Services: what the screens start (a live session on a collector, the review library's
loading worker)."""
