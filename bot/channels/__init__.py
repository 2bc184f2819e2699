"""Transports: each module only translates between a platform and handlers.core types."""
