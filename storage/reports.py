"""Models of the reports domain (filled in by its issue)."""
