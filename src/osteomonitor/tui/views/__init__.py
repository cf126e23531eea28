"""Views: pure functions from the session's data to what the widgets draw (no Textual)."""
