"""A directory search runs the same number of SQL queries on 10 people and on 1,000; the
benchmark generator builds what it says and never touches a database that holds accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from eip_site.directory.models import Offer, Profile, Qualification, Skill, UserSkill
from eip_site.extensions import db
from eip_site.people.models import School, User, UserRole
from eip_site.seeds import bench as bench_data

from .. import factories
from ..helpers import sign_in

SEARCHES = ["/directory/?q=phonics", "/directory/?q=behavour&school={school}", "/directory/"]


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _partnership(app, *, schools: int, staff: int) -> int:
    """A fresh bench partnership; returns a school in which someone certainly matches both
    searches (so no size takes the "found nobody" path, which records the miss)."""
    with app.app_context():
        _empty_tables()
        bench_data.seed_bench(schools=schools, staff=staff, seed=7)
        school_id = db.session.scalar(select(School.id).order_by(School.id))
        person = db.session.scalar(select(User.id).where(
            User.school_id == school_id, User.active.is_(True),
            User.password_hash.is_not(None)).order_by(User.id))
        for name, relation in (("Phonics", "train"), ("Behaviour management", "mentor")):
            skill_id = db.session.scalar(select(Skill.id).where(Skill.name == name))
            # merge, not a factory: the bench may have given them the skill already.
            db.session.merge(UserSkill(user_id=person, skill_id=skill_id, relation=relation))
        db.session.commit()
        return school_id


def _queries_for(app, client, path: str, *, htmx: bool) -> int:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert b'id="results"' in response.data
    return len(seen)


def _all_counts(app, client, school_id: int) -> dict[tuple[str, bool], int]:
    counts = {}
    for path in SEARCHES:
        for htmx in (False, True):
            url = path.format(school=school_id)
            _queries_for(app, client, url, htmx=htmx)  # warm: what a cache may keep is loaded
            counts[(path, htmx)] = _queries_for(app, client, url, htmx=htmx)
    return counts


def test_a_search_runs_the_same_queries_on_10_people_and_on_1000(app, client):
    school_id = _partnership(app, schools=2, staff=5)
    sign_in(client)
    small = _all_counts(app, client, school_id)

    school_id = _partnership(app, schools=20, staff=50)
    sign_in(client)
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(User))
        links = db.session.scalar(select(func.count()).select_from(UserSkill))
    assert people >= 1000 and links >= 4000
    large = _all_counts(app, client, school_id)

    assert large == small


def test_seed_bench_builds_the_partnership_it_reports(app, ctx):
    counts = bench_data.seed_bench(schools=4, staff=6, seed=1)
    ctx.commit()

    def n(model, *where):
        return ctx.scalar(select(func.count()).select_from(model).where(*where))

    assert (counts.schools, counts.users) == (4, 4 * 6 + 1)
    assert n(School) == 4 and n(User) == 25
    assert n(UserSkill) == counts.skill_links and 4 * 24 <= counts.skill_links <= 12 * 24
    assert n(Profile) == counts.profiles and n(Offer) == counts.offers
    assert n(Qualification) == counts.qualifications
    assert counts.skills == n(Skill) > 100  # the default vocabulary was installed first
    # Everyone is plain staff (no role rows) except the one lead, who has no school.
    assert ctx.execute(select(UserRole.role, User.email).join(User)).all() == [
        ("lead", bench_data.LEAD_EMAIL)]
    per_person = ctx.execute(select(UserSkill.user_id, func.count()).group_by(
        UserSkill.user_id)).all()
    assert len(per_person) == 24 and all(4 <= k <= 12 for _, k in per_person)
    relations = set(ctx.scalars(select(UserSkill.relation)))
    assert relations <= {"train", "mentor", "experience", "develop"} and len(relations) >= 3
    # One password hash shared by every account that has one.
    assert len(set(ctx.scalars(select(User.password_hash).where(
        User.password_hash.is_not(None))))) == 1


def test_seed_bench_refuses_a_database_that_holds_accounts(app, ctx):
    factories.user(email="real.person@school.example")
    ctx.commit()
    with pytest.raises(bench_data.BenchNotEmpty):
        bench_data.seed_bench(schools=2, staff=2)
    ctx.rollback()
    assert ctx.scalar(select(func.count()).select_from(User)) == 1
    assert ctx.scalar(select(func.count()).select_from(School)) == 1


def test_seed_bench_command_prints_the_lead_login_and_refuses_a_second_run(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-bench", "--schools", "2", "--staff", "3"])
    assert first.exit_code == 0, first.output
    assert "2 schools, 7 people" in first.output and " s: " in first.output
    assert f"Lead login: {bench_data.LEAD_EMAIL}  password: {bench_data.DEFAULT_PASSWORD}" \
        in first.output
    signed_in = client.post("/login", data={"email": bench_data.LEAD_EMAIL,
                                            "password": bench_data.DEFAULT_PASSWORD})
    assert signed_in.status_code == 303

    again = runner.invoke(args=["seed-bench", "--schools", "2", "--staff", "3"])
    assert again.exit_code == 1
    assert "already holds accounts" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 2
