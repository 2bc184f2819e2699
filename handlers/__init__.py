"""Domain handlers. Importing this package registers every command, flow, button and job.

The import order is the order commands appear in 帮助.
"""

# isort: off
from handlers import help, reports, bulletins, referrals, meetings, housekeeping  # noqa: F401
from handlers import send_failures  # noqa: F401
# isort: on

__all__: list[str] = []
