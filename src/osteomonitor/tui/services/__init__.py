"""Services: the use cases the screens start (a live session, a review, an export)."""
