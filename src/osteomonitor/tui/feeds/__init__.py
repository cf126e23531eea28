"""Feeds: what a dashboard screen is fed by (a live collection or a recording played back)."""
