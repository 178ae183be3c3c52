"""Console paid services: changing a service's price, length and offer, and opening its slots."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from desk.app import create_app
from estate.bookings.models import ServiceItem, ServiceSlot
from tests.support.console import console_world, sign_in


async def test_editing_a_service_sets_it_and_opens_two_weeks_of_slots(ctx):
    w = await console_world(ctx)
    async with ctx.sessions() as s, s.begin():
        item = ServiceItem(estate_id=w.estate.id, code="cleaning", name="Home cleaning", price_cents=12000)
        s.add(item)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "supervisor")
        form = {"csrf": csrf, "price": "150.5", "duration": "5", "capacity": "2", "active": "1"}
        r = await c.post(f"/console/services/{item.id}", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/console/services"
        missing = await c.post("/console/services/999999", data=form)
        assert missing.status_code == 404
    async with ctx.sessions() as s:
        changed = await s.get(ServiceItem, item.id)
        assert changed is not None
        assert (changed.price_cents, changed.duration_minutes, changed.active) == (15050, 15, True)
        slots = await s.execute(
            select(func.count(), func.min(ServiceSlot.capacity)).where(ServiceSlot.service_item_id == item.id)
        )
        assert tuple(slots.one()) == (14 * 4, 2)
