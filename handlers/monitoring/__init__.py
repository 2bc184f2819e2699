"""监测预警 (seed 附件1 四(三)): health-check results in, early-warning signals, 舆情 rounds
(docs/monitoring.md)."""

from handlers.monitoring import health, opinion, views  # noqa: F401  (registers commands and jobs)
