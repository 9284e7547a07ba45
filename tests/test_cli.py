from sqlalchemy import func, select

from eip_site.extensions import db
from eip_site.outbox import OutboxMessage
from eip_site.people.models import School, User
from eip_site.security import ROLES
from eip_site.seeds import demo

from . import factories
from .helpers import pass_second_factor


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_seed_demo_builds_the_partnership_once_and_prints_logins(app):
    first = run(app, "seed-demo", "--password", "kingsmere demo pass")
    assert first.exit_code == 0, first.output
    assert "Demo partnership loaded." in first.output
    assert "password for all: kingsmere demo pass" in first.output
    for role in ROLES:
        assert f"  {role} " in first.output
    with app.app_context():
        schools = db.session.scalar(select(func.count()).select_from(School))
        people = db.session.scalar(select(func.count()).select_from(User))
        phases = set(db.session.scalars(select(School.phase)))
        logins = demo.logins()
    assert schools == 6 and 75 <= people <= 90
    assert len(phases) == 6
    assert [login.role for login in logins] == list(ROLES)
    with app.app_context():  # the demo's history is not emailed to its people
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    again = run(app, "seed-demo", "--password", "kingsmere demo pass")
    assert again.exit_code == 0 and "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == people


def test_demo_logins_work(app, client):
    run(app, "seed-demo")
    with app.app_context():
        logins = demo.logins()
    for login in logins:
        response = client.post("/login", data={"email": login.email,
                                               "password": demo.DEFAULT_PASSWORD})
        assert response.status_code == 303, login
        client.post("/logout")


def test_seed_demo_refuses_a_database_with_real_data(app):
    with app.app_context():
        factories.user(email="real.person@school.example")
        db.session.commit()
    refused = run(app, "seed-demo")
    assert refused.exit_code == 1
    assert "not the demo's" in refused.output
    quiet = run(app, "seed-demo", "--if-empty")
    assert quiet.exit_code == 0 and "your own data" in quiet.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 1


def test_seed_demo_refuses_a_weak_password(app):
    result = run(app, "seed-demo", "--password", "short")
    assert result.exit_code == 2 and "10 characters" in result.output


def test_create_admin_prompts_for_a_password(app, client):
    weak = run(app, "create-admin", "ops@partnership.example", input="password12\npassword12\n")
    assert weak.exit_code == 1 and "too easy to guess" in weak.output
    made = run(app, "create-admin", "Ops@Partnership.example", "--name", "Ops Person",
               input="lantern kettle orbit\nlantern kettle orbit\n")
    assert made.exit_code == 0, made.output
    twice = run(app, "create-admin", "ops@partnership.example",
                input="lantern kettle orbit\nlantern kettle orbit\n")
    assert twice.exit_code == 1 and "already exists" in twice.output
    response = client.post("/login", data={"email": "ops@partnership.example",
                                           "password": "lantern kettle orbit"})
    assert response.status_code == 303
    assert pass_second_factor(app, client, response).status_code == 200  # sets up two-step
    assert client.get("/admin/users").status_code == 200
