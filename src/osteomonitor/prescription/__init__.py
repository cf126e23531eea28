"""prescription layer."""
