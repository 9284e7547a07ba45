from datetime import datetime

import pytest
from sqlalchemy import select

from eip_site import clock
from eip_site.directory import permissions, services
from eip_site.directory.models import Skill, UserSkill
from eip_site.errors import DomainError, StaleEdit
from eip_site.extensions import db

from .. import factories


def test_people_edit_their_own_profile_heads_their_school_leads_anyone(ctx):
    head = factories.user(roles={"head"})
    colleague = factories.user(school=head.school)
    stranger = factories.user()
    lead = factories.user(roles={"lead"})
    assert permissions.can_edit_profile(colleague, colleague)
    assert permissions.can_edit_profile(head, colleague)
    assert not permissions.can_edit_profile(head, stranger)
    assert not permissions.can_edit_profile(colleague, head)
    assert permissions.can_edit_profile(lead, stranger)


def test_save_profile_replaces_offers_and_qualifications_and_confirms(ctx, vocab):
    user = factories.user()
    services.save_profile(actor=user, user=user, job_title="SENCo", bio="Hello 👋",
                          phases=["primary"], subjects="", show_email=False,
                          offers=["advice", "coaching"], hours_per_term=6, offers_paused=False,
                          qualifications=["peer_reviewer"])
    profile = services.save_profile(actor=user, user=user, job_title="SENCo", bio="",
                                    phases=[], subjects="", show_email=True, offers=["advice"],
                                    hours_per_term=0, offers_paused=True, qualifications=[])
    assert profile.confirmed_at is not None and profile.offers_paused
    from eip_site.directory.queries import profile_details
    details = profile_details(user.id)
    assert details["offers"] == ["advice"] and details["qualifications"] == []


@pytest.mark.parametrize("changes, field", [
    ({"hours_per_term": 500}, "hours_per_term"),
    ({"offers": ["bribery"]}, "offers"),
    ({"qualifications": ["phd"]}, "qualifications"),
    ({"bio": "x" * 1001}, "bio"),
])
def test_bad_profile_input_names_the_field(ctx, changes, field):
    user = factories.user()
    data = dict(job_title="", bio="", phases=[], subjects="", show_email=True, offers=[],
                hours_per_term=0, offers_paused=False, qualifications=[])
    with pytest.raises(DomainError) as err:
        services.save_profile(actor=user, user=user, **{**data, **changes})
    assert err.value.field == field


def test_stale_profile_save_is_refused(ctx):
    user = factories.user()
    data = dict(job_title="", bio="", phases=[], subjects="", show_email=True, offers=[],
                hours_per_term=0, offers_paused=False, qualifications=[])
    profile = services.save_profile(actor=user, user=user, **data)
    seen = profile.version
    services.save_profile(actor=user, user=user, version=seen, **data)
    with pytest.raises(StaleEdit):
        services.save_profile(actor=user, user=user, version=seen, **data)


def test_skills_are_found_by_name_or_synonym_and_relations_change(ctx, vocab):
    user = factories.user()
    skills = list(db.session.scalars(select(Skill)))
    assert services.find_skill("send", skills).name == "SEND coordination"
    assert services.find_skill("  phonics ", skills).name == "Phonics"
    with pytest.raises(DomainError, match="not in the skills list"):
        services.find_skill("underwater basket weaving", skills)
    services.set_skill(actor=user, user=user, skill_id=vocab["Phonics"], relation="experience")
    services.set_skill(actor=user, user=user, skill_id=vocab["Phonics"], relation="train")
    assert db.session.get(UserSkill, (user.id, vocab["Phonics"])).relation == "train"
    with pytest.raises(DomainError):
        services.set_skill(actor=user, user=user, skill_id=vocab["Phonics"], relation="guru")
    removed = services.remove_skill(actor=user, user=user, skill_id=vocab["Phonics"])
    assert removed.relation == "train" and removed.skill.name == "Phonics"
    with pytest.raises(DomainError, match="not on this profile"):
        services.remove_skill(actor=user, user=user, skill_id=vocab["Phonics"])


def test_a_teacher_cannot_change_someone_elses_skills(ctx, vocab):
    me, other = factories.user(), factories.user()
    with pytest.raises(DomainError, match="your own profile"):
        services.set_skill(actor=me, user=other, skill_id=vocab["Phonics"], relation="train")


