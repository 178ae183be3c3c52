"""Every scheduled job of the estate, area by area: the one registry `desk jobs`, the scheduler, the
console's "make report now" and the tests use (DESIGN §5, §7).

This is the composition point. The machinery (the `Job` value, the registry, running a job once and
recording the run, channel senders) lives in `estate.core.jobs`, which knows no area; each area keeps its
job functions and schedules in its own `jobs` module as a tuple `JOBS`. Listing the areas here — rather
than letting each area add itself to a global list when imported — means the registry is complete as soon
as this module is imported, whoever imports it first, and the order of `desk jobs list` is written down.

Time zones: whatever belongs to an estate (its local day and month, the quiet hours of its residents, its
bookings) is in that estate's zone (`ctx.tz_for(estate)`, from `Estate.timezone`); `Settings.tz`
(DESK_TIMEZONE) is only the installation's default, for what belongs to no estate. The numbers come from
`ctx.rules_for(estate)`.
"""

from __future__ import annotations

from estate.activity import jobs as activity
from estate.billing import jobs as billing
from estate.bookings import jobs as bookings
from estate.core.jobs import JobRegistry
from estate.messaging import jobs as messaging
from estate.reporting import jobs as reporting
from estate.tickets import jobs as tickets

JOBS = JobRegistry(*tickets.JOBS, *billing.JOBS, *reporting.JOBS, *bookings.JOBS, *messaging.JOBS, *activity.JOBS)

run_job = JOBS.run_job
run_scheduled = JOBS.run_scheduled
scheduled_jobs = JOBS.scheduled_jobs
fired_between = JOBS.fired_between
