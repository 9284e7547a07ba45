"""Every table that refers to a person, and what happens to its rows in a subject access
export and in an erasure. ``tests/privacy/test_registry.py`` walks the database's tables and
fails on one with a foreign key to ``user`` that is missing here: a new table must say how
its rows are exported and erased before it can be merged.

``export``: the section of the export that holds the table's rows about the person (every
column, less ``SECRETS``). ``erase``: ``delete`` (the rows about the person go), ``keep``
(others rely on them; they point at the person's row, whose name is replaced), or
``anonymise`` (kept, with the person's own text removed). ``why`` is said on the erase page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Held:
    export: str
    erase: str  # delete | keep | anonymise
    why: str
    # Only rows whose person is in these columns are deleted (None: any column that names them).
    delete_by: tuple[str, ...] | None = None


PERSON_TABLES: dict[str, Held] = {
    "user": Held("Account", "anonymise", "Name and email replaced by “Former member”; "
                 "job title removed; password made unusable"),
    "user_role": Held("Account roles", "delete", "Site roles"),
    "user_session": Held("Signed-in devices", "delete", "Signed-in devices"),
    "user_totp": Held("Two-step sign-in", "delete",
                      "Their authenticator app (the key itself is never exported)"),
    "recovery_code": Held("Two-step recovery codes", "delete",
                          "Their recovery codes (only whether each was used is exported)"),
    "user_identity": Held("Sign-in methods", "delete",
                          "School accounts (single sign-on) linked to their account"),
    "account_token": Held("Invitation and reset links", "delete",
                          "Invitation and password-reset links sent to them",
                          delete_by=("user_id",)),
    "profile": Held("Profile", "delete", "Profile: introduction, phases, subjects"),
    "user_skill": Held("Skills", "delete", "Skills"),
    "offer": Held("Offers", "delete", "Offers of help"),
    "qualification": Held("Qualifications", "delete", "Qualifications",
                          delete_by=("user_id",)),
    "unavailable": Held("Availability", "delete", "Days they said they cannot review"),
    "calendar_feed": Held("Calendar link", "delete", "Their calendar subscription link"),
    "notification_preference": Held("Notification settings", "delete",
                                    "Email notification settings"),
    "digest_item": Held("Waiting digest items", "delete", "Notifications waiting for a digest"),
    "sent_reminder": Held("Reminders sent", "delete", "The record of reminders sent to them"),
    "network_member": Held("Network memberships", "delete", "Network memberships"),
    "help_request": Held("Requests for help", "anonymise",
                         "Requests for help they sent and received stay for the other person, "
                         "naming a former member; the messages they wrote are removed"),
    "skill": Held("Skills suggested", "keep", "Skills they suggested stay in the vocabulary"),
    "review": Held("Reviews", "keep", "Reviews they booked, championed or facilitated"),
    "review_member": Held("Review teams", "keep", "Review teams keep their size"),
    "booking": Held("Review bookings", "keep", "Past review days keep their bookings"),
    "review_event": Held("Review history", "keep", "Reviews keep their history"),
    "network": Held("Networks", "keep", "Networks they proposed or were critical friend of"),
    "meeting": Held("Minutes approved", "keep", "Minutes they approved"),
    "agenda_item": Held("Agenda items", "keep", "Agenda items they proposed or presented"),
    "minutes_revision": Held("Minutes written", "keep", "Minutes they wrote still read"),
    "meeting_answer": Held("Answers to meetings", "delete",
                           "Their answers (coming or apologies) to meetings"),
    "attendance": Held("Meetings attended", "keep", "Attendance records of meetings"),
    "action": Held("Actions", "keep", "Actions keep their history"),
    "attachment": Held("Files shared", "keep",
                       "Papers and documents they shared stay with their meeting, network or "
                       "review"),
    "attachment_version": Held("Earlier versions of files", "keep",
                               "Earlier versions of the files they shared"),
    "audit_entry": Held("Audit entries", "keep",
                        "The audit trail, until its retention period ends"),
}

# Never in an export: they would let the file's holder sign in or open links.
SECRETS = {"password_hash", "session_token", "token_hash", "token", "secret", "code_hash",
           "last_step"}
# Review findings: in the export only for those entitled to see them.
FINDINGS = {"went_well", "to_develop", "summary", "safeguarding"}
