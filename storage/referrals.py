"""Models of the referrals domain (filled in by its issue)."""
