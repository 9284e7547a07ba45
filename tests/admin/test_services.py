import pytest

from eip_site.errors import DomainError, StaleEdit
from eip_site.people import services
from eip_site.security import ADMIN, CHAMPION, HEAD, LEAD

from .. import factories


def test_a_lead_creates_a_school_and_urns_are_unique(ctx):
    lead = factories.user(roles={LEAD})
    school = services.save_school(actor=lead, name="Hillside Primary", urn="123456",
                                  phase="primary")
    assert school.id
    with pytest.raises(DomainError, match="already has the URN 123456") as err:
        services.save_school(actor=lead, name="Copy", urn="123456", phase="primary")
    assert err.value.field == "urn"


@pytest.mark.parametrize("urn", ["12345", "1234567", "12a456", "", "１２３４５６"])
def test_urn_must_be_six_digits(ctx, urn):
    lead = factories.user(roles={LEAD})
    with pytest.raises(DomainError, match="6 digits"):
        services.save_school(actor=lead, name="X", urn=urn, phase="primary")


def test_stale_school_edit_is_refused(ctx):
    lead = factories.user(roles={LEAD})
    school = factories.school()
    seen = school.version
    services.save_school(actor=lead, school=school, name="Renamed", urn=school.urn,
                         phase="primary", version=seen)
    with pytest.raises(StaleEdit):
        services.save_school(actor=lead, school=school, name="Again", urn=school.urn,
                             phase="primary", version=seen)


def test_a_head_adds_staff_to_their_own_school_only(ctx, mailbox):
    head = factories.user(roles={HEAD})
    other = factories.school()
    user = services.create_user(actor=head, name="New Teacher", email="New@School.example",
                                school_id=head.school_id, roles={CHAMPION})
    assert user.email == "new@school.example" and user.invited
    assert mailbox.to("new@school.example")
    with pytest.raises(DomainError, match="your own school"):
        services.create_user(actor=head, name="X", email="x@school.example", school_id=other.id)
    with pytest.raises(DomainError, match="cannot give or take away"):
        services.create_user(actor=head, name="Y", email="y@school.example",
                             school_id=head.school_id, roles={LEAD})


def test_email_is_unique_whatever_its_case(ctx):
    lead = factories.user(roles={LEAD})
    factories.user(email="sam@school.example")
    with pytest.raises(DomainError, match="already has an account") as err:
        services.create_user(actor=lead, name="Sam", email="SAM@school.example", school_id=None)
    assert err.value.field == "email"


def test_nobody_raises_their_own_role(ctx):
    lead = factories.user(roles={LEAD})
    with pytest.raises(DomainError, match="cannot give yourself"):
        services.update_user(actor=lead, user=lead, name=lead.name, email=lead.email,
                             school_id=lead.school_id, job_title="", roles={LEAD, CHAMPION})
    # ...but may drop a role of their own.
    services.update_user(actor=lead, user=lead, name=lead.name, email=lead.email,
                         school_id=lead.school_id, job_title="", roles=set())
    assert lead.roles == {"staff"}


def test_leads_cannot_make_admins_and_heads_only_champions(ctx):
    lead = factories.user(roles={LEAD})
    staff = factories.user()
    with pytest.raises(DomainError):
        services.update_user(actor=lead, user=staff, name=staff.name, email=staff.email,
                             school_id=staff.school_id, job_title="", roles={ADMIN})
    head = factories.user(roles={HEAD}, school=staff.school)
    services.update_user(actor=head, user=staff, name=staff.name, email=staff.email,
                         school_id=staff.school_id, job_title="", roles={CHAMPION})
    assert CHAMPION in staff.roles


def test_heads_cannot_manage_other_schools_or_leads(ctx):
    head = factories.user(roles={HEAD})
    elsewhere = factories.user()
    colleague_lead = factories.user(roles={LEAD}, school=head.school)
    assert not services.can_manage(head, elsewhere)
    assert not services.can_manage(head, colleague_lead)
    with pytest.raises(DomainError):
        services.set_active(actor=head, user=elsewhere, active=False)


def test_the_last_admin_cannot_be_removed_or_deactivated(ctx):
    admin = factories.user(roles={ADMIN})
    with pytest.raises(DomainError, match="last administrator"):
        services.update_user(actor=admin, user=admin, name=admin.name, email=admin.email,
                             school_id=admin.school_id, job_title="", roles=set())
    second = factories.user(roles={ADMIN})
    with pytest.raises(DomainError, match="your own account"):
        services.set_active(actor=admin, user=admin, active=False)
    services.set_active(actor=admin, user=second, active=False)
    other = factories.user(roles={ADMIN})
    services.set_active(actor=other, user=admin, active=False)
    with pytest.raises(DomainError, match="last administrator"):
        services.update_user(actor=other, user=other, name=other.name, email=other.email,
                             school_id=other.school_id, job_title="", roles=set())


def test_deactivating_rotates_the_session_token(ctx):
    lead = factories.user(roles={LEAD})
    staff = factories.user()
    before = staff.session_token
    services.set_active(actor=lead, user=staff, active=False)
    assert staff.session_token != before and not staff.is_active
    services.set_active(actor=lead, user=staff, active=True)
    assert staff.is_active


def test_resend_invite_only_for_people_without_a_password(ctx, mailbox):
    lead = factories.user(roles={LEAD})
    invited = factories.user(password=None)
    services.resend_invite(actor=lead, user=invited)
    assert len(mailbox.to(invited.email)) == 1
    with pytest.raises(DomainError, match="already set a password"):
        services.resend_invite(actor=lead, user=lead)
