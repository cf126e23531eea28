"""tui/widgets layer."""
