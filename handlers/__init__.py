"""Domain handlers. Importing this package registers every command, flow, button and job.

One package per domain (reports/, referrals/, meetings/); the modules at this level are shared by
all of them (core, registry, units, duties, workdays, roster, demo) or are commands and jobs that
belong to no domain (help, send_failures, housekeeping).

The import order is the order commands appear in 帮助.
"""

# isort: off
from handlers import help, reports, referrals, meetings, housekeeping  # noqa: F401
from handlers import send_failures  # noqa: F401
from handlers import roster, roster_changes  # noqa: F401
from handlers import followup  # noqa: F401
from handlers import monitoring  # noqa: F401
from handlers import assessment  # noqa: F401
from handlers import desk  # noqa: F401
# isort: on

__all__: list[str] = []
