"""Directory seeds: believable skills, offers and profiles for the demo partnership, and a
long tail of skills weighted by phase for the benchmark partnership."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import select

from ..directory.models import (
    OFFERS,
    HelpRequest,
    Offer,
    Profile,
    Qualification,
    SearchMiss,
    Skill,
    UserSkill,
)
from ..extensions import db
from ..people.models import User
from .common import insert_rows
from .vocabulary import install_default_vocabulary

# Job title words -> skills such a person is likely to be strong in.
BY_TITLE = {
    "year 1": ["Phonics", "Reading", "Key Stage 1 curriculum", "Early maths"],
    "year 2": ["Phonics", "Reading", "Key Stage 1 curriculum", "Phonics screening check",
               "Infant to junior transition"],
    "year 3": ["Writing", "Reading", "Multiplication tables check"],
    "year 4": ["Multiplication tables check", "Maths mastery", "Writing"],
    "year 5": ["Maths mastery", "Reading", "Retrieval practice"],
    "year 6": ["KS2 SATs", "Primary to secondary transition", "Writing", "Moderation"],
    "reception": ["EYFS curriculum", "Early language", "Learning through play",
                  "Reception baseline", "Nursery to Reception transition"],
    "eyfs": ["EYFS curriculum", "Continuous provision", "Early language", "Early maths",
             "Early years SEND"],
    "senco": ["SEND coordination", "Education, health and care plans", "Autism", "Dyslexia",
              "Speech, language and communication"],
    "maths": ["Mathematics", "Maths mastery", "Data analysis", "Retrieval practice"],
    "mathematics": ["Mathematics", "GCSE", "Retrieval practice", "Explicit instruction"],
    "english": ["English", "Reading", "Writing", "Disciplinary literacy", "Oracy"],
    "reading": ["Reading", "Phonics", "Vocabulary teaching"],
    "phonics": ["Phonics", "Phonics screening check", "Reading", "Precision teaching"],
    "science": ["Science", "Biology", "Chemistry", "Physics", "GCSE"],
    "history": ["History", "Curriculum design", "Disciplinary literacy"],
    "geography": ["Geography", "Outdoor learning", "Curriculum design"],
    "computing": ["Computing", "Online safety", "Remote and blended learning"],
    "languages": ["Modern foreign languages", "English as an additional language"],
    "year 7": ["Primary to secondary transition", "Pupil wellbeing", "Behaviour management"],
    "year 9": ["Behaviour management", "Attendance", "Mentoring pupils"],
    "pe": ["Physical education", "Lunchtime and playground"],
    "assistant head": ["Senior leadership", "Leading CPD", "Curriculum design",
                       "Early career teachers"],
    "deputy": ["Senior leadership", "School improvement planning", "Behaviour management",
               "Ofsted preparation"],
    "safeguarding": ["Safeguarding", "Online safety", "Looked-after children",
                     "Family support"],
    "learning mentor": ["Mentoring pupils", "Pupil wellbeing", "Attendance",
                        "Restorative practice"],
    "transition": ["Primary to secondary transition", "Cross-phase working",
                   "Key Stage 3 curriculum"],
    "teaching assistant": ["Precision teaching", "Phonics", "Makaton and signing",
                           "Sensory processing"],
    "class teacher": ["Autism", "Sensory processing", "Makaton and signing",
                      "Speech, language and communication"],
    "speech": ["Speech, language and communication", "Makaton and signing", "Early language"],
    "sensory": ["Sensory processing", "Autism", "Physical disability"],
    "family liaison": ["Family support", "Parental engagement", "Attendance"],
    "behaviour": ["Behaviour management", "De-escalation", "Trauma-informed practice",
                  "Restorative practice", "Exclusions and alternative provision"],
    "reintegration": ["Reintegration", "Exclusions and alternative provision",
                      "Social, emotional and mental health"],
    "headteacher": ["Headship", "School improvement planning", "Governance",
                    "Staff wellbeing and workload", "Performance management"],
    "head of centre": ["Headship", "Exclusions and alternative provision",
                       "Trauma-informed practice"],
    "coordinator": ["Cross-phase working", "Leading CPD", "School improvement planning"],
}
# Nobody in the demo has these, so the strengths map shows gaps and some searches find nobody.
GAPS = {"Hearing impairment", "Visual impairment", "A level and post-16",
        "Two-year-old provision", "Bereavement support", "Young carers", "Drama"}
BIOS = [
    "Happy to talk through what has worked for us, and what has not.",
    "I have led this across two schools and love sharing resources.",
    "Always keen to visit other classrooms and to welcome visitors to mine.",
    "I am working on this at the moment and would welcome a critical friend.",
    "Ask me about the practical side: timetabling, resources and getting staff on board.",
]
# The school phases a profile names; any other phase (nursery, PRU...) leaves it blank.
PROFILE_PHASES = ("primary", "infant", "junior", "secondary", "special")


def seed_demo(rng: random.Random, now: datetime) -> None:
    install_default_vocabulary(db.session.connection())
    # In id order: PostgreSQL returns rows in no set order (an updated row moves), and the
    # random choices below must meet the skills in the same order on either database.
    skills = {s.name: s for s in db.session.scalars(select(Skill).order_by(Skill.id))}
    usable = [s for name, s in skills.items() if name not in GAPS]
    users = list(db.session.scalars(select(User).where(User.password_hash.is_not(None))
                                    .order_by(User.id)))
    for user in users:
        title = user.job_title.lower()
        likely = [skills[n] for key, names in BY_TITLE.items() if key in title
                  for n in names if n in skills and n not in GAPS]
        chosen = list(dict.fromkeys(likely))[:5] + rng.sample(usable, rng.randint(1, 3))
        relations = ["train", "mentor", "experience", "experience"]
        seen = set()
        for i, skill in enumerate(chosen):
            if skill.id in seen:
                continue
            seen.add(skill.id)
            relation = relations[min(i, 3)] if rng.random() < 0.8 else "experience"
            db.session.add(UserSkill(user_id=user.id, skill_id=skill.id, relation=relation))
        develop = rng.choice([s for s in usable if s.id not in seen])
        db.session.add(UserSkill(user_id=user.id, skill_id=develop.id, relation="develop"))

        offers = rng.sample(sorted(OFFERS), rng.randint(0, 3))
        db.session.add_all(Offer(user_id=user.id, kind=k) for k in offers)
        quals = []
        if user.has_role("head"):
            quals += ["npqh"]
        if user.has_role("champion"):
            quals += ["champion", "peer_reviewer"]
        elif rng.random() < 0.2:
            quals += ["peer_reviewer"]
        if "senco" in title:
            quals += ["npqsenco"]
        if rng.random() < 0.15:
            quals += ["ect_mentor"]
        db.session.add_all(Qualification(user_id=user.id, kind=k, confirmed_at=now)
                           for k in sorted(set(quals)))
        confirmed = now - timedelta(days=rng.randint(0, 400))
        db.session.add(Profile(
            user_id=user.id, bio=rng.choice(BIOS) if rng.random() < 0.8 else "",
            phases=user.school.phase if user.school and user.school.phase in PROFILE_PHASES
            else "",
            subjects="", show_email=rng.random() < 0.9, offers_paused=rng.random() < 0.1,
            hours_per_term=rng.choice([0, 2, 4, 6, 10]) if offers else 0,
            confirmed_at=confirmed if rng.random() < 0.7 else None))

    # A few requests for help between schools, in every state.
    by_school = [u for u in users if u.school_id]
    for status in ("open", "open", "accepted", "declined", "done", "done"):
        asker, helper = rng.sample(by_school, 2)
        skill = rng.choice(usable)
        created = now - timedelta(days=rng.randint(1, 40))
        db.session.add(HelpRequest(
            from_user_id=asker.id, to_user_id=helper.id, skill_id=skill.id,
            message=f"Could you share how you approach {skill.name.lower()}? "
                    "A short visit or a call would be brilliant.",
            needed_by=(now + timedelta(days=rng.randint(7, 40))).date(), status=status,
            cross_school=asker.school_id != helper.school_id, created_at=created,
            answered_at=None if status == "open" else created + timedelta(days=2)))
    month = now.strftime("%Y-%m")
    for term, count in [("hearing impairment", 3), ("latin", 2), ("bereavement", 2),
                        ("chess club", 1)]:
        db.session.add(SearchMiss(term=term, month=month, count=count))
    # Older than the retention schedule keeps (`flask apply-retention --dry-run` lists it).
    db.session.add(SearchMiss(term="forest school", count=1,
                              month=(now - timedelta(days=800)).strftime("%Y-%m")))
    db.session.flush()


# --- The benchmark partnership ------------------------------------------------------------

# Skills that people in these phases hold far more often (names from the vocabulary).
PHASE_SKILLS = {
    "early": ["Phonics", "Reading", "EYFS curriculum", "Early language", "Early maths",
              "Continuous provision", "Learning through play", "Reception baseline",
              "Phonics screening check", "Key Stage 1 curriculum", "Writing",
              "Nursery to Reception transition"],
    "primary": ["Phonics", "Reading", "Writing", "Maths mastery", "KS2 SATs",
                "Multiplication tables check", "Spelling, punctuation and grammar",
                "Primary to secondary transition", "Moderation", "Phonics screening check"],
    "secondary": ["GCSE", "A level and post-16", "Key Stage 3 curriculum", "Science",
                  "Mathematics", "English", "Disciplinary literacy", "Careers guidance",
                  "Behaviour management", "Attendance", "Retrieval practice"],
    "special": ["Autism", "Sensory processing", "Makaton and signing",
                "Speech, language and communication", "SEND coordination",
                "Education, health and care plans", "De-escalation",
                "Social, emotional and mental health", "Behaviour management",
                "Trauma-informed practice", "Reintegration"],
}
PHASE_GROUP = {"nursery": "early", "infant": "early", "primary": "primary", "junior": "primary",
               "secondary": "secondary", "all-through": "secondary", "special": "special",
               "pru": "special"}
RELATION_WEIGHTS = (("train", 12), ("mentor", 22), ("experience", 48), ("develop", 18))
BENCH_BIOS = BIOS[:4] + [""]  # some bench profiles have no bio


def _skill_weights(skills: dict[str, int], rng: random.Random):
    """Per phase group: (skill ids, cumulative weights) — a long tail, phase skills boosted."""
    names = sorted(skills)
    base = {name: rng.paretovariate(1.5) for name in names}
    return {group: ([skills[n] for n in names],
                    list(accumulate(base[n] * (6 if n in favoured else 1) for n in names)))
            for group, favoured in PHASE_SKILLS.items()}


def seed_bench(conn, rng: random.Random, now: datetime, users: list[tuple[int, str, dict]]
               ) -> dict[str, int]:
    """Skills, offers, qualifications and profiles for ``users``: (id, school phase, the
    user's inserted row). The vocabulary is installed already. Returns what was made."""
    skills = dict(conn.execute(
        select(Skill.name, Skill.id).where(Skill.status == "approved").order_by(Skill.id)).all())
    weighted = _skill_weights(skills, rng)
    relations = [r for r, _ in RELATION_WEIGHTS]
    relation_cum = list(accumulate(w for _, w in RELATION_WEIGHTS))
    offer_kinds = sorted(OFFERS)
    links, profiles, offers, quals = [], [], [], []
    for user_id, phase, row in users:
        ids, cumulative = weighted[PHASE_GROUP[phase]]
        wanted = min(rng.randint(4, 12), len(ids))
        chosen: dict[int, None] = {}
        while len(chosen) < wanted:
            for skill_id in rng.choices(ids, cum_weights=cumulative, k=wanted - len(chosen)):
                chosen[skill_id] = None
        for n, skill_id in enumerate(chosen):
            relation = rng.choices(relations, cum_weights=relation_cum)[0]
            if n == 0 and relation == "develop":  # everyone has at least one strength
                relation = "experience"
            links.append({"user_id": user_id, "skill_id": skill_id, "relation": relation})
        mine = rng.sample(offer_kinds, rng.choice((0, 0, 0, 1, 1, 2, 3)))
        offers += [{"user_id": user_id, "kind": k} for k in mine]
        if rng.random() < 0.12:
            kind = ("npqh" if row["job_title"] == "Headteacher"
                    else "npqsenco" if row["job_title"] == "SENCo"
                    else rng.choice(("npqsl", "npqml", "sle", "ect_mentor", "peer_reviewer")))
            quals.append({"user_id": user_id, "kind": kind, "confirmed_at": now})
        if row["password_hash"] and rng.random() < 0.8:
            profiles.append({
                "user_id": user_id, "bio": rng.choice(BENCH_BIOS),
                "phases": phase if phase in PROFILE_PHASES else "",
                "subjects": "", "show_email": rng.random() < 0.9,
                "offers_paused": bool(mine) and rng.random() < 0.1,
                "hours_per_term": rng.choice((2, 4, 6, 10)) if mine else 0,
                "confirmed_at": (now - timedelta(days=rng.randint(0, 400))
                                 if rng.random() < 0.7 else None),
                "version": 1})
    for model, rows in ((UserSkill, links), (Offer, offers), (Qualification, quals),
                        (Profile, profiles)):
        insert_rows(conn, model, rows)
    return {"skills": len(skills), "skill_links": len(links), "profiles": len(profiles),
            "offers": len(offers), "qualifications": len(quals)}
