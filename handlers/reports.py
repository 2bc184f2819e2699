"""The reports domain (filled in by its issue)."""
