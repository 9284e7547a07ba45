"""The default skill vocabulary for English schools: category -> [(skill, synonyms)].

Synonyms are what colleagues actually type: abbreviations, older names, near-spellings.
"""

VOCABULARY: dict[str, tuple[str, list[tuple[str, list[str]]]]] = {
    "curriculum": ("Curriculum subjects", [
        ("English", ["literacy"]),
        ("Reading", ["guided reading", "reading for pleasure"]),
        ("Writing", ["extended writing", "composition"]),
        ("Phonics", ["systematic synthetic phonics", "SSP", "letters and sounds"]),
        ("Spelling, punctuation and grammar", ["SPaG", "GPS", "grammar"]),
        ("Mathematics", ["maths", "numeracy", "math"]),
        ("Maths mastery", ["teaching for mastery", "mastery maths"]),
        ("Science", ["STEM"]),
        ("Biology", []),
        ("Chemistry", []),
        ("Physics", []),
        ("Computing", ["ICT", "coding", "computer science"]),
        ("History", []),
        ("Geography", ["fieldwork"]),
        ("Religious education", ["RE", "RS", "religious studies"]),
        ("Modern foreign languages", ["MFL", "languages", "French", "Spanish", "German"]),
        ("Art and design", ["art"]),
        ("Design and technology", ["DT", "D&T", "food technology"]),
        ("Music", []),
        ("Physical education", ["PE", "sport", "sports"]),
        ("PSHE and RSE", ["PSHE", "RSE", "relationships and sex education", "citizenship"]),
        ("Drama", ["performing arts"]),
        ("Outdoor learning", ["forest school"]),
    ]),
    "pedagogy": ("Pedagogy", [
        ("Retrieval practice", ["spaced practice", "low-stakes quizzing"]),
        ("Metacognition", ["self-regulated learning"]),
        ("Questioning", ["cold calling", "oracy questioning"]),
        ("Oracy", ["spoken language", "talk for learning"]),
        ("Feedback and marking", ["marking", "feedback", "verbal feedback"]),
        ("Adaptive teaching", ["differentiation", "scaffolding"]),
        ("Cognitive load theory", ["CLT", "working memory"]),
        ("Explicit instruction", ["direct instruction", "modelling"]),
        ("Curriculum design", ["curriculum intent", "sequencing", "curriculum planning"]),
        ("Remote and blended learning", ["online learning", "remote learning"]),
        ("Vocabulary teaching", ["tier 2 vocabulary", "word gap"]),
        ("Disciplinary literacy", ["reading in subjects"]),
    ]),
    "leadership": ("Leadership", [
        ("Middle leadership", ["subject leadership", "head of department", "HoD"]),
        ("Senior leadership", ["SLT", "SMT"]),
        ("Headship", ["headteacher", "principal"]),
        ("School improvement planning", ["SIP", "SDP", "school development plan"]),
        ("Ofsted preparation", ["inspection", "deep dives", "Ofsted"]),
        ("Coaching leadership", ["instructional coaching"]),
        ("Staff wellbeing and workload", ["wellbeing", "workload"]),
        ("Governance", ["governors", "trustees"]),
        ("School business management", ["finance", "budget", "SBM"]),
        ("Performance management", ["appraisal"]),
        ("Recruitment and retention", ["recruitment", "retention"]),
        ("Leading CPD", ["professional development", "CPD", "INSET"]),
        ("Early career teachers", ["ECT", "NQT", "newly qualified teacher", "ECF",
                                   "early career framework"]),
        ("Initial teacher training", ["ITT", "trainee teachers", "student teachers"]),
    ]),
    "send": ("SEND and inclusion", [
        ("SEND coordination", ["SENCo", "SENCO", "SEN", "SEND", "special educational needs"]),
        ("Autism", ["ASD", "ASC", "autistic spectrum"]),
        ("ADHD", ["attention deficit"]),
        ("Dyslexia", ["specific learning difficulties", "SpLD"]),
        ("Speech, language and communication", ["SLCN", "speech and language",
                                                "language disorder"]),
        ("Social, emotional and mental health", ["SEMH", "mental health"]),
        ("Education, health and care plans", ["EHCP", "EHC plan", "annual reviews"]),
        ("Hearing impairment", ["HI", "deaf"]),
        ("Visual impairment", ["VI"]),
        ("Physical disability", ["PD", "moving and handling"]),
        ("Sensory processing", ["sensory needs", "sensory circuits"]),
        ("English as an additional language", ["EAL", "new arrivals", "bilingual learners"]),
        ("Pupil premium", ["PP", "disadvantaged", "disadvantaged pupils", "closing the gap",
                           "free school meals", "FSM"]),
        ("More able pupils", ["G&T", "gifted and talented", "more able", "high attainers",
                              "most able"]),
        ("Makaton and signing", ["Makaton", "BSL", "sign language"]),
        ("Precision teaching", ["interventions"]),
    ]),
    "behaviour": ("Behaviour and attendance", [
        ("Behaviour management", ["behaviour", "classroom management", "behavior"]),
        ("Restorative practice", ["restorative justice", "restorative approaches"]),
        ("Attendance", ["persistent absence", "absence"]),
        ("Exclusions and alternative provision", ["exclusions", "AP", "alternative provision",
                                                  "managed moves"]),
        ("Trauma-informed practice", ["trauma informed", "attachment", "ACEs",
                                      "adverse childhood experiences"]),
        ("Emotion coaching", ["zones of regulation", "regulation"]),
        ("De-escalation", ["positive handling", "team teach"]),
        ("Anti-bullying", ["bullying", "cyberbullying"]),
        ("Lunchtime and playground", ["play leaders", "OPAL", "playtimes"]),
    ]),
    "pastoral": ("Pastoral and safeguarding", [
        ("Safeguarding", ["DSL", "designated safeguarding lead", "child protection", "KCSIE"]),
        ("Online safety", ["e-safety", "internet safety"]),
        ("Looked-after children", ["LAC", "CLA", "children looked after", "virtual school"]),
        ("Young carers", []),
        ("Family support", ["family liaison", "parent support", "early help"]),
        ("Parental engagement", ["parents", "families", "home-school"]),
        ("Pupil wellbeing", ["wellbeing", "nurture", "nurture groups"]),
        ("Bereavement support", ["bereavement", "grief"]),
        ("Mentoring pupils", ["learning mentor", "pupil mentoring"]),
        ("Careers guidance", ["careers", "Gatsby benchmarks", "CEIAG"]),
        ("Pupil voice", ["school council", "student voice"]),
    ]),
    "assessment": ("Assessment and data", [
        ("Assessment for learning", ["AfL", "formative assessment"]),
        ("Summative assessment", ["tests", "mock exams"]),
        ("Moderation", ["writing moderation", "standardisation"]),
        ("Data analysis", ["data", "tracking", "progress tracking"]),
        ("KS2 SATs", ["SATs", "Key Stage 2 tests", "KS2"]),
        ("Phonics screening check", ["PSC", "phonics check"]),
        ("Multiplication tables check", ["MTC", "times tables"]),
        ("GCSE", ["KS4", "Key Stage 4", "exams"]),
        ("A level and post-16", ["A level", "sixth form", "post-16", "KS5"]),
        ("Exam access arrangements", ["access arrangements"]),
    ]),
    "early_years": ("Early years", [
        ("EYFS curriculum", ["EYFS", "early years foundation stage", "early years"]),
        ("Early language", ["communication and language", "NELI"]),
        ("Early maths", ["number sense", "NCETM mastering number"]),
        ("Continuous provision", ["provision", "enabling environments"]),
        ("Learning through play", ["play-based learning", "play"]),
        ("Reception baseline", ["RBA", "baseline assessment"]),
        ("Two-year-old provision", ["2 year olds", "two year olds"]),
        ("Early years SEND", ["early intervention"]),
    ]),
    "transition": ("Transition", [
        ("Primary to secondary transition", ["KS2 to KS3", "KS2-KS3", "Year 6 to Year 7",
                                             "transition", "secondary transfer"]),
        ("Nursery to Reception transition", ["starting school", "EYFS transition"]),
        ("Infant to junior transition", ["KS1 to KS2", "Year 2 to Year 3"]),
        ("Key Stage 3 curriculum", ["KS3", "Key Stage 3"]),
        ("Key Stage 1 curriculum", ["KS1", "Key Stage 1"]),
        ("Post-16 transition", ["Year 11 to Year 12", "NEET"]),
        ("Reintegration", ["reintegration from AP", "returning to mainstream"]),
        ("Cross-phase working", ["cross-phase", "all-through"]),
    ]),
}


def install_default_vocabulary(conn) -> int:
    """Add the default categories and skills that are missing (by name). Core only, so the
    migration that ships the vocabulary and the tests use the same code. Returns skills added."""
    from sqlalchemy import insert, select

    from .models import Skill, SkillCategory

    categories = dict(conn.execute(select(SkillCategory.slug, SkillCategory.id)).all())
    existing = set(conn.execute(select(Skill.name)).scalars())
    added = 0
    for position, (slug, (label, skills)) in enumerate(VOCABULARY.items()):
        if slug not in categories:
            categories[slug] = conn.execute(
                insert(SkillCategory).values(slug=slug, name=label, position=position)
                .returning(SkillCategory.id)
            ).scalar_one()
        rows = [{"category_id": categories[slug], "name": name, "synonyms": "|".join(syns),
                 "status": "approved", "version": 1}
                for name, syns in skills if name not in existing]
        if rows:
            conn.execute(insert(Skill), rows)
            added += len(rows)
    return added