def test_suggested_skills_wait_for_approval_and_names_are_unique(ctx, vocab):
    user = factories.user()
    lead = factories.user(roles={"lead"})
    category = db.session.get(Skill, vocab["Phonics"]).category_id
    with pytest.raises(DomainError, match="“Phonics” is already in the skills list"):
        services.suggest_skill(actor=user, name="PHONICS", category_id=category)
    skill = services.suggest_skill(actor=user, name="Chess club", category_id=category)
    assert skill.status == "suggested"
    other = factories.user()
    with pytest.raises(DomainError, match="waiting for a lead"):
        services.set_skill(actor=other, user=other, skill_id=skill.id, relation="train")
    services.save_skill(actor=lead, skill=skill, name="Chess", category_id=category,
                        synonyms="chess club, board games, Chess club", approve=True)
    assert skill.status == "approved" and skill.synonym_list == ["chess club", "board games"]


def test_a_word_names_one_skill_only(ctx, vocab):
    user = factories.user()
    lead = factories.user(roles={"lead"})
    drama = db.session.get(Skill, vocab["Drama"])
    with pytest.raises(DomainError, match="“SSP” is already another name for “Phonics”") as caught:
        services.suggest_skill(actor=user, name="ssp", category_id=drama.category_id)
    assert caught.value.field == "name"
    with pytest.raises(DomainError, match="another name for “Phonics”") as caught:
        services.save_skill(actor=lead, skill=drama, name="Drama", category_id=drama.category_id,
                            synonyms="theatre, Letters and sounds", approve=True)
    assert caught.value.field == "synonyms"
    with pytest.raises(DomainError, match="“Phonics” is already in the skills list"):
        services.save_skill(actor=lead, skill=drama, name="Drama", category_id=drama.category_id,
                            synonyms="phonics", approve=True)
    services.save_skill(actor=lead, skill=drama, name="Drama", category_id=drama.category_id,
                        synonyms="theatre, Drama", approve=True)  # its own name is no clash
    assert drama.synonym_list == ["theatre", "Drama"]
    assert db.session.scalar(select(db.func.count()).select_from(Skill).where(
        Skill.status == "suggested")) == 0


def test_a_lead_turns_down_a_suggestion_and_the_suggester_is_told(ctx, vocab, mailbox):
    user = factories.user()
    lead = factories.user(roles={"lead"})
    category = db.session.get(Skill, vocab["Phonics"]).category_id
    junk = services.suggest_skill(actor=user, name="<script>alert(1)</script>",
                                  category_id=category)
    services.set_skill(actor=user, user=user, skill_id=junk.id, relation="train")
    name = services.reject_skill(actor=lead, skill=junk, reason="Not a skill.")
    db.session.commit()
    assert name == "<script>alert(1)</script>"
    assert db.session.get(Skill, junk.id) is None
    assert db.session.scalar(select(db.func.count()).select_from(UserSkill)
                             .where(UserSkill.user_id == user.id)) == 0
    [mail] = mailbox.to(user.email)
    assert "was not added" in mail["Subject"] and "Their reason: Not a skill." in mail.get_content()
    with pytest.raises(DomainError, match="Only a suggestion"):
        services.reject_skill(actor=lead, skill=db.session.get(Skill, vocab["Phonics"]))


def test_the_suggester_hears_when_a_suggestion_is_approved_or_merged(ctx, vocab, mailbox):
    user = factories.user()
    lead = factories.user(roles={"lead"})
    category = db.session.get(Skill, vocab["Phonics"]).category_id
    chess = services.suggest_skill(actor=user, name="Chess", category_id=category)
    phonix = services.suggest_skill(actor=user, name="Phonix", category_id=category)
    services.save_skill(actor=lead, skill=chess, name="Chess", category_id=category,
                        synonyms="", approve=True)
    services.save_skill(actor=lead, skill=chess, name="Chess", category_id=category,
                        synonyms="board games", approve=True)  # already approved: no second email
    services.merge_skill(actor=lead, duplicate=phonix, into=db.session.get(Skill, vocab["Phonics"]))
    db.session.commit()
    subjects = [m["Subject"] for m in mailbox.to(user.email)]
    assert subjects == ["“Chess” is now in the skills list",
                        "“Phonix” is in the skills list as “Phonics”"]


