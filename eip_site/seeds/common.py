"""What the demo and the bench seeds share: invented names, job titles by phase, bulk inserts."""

from __future__ import annotations

from sqlalchemy import insert

FIRST = ["Amira", "Ben", "Chloe", "Daniel", "Eleanor", "Farah", "George", "Hannah", "Imran",
         "Jess", "Kwame", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie",
         "Tomasz", "Uchenna", "Vikram", "Wendy", "Yasmin", "Zoe", "Aled", "Bethan", "Callum",
         "Deepa", "Ewan", "Funmi", "Grace", "Harvey", "Isla", "Joseph", "Kiran", "Lily",
         "Marcus", "Nadia", "Owen", "Rosa", "Sanjay", "Tara", "Wiktoria", "Zainab"]
LAST = ["Adeyemi", "Bennett", "Chowdhury", "Davies", "Ellis", "Fletcher", "Gallagher",
        "Hughes", "Iqbal", "Jones", "Kowalski", "Lewis", "Mensah", "Nowak", "O'Brien", "Patel",
        "Quinn", "Rahman", "Smith", "Thompson", "Underwood", "Vaughan", "Walsh", "Williams",
        "Yusuf", "Zhang", "Ahmed", "Brown", "Clarke", "Dunn", "Evans", "Fraser", "Green"]

TITLES = {
    "primary": ["Year 1 teacher", "Year 2 teacher", "Year 3 teacher", "Year 4 teacher",
                "Year 5 teacher", "Year 6 teacher", "SENCo", "Maths lead", "English lead",
                "Teaching assistant", "EYFS lead", "Reception teacher"],
    "junior": ["Year 3 teacher", "Year 4 teacher", "Year 5 teacher", "Year 6 teacher",
               "SENCo", "Maths lead", "Reading lead", "Learning mentor", "Teaching assistant"],
    "infant": ["Reception teacher", "Year 1 teacher", "Year 2 teacher", "EYFS lead",
               "Phonics lead", "SENCo", "Teaching assistant"],
    "secondary": ["Teacher of English", "Teacher of mathematics", "Teacher of science",
                  "Head of history", "Head of geography", "Teacher of computing",
                  "Head of modern languages", "Head of Year 7", "Head of Year 9", "SENCo",
                  "Assistant headteacher", "Deputy headteacher", "Designated safeguarding lead",
                  "Learning mentor", "Transition coordinator", "Teacher of PE"],
    "special": ["Class teacher", "SENCo", "Speech and language lead", "Teaching assistant",
                "Assistant headteacher", "Sensory lead", "Family liaison officer"],
    "pru": ["Teacher of English", "Teacher of mathematics", "Behaviour lead",
            "Reintegration officer", "Learning mentor"],
}

# Rows a bulk insert sends at once: large loads stay within the drivers' parameter limits.
CHUNK = 10_000


def insert_rows(conn, model, rows: list[dict]) -> None:
    """Core executemany in chunks, for the bench's tens of thousands of rows."""
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(model), rows[start:start + CHUNK])


def insert_ids(conn, model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order."""
    return list(conn.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                             rows))
