import pytest
from sqlalchemy import func, select

from eip_site.extensions import db
from eip_site.people.models import School, User

from .. import factories
from ..helpers import page_queries, sign_in


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


SCHOOL = {"name": "Hillside Primary", "urn": "123456", "phase": "primary", "town": "Kingsmere",
          "local_authority": "", "website": "https://www.hillside.example", "active": "y"}


def test_lead_adds_and_edits_a_school(app, client):
    sign_in(client, roles={"lead"})
    assert client.post("/admin/schools/new", data=SCHOOL).status_code == 303
    listing = client.get("/admin/schools").get_data(as_text=True)
    assert "Hillside Primary" in listing and "123456" in listing
    with app.app_context():
        school = db.session.scalar(select(School).where(School.urn == "123456"))
        school_id, version = school.id, school.version
    edited = client.post(f"/admin/schools/{school_id}",
                         data={**SCHOOL, "name": "Hillside Academy", "version": version})
    assert edited.status_code == 303
    stale = client.post(f"/admin/schools/{school_id}",
                        data={**SCHOOL, "name": "Lost edit", "version": version})
    assert stale.status_code == 409
    assert "Someone else changed this" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(School, school_id).name == "Hillside Academy"


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Enter the school&#39;s name."),
    ({"name": "x" * 10000}, "120 characters or fewer"),
    ({"urn": "12"}, "6 digits"),
    ({"urn": "abcdef"}, "6 digits"),
    ({"phase": ""}, "Choose the school&#39;s phase."),
    ({"phase": "university"}, "Choose the school&#39;s phase."),
    ({"website": "javascript:alert(1)"}, "full address"),
    ({"name": "Nul\x00byte"}, "control characters"),
])
def test_bad_school_input_is_a_422_beside_the_field_and_saves_nothing(app, client, changes,
                                                                       message):
    sign_in(client, roles={"lead"})
    response = client.post("/admin/schools/new", data={**SCHOOL, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert count(School) == 1  # only the lead's own school


def test_html_and_emoji_names_are_stored_and_shown_escaped(app, client):
    sign_in(client, roles={"lead"})
    name = "<script>alert('x')</script> Ysgol Gymraeg 🌈 Łódź"
    assert client.post("/admin/schools/new", data={**SCHOOL, "name": name}).status_code == 303
    body = client.get("/admin/schools").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ysgol Gymraeg 🌈 Łódź" in body


def test_invite_a_person_then_find_them_in_the_filtered_list(app, client, mailbox):
    sign_in(client, roles={"lead"})
    with app.app_context():
        school_id = factories.school(name="Brook Infant").id
        db.session.commit()
    response = client.post("/admin/users/new", data={
        "name": "Priya Shah", "email": "priya@brook.example", "school_id": school_id,
        "job_title": "Phonics lead", "roles": ["champion"]})
    assert response.status_code == 303
    assert mailbox.to("priya@brook.example")[0]["Subject"].startswith("You are invited")
    page = client.get("/admin/users?q=priya&status=invited")
    assert "Priya Shah" in page.get_data(as_text=True)
    fragment = client.get("/admin/users?q=PRIYA", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert '<title>People – ' in body and "1 person found" in body
    assert body.split("</title>", 1)[1].lstrip().startswith('<div id="users-results">')
    none = client.get("/admin/users?q=nobody%25here", headers={"HX-Request": "true"})
    assert "0 people found" in none.get_data(as_text=True)


def test_duplicate_invite_is_refused_and_nothing_sent(app, client, mailbox):
    sign_in(client, roles={"lead"})
    with app.app_context():
        factories.user(email="taken@school.example")
        before = count(User)
        db.session.commit()
    response = client.post("/admin/users/new", data={"name": "Taken", "email": "Taken@School.example",
                                                     "school_id": ""})
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert mailbox.messages == []
    with app.app_context():
        assert count(User) == before


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "a@b.example"}, "Enter the person&#39;s full name."),
    ({"name": "A", "email": "not-an-email"}, "correct format"),
    ({"name": "A", "email": "a@b.example", "school_id": "999999"}, "Choose a school"),
    ({"name": "A", "email": "a@b.example", "roles": ["admin"]}, "cannot give or take away"),
    ({"name": "A", "email": "a@b.example", "roles": ["emperor"]}, "cannot give or take away"),
])
def test_bad_person_input_is_a_422(client, data, message):
    sign_in(client, roles={"lead"})
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_head_sees_and_manages_only_their_school(app, client):
    with app.app_context():
        mine = factories.school(name="Mine")
        theirs = factories.school(name="Theirs")
        colleague = factories.user(name="My Colleague", school=mine).id
        stranger = factories.user(name="A Stranger", school=theirs).id
        head_id = factories.user(roles={"head"}, school=mine).id
        db.session.commit()
    sign_in(client, head_id)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "My Colleague" in listing and "A Stranger" not in listing
    edit = client.get(f"/admin/users/{colleague}")
    assert edit.status_code == 200
    # A head places staff only at their school: no "No school" to choose and be refused.
    assert "No school (partnership staff)" not in edit.get_data(as_text=True)
    assert "All schools" in listing  # the list's filter keeps its blank
    assert client.get(f"/admin/users/{stranger}").status_code == 403
    assert client.post(f"/admin/users/{stranger}/active", data={"active": "0"}).status_code == 422
    deactivated = client.post(f"/admin/users/{colleague}/active", data={"active": "0"})
    assert deactivated.status_code == 303


def test_deactivating_yourself_is_refused_with_a_message(client):
    me = sign_in(client, roles={"lead"})
    response = client.post(f"/admin/users/{me}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    htmx = client.post(f"/admin/users/{me}/active", data={"active": "0"},
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and htmx.headers["HX-Retarget"] == "#flash"


def test_users_page_runs_a_fixed_number_of_queries(app, client):
    sign_in(client, roles={"lead"})
    def queries_for(path):
        return page_queries(app, client, path)

    with app.app_context():
        school = factories.school()
        for _ in range(3):
            factories.user(school=school, roles={"champion"})
        db.session.commit()
    small = queries_for("/admin/users")
    with app.app_context():
        for _ in range(40):
            factories.user(school=school, roles={"champion"})
        db.session.commit()
    assert queries_for("/admin/users") == small
    assert queries_for("/admin/schools") == queries_for("/admin/schools")
