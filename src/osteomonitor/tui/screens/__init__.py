"""tui/screens layer."""
