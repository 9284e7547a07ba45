"""The default skill vocabulary: the data in vocabulary.toml, and the code that installs it."""

from __future__ import annotations

import tomllib
from importlib import resources

from sqlalchemy import insert, select

from ..directory.models import Skill, SkillCategory


def _load() -> dict[str, tuple[str, list[tuple[str, list[str]]]]]:
    data = tomllib.loads(resources.files(__package__).joinpath("vocabulary.toml").read_text())
    return {slug: (category["name"], list(category["skills"].items()))
            for slug, category in data.items()}


# category slug -> (category name, [(skill, synonyms)]), in the file's order.
VOCABULARY = _load()


def install_default_vocabulary(conn) -> int:
    """Add the default categories and skills that are missing (by name). Core only, so the
    migration that ships the vocabulary and the tests use the same code. Returns skills added."""
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
