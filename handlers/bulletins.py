"""The quarterly bulletin (filled in by its issue)."""
