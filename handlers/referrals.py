"""The referrals domain (filled in by its issue)."""
