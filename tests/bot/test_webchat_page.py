"""The web chat page's own endpoints (issue #13 item 5): the estate and language of the header, the language
switch, and the photos a chat may see."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from desk.app import create_app
from estate.messaging.models import ChannelAccount
from estate.residents.models import Building, Estate, Resident, Unit
from estate.tickets.models import Attachment, Ticket
from tests.support.factories import make_ticket, make_world

SESSION = "page-session-0123456789abcdef"
OTHER = "other-session-0123456789abcdef"


@pytest.fixture
async def client(ctx):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _world(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        s.add(ChannelAccount(channel="webchat", external_id=SESSION, resident_id=world.resident.id))
        s.add(ChannelAccount(channel="webchat", external_id=OTHER))
    return world


async def _account_id(ctx, external_id: str) -> int:
    async with ctx.sessions() as s:
        found = await s.execute(select(ChannelAccount.id).where(ChannelAccount.external_id == external_id))
        return found.scalar_one()


async def _photo(ctx, name: str, *, account_id: int | None = None, ticket_id: int | None = None) -> int:
    """A stored photo (bytes under the data directory), sent by that chat or on that ticket."""
    folder = ctx.settings.data_dir / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"\x89PNG-" + name.encode())
    async with ctx.sessions() as s, s.begin():
        row = Attachment(
            path=f"photos/{name}",
            content_type="image/png",
            size=10,
            created_at=ctx.clock.now(),
            channel_account_id=account_id,
            ticket_id=ticket_id,
        )
        s.add(row)
        await s.flush()
        return row.id


async def _other_residents_ticket(ctx, world) -> int:
    async with ctx.sessions() as s, s.begin():
        unit = Unit(
            estate_id=world.estate.id, building_id=world.building.id, code="1-102", area_m2=Decimal("70")
        )
        s.add(unit)
        await s.flush()
        neighbour = Resident(unit_id=unit.id, name="Li Si", phone="13900139000")
        s.add(neighbour)
        await s.flush()
        neighbour_id = neighbour.id
    ticket = await make_ticket(ctx, world, "Neighbour's leak")
    async with ctx.sessions() as s, s.begin():
        row = await s.get(Ticket, ticket.id)
        assert row is not None
        row.resident_id, row.unit_id = neighbour_id, unit.id
    return ticket.id


async def test_a_chat_sees_its_own_photos_and_its_residents_ticket_photos_only(ctx, client):
    world = await _world(ctx)
    mine = await _account_id(ctx, SESSION)
    other = await _account_id(ctx, OTHER)
    ticket = await make_ticket(ctx, world)
    sent_here = await _photo(ctx, "sent-here.png", account_id=mine)
    on_my_ticket = await _photo(ctx, "on-ticket.png", ticket_id=ticket.id)
    on_neighbours = await _photo(ctx, "neighbour.png", ticket_id=await _other_residents_ticket(ctx, world))
    sent_elsewhere = await _photo(ctx, "elsewhere.png", account_id=other)

    def get(attachment_id: int, session: str):
        return client.get(f"/chat/api/photo/{attachment_id}", headers={"X-Chat-Session": session})

    for attachment_id, name in ((sent_here, "sent-here.png"), (on_my_ticket, "on-ticket.png")):
        r = await get(attachment_id, SESSION)
        assert r.status_code == 200 and r.content == b"\x89PNG-" + name.encode()
        assert r.headers["content-type"] == "image/png"
        assert "private" in r.headers["cache-control"]
    for attachment_id in (on_neighbours, sent_elsewhere, 999999):
        assert (await get(attachment_id, SESSION)).status_code == 404
    # an unbound chat sees what it sent itself, not the resident's tickets
    assert (await get(sent_elsewhere, OTHER)).status_code == 200
    assert (await get(on_my_ticket, OTHER)).status_code == 404
    # no session at all, or a photo whose file is gone
    assert (await client.get(f"/chat/api/photo/{sent_here}")).status_code == 404
    (ctx.settings.data_dir / "photos" / "sent-here.png").unlink()
    assert (await get(sent_here, SESSION)).status_code == 404


async def test_a_photo_of_a_chat_unbound_since_is_not_shown_for_the_resident(ctx, client):
    world = await _world(ctx)
    ticket = await make_ticket(ctx, world)
    on_ticket = await _photo(ctx, "on-ticket.png", ticket_id=ticket.id)
    async with ctx.sessions() as s, s.begin():
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == SESSION))
        ).scalar_one()
        account.resident_id = None
    r = await client.get(f"/chat/api/photo/{on_ticket}", headers={"X-Chat-Session": SESSION})
    assert r.status_code == 404


async def test_the_header_names_the_estate_of_the_bound_resident_else_the_first(ctx, client):
    world = await _world(ctx)
    async with ctx.sessions() as s, s.begin():
        estate = Estate(code="LY", name="Lakeside Garden")
        s.add(estate)
        await s.flush()
        building = Building(estate_id=estate.id, code="2", name="Building 2")
        s.add(building)
        await s.flush()
        unit = Unit(estate_id=estate.id, building_id=building.id, code="2-201", area_m2=Decimal("90"))
        s.add(unit)
        await s.flush()
        resident = await s.get(Resident, world.resident.id)
        assert resident is not None
        resident.unit_id = unit.id
    bound = await client.get("/chat/api/about", headers={"X-Chat-Session": SESSION})
    assert bound.status_code == 200 and bound.json()["estate"] == "Lakeside Garden"
    anonymous = await client.get("/chat/api/about", headers={"X-Chat-Session": OTHER})
    assert anonymous.json()["estate"] == "Star City"
    page = await client.get("/chat", headers={"X-Chat-Session": SESSION, "Accept-Language": "en"})
    assert "Lakeside Garden" in page.text
    assert "Star City" in (await client.get("/chat")).text


async def test_the_language_switch_changes_the_chat_and_the_page(ctx, client):
    world = await _world(ctx)
    h = {"X-Chat-Session": SESSION, "Accept-Language": "zh-CN"}
    page = await client.get("/chat", headers=h)
    assert 'lang="zh-CN"' in page.text and "客服中心" in page.text
    r = await client.post("/chat/api/lang", json={"locale": "zh_TW"}, headers=h)
    assert r.status_code == 200 and r.json()["locale"] == "zh_TW"
    async with ctx.sessions() as s:
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == SESSION))
        ).scalar_one()
        resident = await s.get(Resident, world.resident.id)
        assert account.locale == "zh_TW" and resident is not None and resident.locale == "zh_TW"
    page = await client.get("/chat", headers=h)
    assert 'lang="zh-TW"' in page.text and "客服中心" in page.text and "傳送" in page.text
    about = await client.get("/chat/api/about", headers=h)
    assert about.json()["locale"] == "zh_TW"
    refused = await client.post("/chat/api/lang", json={"locale": "fr"}, headers=h)
    assert refused.status_code == 400 and refused.json()["message"]
    nobody = await client.post("/chat/api/lang", json={"locale": "en"})
    assert nobody.status_code == 401


async def test_the_page_gives_its_script_the_texts_in_the_chosen_language(ctx, client):
    await _world(ctx)
    h = {"X-Chat-Session": SESSION, "Accept-Language": "zh-CN"}
    await client.post("/chat/api/lang", json={"locale": "en"}, headers=h)
    page = await client.get("/chat", headers=h)
    assert 'lang="en"' in page.text
    assert "Sending…" in page.text and "Not sent yet. Trying again…" in page.text
    assert "发送" not in page.text
