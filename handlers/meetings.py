"""The meetings domain (filled in by its issue)."""
