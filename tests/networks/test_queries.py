"""The network page, a meeting's agenda and minutes, My actions and the roll-up run the same
number of SQL queries on a small partnership and on a larger one; the benchmark generator
builds the networks it reports."""

from __future__ import annotations

from sqlalchemy import func, select

from eip_site.extensions import db
from eip_site.networks.models import Action, AgendaItem, Meeting, Network
from eip_site.seeds import bench as bench_data

from ..directory.test_search_queries import _empty_tables
from ..helpers import page_queries, sign_in


def _bench(app, **sizes) -> dict:
    """A fresh bench partnership; the pages of its first network, as its leader sees them."""
    with app.app_context():
        _empty_tables()
        bench_data.seed_bench(seed=7, **sizes)
        db.session.commit()
        network = db.session.scalars(select(Network).order_by(Network.id)).first()
        meetings = list(db.session.scalars(select(Meeting.id).where(
            Meeting.network_id == network.id).order_by(Meeting.starts_at)))
        owner = db.session.scalar(select(Action.owner_id).where(Action.status == "open")
                                  .order_by(Action.id))
        return {"leader": network.leader_id, "owner": owner, "paths": [
            f"/networks/{network.id}", f"/meetings/{meetings[-1]}",
            f"/meetings/{meetings[-2]}", f"/meetings/{meetings[-2]}/minutes",
            f"/meetings/{meetings[-3]}/minutes"]}


def _count(app, client, path: str, htmx: bool = False) -> int:
    return page_queries(app, client, path, htmx=htmx)


def _counts(app, client, bench) -> dict:
    counts = {}
    sign_in(client, bench["leader"])
    for i, path in enumerate(bench["paths"]):
        _count(app, client, path)  # warm
        counts[i] = _count(app, client, path)
    counts["agenda fragment"] = _count(app, client, bench["paths"][1], htmx=True)
    sign_in(client, bench["owner"])
    counts["actions"] = _count(app, client, "/actions/")
    sign_in(client, roles={"lead"})
    counts["overview"] = _count(app, client, "/networks/overview")
    return counts


def test_network_pages_run_the_same_queries_on_small_and_larger_data(app, client):
    small = _counts(app, client, _bench(
        app, schools=3, staff=6, networks=2, meetings_per_network=4, items_per_meeting=6))
    larger = _bench(app, schools=10, staff=30, networks=30, meetings_per_network=30,
                    items_per_meeting=12)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 30 * 30 * 12
    assert _counts(app, client, larger) == small


def test_seed_bench_reports_the_networks_it_builds(app, ctx):
    counts = bench_data.seed_bench(schools=3, staff=6, seed=1, networks=4,
                                   meetings_per_network=5, items_per_meeting=7)
    ctx.commit()
    assert counts.extra["networks"] == 4 and counts.extra["meetings"] == 20
    assert counts.extra["agenda_items"] == 20 * 7 == ctx.scalar(
        select(func.count()).select_from(AgendaItem))
    states = set(ctx.scalars(select(Meeting.state)))
    assert states == {"minutes_approved", "minutes_drafted", "published"}
