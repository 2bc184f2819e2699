"""Domain handlers. Importing this package registers every command, flow, button and job."""

from handlers import bulletins, help, meetings, referrals, reports  # noqa: F401

__all__: list[str] = []