def test_merging_moves_everyone_and_keeps_the_stronger_relation(ctx, vocab):
    lead = factories.user(roles={"lead"})
    category = db.session.get(Skill, vocab["Phonics"]).category_id
    dup = services.suggest_skill(actor=lead, name="Phonix teaching", category_id=category)
    dup.status = "approved"
    a, b = factories.user(), factories.user()
    services.set_skill(actor=a, user=a, skill_id=dup.id, relation="train")
    services.set_skill(actor=b, user=b, skill_id=dup.id, relation="experience")
    services.set_skill(actor=a, user=a, skill_id=vocab["Phonics"], relation="experience")
    into = db.session.get(Skill, vocab["Phonics"])
    moved = services.merge_skill(actor=lead, duplicate=dup, into=into)
    db.session.commit()
    assert moved == 1
    links = dict(db.session.execute(select(UserSkill.user_id, UserSkill.relation)
                                    .where(UserSkill.skill_id == into.id)).all())
    assert links == {a.id: "train", b.id: "experience"}
    assert "Phonix teaching" in into.synonym_list
    assert db.session.get(Skill, dup.id) is None
    with pytest.raises(DomainError):
        services.merge_skill(actor=lead, duplicate=into, into=into)


def test_completeness_lists_what_is_missing(ctx, vocab):
    user = factories.user(job_title="")
    from eip_site.directory.queries import profile_details
    percent, missing = services.completeness(user, profile_details(user.id))
    assert percent == 0 and ("your job title", "job_title") in missing


@pytest.mark.parametrize("confirmed, today, ask", [  # (month, day) of this year
    (None, (10, 1), True),
    ((9, 2), (10, 1), False),
    ((8, 30), (9, 1), True),   # a new academic year began
    ((1, 5), (6, 1), False),    # same academic year (from last September)
])
def test_profiles_ask_to_be_confirmed_each_academic_year(ctx, confirmed, today, ask):
    year = clock.today().year
    user = factories.user()
    profile = services.profile_for(user)
    profile.confirmed_at = datetime(year, *confirmed) if confirmed else None
    assert services.needs_confirming(profile, today=datetime(year, *today)) is ask


def test_someone_else_changing_a_profile_tells_its_owner_once_per_import(ctx, vocab,
                                                                        monkeypatch):
    """A head's save tells the person what changed; their own save tells no one; an import
    that changes several fields of a row tells its person once, listing them."""
    from eip_site.notifications import notices
    from eip_site.staff_import import services as imports
    from eip_site.staff_import import spreadsheets
    from eip_site.staff_import.preview import preview_import

    told = []
    monkeypatch.setattr(notices, "RECORD", told)
    head = factories.user(roles={"head"})
    person = factories.user(school=head.school, name="Tia Teacher", job_title="Teacher")
    fields = dict(bio="", phases=[], subjects="", show_email=False, offers=[],
                  hours_per_term=0, offers_paused=False, qualifications=[])
    services.save_profile(actor=person, user=person, job_title="Teacher", **fields)
    assert told == []
    services.save_profile(actor=head, user=person, job_title="Head of Year 6", **fields)
    assert [(e, u) for e, u, _ in told] == [("profile.changed", person.id)]
    assert "Job title: Teacher → Head of Year 6" in _last_mail_to(person)
    told.clear()
    rows = (f"email,name,job_title,hours_per_term\n{person.email},Tia Jones,Deputy,4\n"
            f"{head.email},{head.name},Head,2\n")
    table = spreadsheets.read_table("staff.csv", rows.encode())
    imports.apply_import(actor=head, preview=preview_import(actor=head, table=table,
                                                            school_id=head.school_id))
    assert [(e, u) for e, u, _ in told] == [("profile.changed", person.id)]
    text = _last_mail_to(person)
    assert "Name: Tia Teacher → Tia Jones" in text and "Job title: Head of Year 6 → Deputy" in text


def _last_mail_to(person) -> str:
    from email import message_from_bytes, policy

    from eip_site.outbox import OutboxMessage

    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == person.email)
                             .order_by(OutboxMessage.id.desc())).first()
    return message_from_bytes(row.content, policy=policy.default).get_body(
        ("plain",)).get_content()
