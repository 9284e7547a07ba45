"""Asking for help: the rules, the emails and the termly numbers, without HTTP."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from eip_site import clock
from eip_site.help_requests import queries, services
from eip_site.directory.models import HelpRequest, Skill
from eip_site.errors import DomainError, StaleEdit
from eip_site.extensions import db

from .. import factories
from ..helpers import days


@pytest.fixture
def pair(ctx):
    """A sender and a recipient at two different schools."""
    return factories.user(name="Sam Sender"), factories.user(name="Rita Recipient")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(HelpRequest))


def send(sender, recipient, **kwargs):
    return services.send_help_request(actor=sender, recipient=recipient,
                                      **{"message": "Could you show me your phonics groups?",
                                         "needed_by": None, **kwargs})


def test_a_request_is_saved_and_the_recipient_is_emailed(ctx, vocab, pair, mailbox):
    sender, recipient = pair
    row = send(sender, recipient, needed_by=days(7),
               skill=db.session.get(Skill, vocab["Phonics"]))
    db.session.commit()
    assert (row.status, row.cross_school, row.skill.name) == ("open", True, "Phonics")
    assert row.answered_at is None
    [mail] = mailbox.to(recipient.email)
    assert mail["Subject"] == "Sam Sender has asked you for help with Phonics"
    body = mail.get_content()
    assert "Could you show me your phonics groups?" in body
    assert "http://localhost/help/" in body and sender.email in body
    assert f"by {row.needed_by.strftime('%-d %B %Y')}" in body


def test_same_school_and_partnership_staff_requests_are_not_cross_school(ctx, pair):
    sender, _ = pair
    colleague = factories.user(school=sender.school)
    coordinator = factories.user(school=None)
    assert send(sender, colleague).cross_school is False
    assert send(coordinator, colleague).cross_school is False
    assert send(colleague, sender, message="Another one").cross_school is False


def test_asking_again_while_the_same_request_is_open_sends_one_request(ctx, pair, mailbox):
    sender, recipient = pair
    first = send(sender, recipient)
    again = send(sender, recipient)
    assert again is first and count() == 1 and len(mailbox.to(recipient.email)) == 1
    assert send(sender, recipient, message="Something else").id != first.id


@pytest.mark.parametrize("changes, field, words", [
    ({"message": ""}, "message", "Enter what you need"),
    ({"message": "   \n "}, "message", "Enter what you need"),
    ({"message": "x" * 2001}, "message", "2,000 characters"),
    ({"message": "nul\x00byte"}, "message", "control characters"),
    ({"needed_by": days(-1)}, "needed_by", "today or in the future"),
    ({"needed_by": days(800)}, "needed_by", "within the next two years"),
    ({"needed_by": date.max}, "needed_by", "within the next two years"),
])
def test_broken_rules_say_which_field_and_save_and_send_nothing(ctx, pair, mailbox, changes,
                                                                field, words):
    sender, recipient = pair
    with pytest.raises(DomainError) as error:
        send(sender, recipient, **changes)
    assert error.value.field == field and words in error.value.message
    db.session.rollback()
    assert count() == 0 and mailbox.messages == []


def test_who_can_be_asked(ctx, pair):
    sender, recipient = pair
    with pytest.raises(DomainError, match="yourself"):
        send(sender, sender)
    gone = factories.user(active=False)
    with pytest.raises(DomainError, match="deactivated"):
        send(sender, gone)
    invited = factories.user(password=None)
    with pytest.raises(DomainError, match="not set up their account"):
        send(sender, invited)
    assert count() == 0


def test_edge_values_are_accepted_as_typed(ctx, vocab, pair):
    sender, recipient = pair
    message = "<script>alert('x')</script> Diolch 🌈 " + "x" * 1950
    row = send(sender, recipient, message=message, needed_by=clock.today())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(HelpRequest, row.id).message == message.strip()
    suggested = factories.skill("Underwater basket weaving", status="suggested")
    with pytest.raises(DomainError, match="Choose a skill"):
        send(sender, recipient, message="About the new skill", skill=suggested)
    with pytest.raises(DomainError, match="Choose a skill"):
        services.find_skill(10 ** 9)
    assert services.find_skill(None) is None


def test_skill_choices_are_the_recipients_strengths_strongest_first(ctx, vocab, pair):
    _, recipient = pair
    for name, relation in [("Reading", "experience"), ("Phonics", "train"),
                           ("Mathematics", "develop"), ("Autism", "mentor")]:
        factories.user_skill(recipient, vocab[name], relation)
    db.session.flush()
    assert [label for _, label in queries.skill_choices(recipient)] == [
        "Phonics (can lead training)", "Autism (can mentor or coach)", "Reading (has experience)"]


# --- Answering ----------------------------------------------------------------------------

def test_the_recipient_accepts_and_the_sender_is_emailed(ctx, pair, mailbox):
    sender, recipient = pair
    row = send(sender, recipient)
    db.session.commit()
    mailbox.clear()
    services.respond(actor=recipient, request=row, status="accepted", version=row.version)
    db.session.commit()
    assert row.status == "accepted" and row.answered_at is not None
    [mail] = mailbox.to(sender.email)
    assert mail["Subject"] == "Rita Recipient has accepted your request for help"
    body = mail.get_content()
    assert recipient.email in body and "http://localhost/help/?box=sent" in body
    answered = row.answered_at
    services.respond(actor=sender, request=row, status="done", version=row.version)
    assert row.status == "done" and row.answered_at == answered
    assert len(mailbox.messages) == 1  # the sender closing it emails no one


def test_only_the_recipient_accepts_or_declines(ctx, pair):
    sender, recipient = pair
    row = send(sender, recipient)
    for status in ("accepted", "declined"):
        with pytest.raises(DomainError, match="Only Rita Recipient"):
            services.respond(actor=sender, request=row, status=status, version=row.version)
    stranger = factories.user()
    with pytest.raises(DomainError, match="not yours"):
        services.respond(actor=stranger, request=row, status="done", version=row.version)
    assert row.status == "open"


def test_the_sender_may_close_an_open_request_which_is_not_an_answer(ctx, pair, mailbox):
    sender, recipient = pair
    row = send(sender, recipient)
    mailbox.clear()
    services.respond(actor=sender, request=row, status="done", version=row.version)
    assert row.status == "done" and row.answered_at is None and mailbox.messages == []


@pytest.mark.parametrize("path, then, ok", [
    (["declined"], "accepted", False),
    (["declined"], "done", False),
    (["done"], "declined", False),
    (["accepted"], "accepted", False),
    (["accepted"], "declined", True),
    (["accepted"], "done", True),
    ([], "open", False),
    ([], "maybe", False),
])
def test_transitions_are_guarded(ctx, pair, path, then, ok):
    sender, recipient = pair
    row = send(sender, recipient)
    for status in path:
        services.respond(actor=recipient, request=row, status=status, version=row.version)
    if ok:
        services.respond(actor=recipient, request=row, status=then, version=row.version)
        assert row.status == then
    else:
        before = row.status
        with pytest.raises(DomainError):
            services.respond(actor=recipient, request=row, status=then, version=row.version)
        assert row.status == before


def test_an_answer_from_an_old_page_is_refused(ctx, pair):
    sender, recipient = pair
    row = send(sender, recipient)
    db.session.commit()
    seen = row.version
    services.respond(actor=sender, request=row, status="done", version=seen)
    with pytest.raises(StaleEdit):
        services.respond(actor=recipient, request=row, status="accepted", version=seen)


def test_a_simultaneous_answer_is_refused_by_the_version_column(ctx, pair, mailbox):
    sender, recipient = pair
    row = send(sender, recipient)
    db.session.commit()
    mailbox.clear()
    # Someone else's answer lands between our read and our write.
    db.session.execute(text("UPDATE help_request SET status = 'declined', version = version + 1 "
                            "WHERE id = :id"), {"id": row.id})
    with pytest.raises(StaleEdit):
        services.respond(actor=recipient, request=row, status="accepted", version=row.version)
    db.session.rollback()
    assert mailbox.messages == []


def test_requests_are_found_only_by_the_two_people(ctx, pair):
    sender, recipient = pair
    row = send(sender, recipient)
    stranger = factories.user()
    assert queries.request_for(actor=sender, request_id=row.id) is row
    assert queries.request_for(actor=recipient, request_id=row.id) is row
    assert queries.request_for(actor=stranger, request_id=row.id) is None
    assert queries.my_requests(user=recipient, box="received").items == [row]
    assert queries.my_requests(user=recipient, box="sent").items == []
    assert queries.my_requests(user=sender, box="sent").total == 1
    assert queries.open_counts(sender) == {"received": 0, "sent": 1}
    assert queries.open_counts(recipient) == {"received": 1, "sent": 0}


# --- Termly numbers -----------------------------------------------------------------------

# Years here are counted from this year (Y): the rules turn on months, not on today.

@pytest.mark.parametrize("year, month, expected", [  # (years from Y, month, (years from Y, term))
    (-1, 9, (-1, 0)), (-1, 12, (-1, 0)), (0, 1, (-1, 1)), (0, 3, (-1, 1)),
    (0, 4, (-1, 2)), (0, 7, (-1, 2)), (0, 8, (-1, 2)), (0, 9, (0, 0)),
])
def test_terms_follow_the_english_school_year(year, month, expected):
    y = clock.today().year
    assert queries.term_of(y + year, month, 9) == (y + expected[0], expected[1])


def test_term_names_and_months():
    y = clock.today().year
    assert [(t.name, t.months) for t in (queries.TermStats(y - 1, i, 9) for i in range(3))] == [
        (f"Autumn term {y - 1}", "September to December"),
        (f"Spring term {y}", "January to March"),
        (f"Summer term {y}", "April to July")]
    assert queries.TermStats(y - 1, 0, 1).name == f"Term 1, January {y - 1}"


def _request_on(sender, recipient, when: datetime, *, answered: bool, cross: bool = True):
    factories.help_request(sender, recipient, message="Help", cross_school=cross,
                           created_at=when, answered_at=when if answered else None,
                           status="accepted" if answered else "open")


def test_term_stats_count_cross_school_requests_made_and_answered(ctx, pair):
    sender, recipient = pair
    y = clock.today().year
    for when, answered in [(datetime(y - 1, 9, 3), True), (datetime(y - 1, 12, 31, 23), False),
                           (datetime(y, 1, 5), True), (datetime(y, 2, 1), True),
                           (datetime(y, 2, 2), False), (datetime(y - 2, 10, 1), True),
                           (datetime(y - 3, 10, 1), True)]:
        _request_on(sender, recipient, when, answered=answered)
    _request_on(sender, recipient, datetime(y - 1, 10, 1), answered=True, cross=False)
    stats = queries.term_stats(date(y, 2, 15))
    assert [(t.name, t.made, t.answered, t.answered_percent) for t in stats] == [
        (f"Spring term {y}", 3, 2, 67),
        (f"Autumn term {y - 1}", 2, 1, 50),
        (f"Summer term {y - 1}", 0, 0, None),
        (f"Spring term {y - 1}", 0, 0, None),
        (f"Autumn term {y - 2}", 1, 1, 100),
    ]


def test_term_stats_follow_the_partnership_year_start(ctx, pair):
    sender, recipient = pair
    y = clock.today().year
    factories.partnership(name="Southern hemisphere partnership", year_start_month=1)
    _request_on(sender, recipient, datetime(y, 1, 10), answered=False)
    [this_term] = queries.term_stats(date(y, 2, 1))[:1]
    assert (this_term.name, this_term.months, this_term.made) == (
        f"Term 1, January {y}", "January to April", 1)
