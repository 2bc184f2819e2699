"""Models of the meetings domain (filled in by its issue)."""
