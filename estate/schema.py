"""The whole schema: every area's tables registered on the one shared metadata.

Import `Base` from here wherever the complete schema is needed (migrations, `create_all` in tests and
benchmarks); an area's own code imports only the models it uses from that area's `models` module.
"""

from estate.activity import models as activity_models
from estate.billing import models as billing_models
from estate.bookings import models as bookings_models
from estate.core.base import Base
from estate.livechat import models as livechat_models
from estate.messaging import models as messaging_models
from estate.reporting import models as reporting_models
from estate.residents import models as residents_models
from estate.staff import models as staff_models
from estate.tickets import models as tickets_models
from estate.tickets import search as tickets_search  # noqa: F401  (create_all builds the search index)

AREAS = (
    activity_models,
    billing_models,
    bookings_models,
    livechat_models,
    messaging_models,
    reporting_models,
    residents_models,
    staff_models,
    tickets_models,
)

__all__ = ["AREAS", "Base"]
