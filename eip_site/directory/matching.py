"""Which skills a search means: exact names, synonyms, word prefixes and small typos.

Pure functions over the vocabulary (a few hundred skills), so a test can call them without
Flask and a search costs one query for the vocabulary whatever the number of people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY = 100  # characters that take part in matching; the rest is ignored
SHORT = 3  # a search this short (an acronym: SEN, EAL, PE) matches whole words only
PART = 0.85  # the score of a term that is a phrase within a longer search: "maths" of
# "maths mastery", which ranks after the skill the whole search names (ranking.levels)
_WORD = re.compile(r"[\w&+]+")


@dataclass(frozen=True)
class Term:
    skill_id: int
    text: str       # normalised
    shown: str      # as written in the vocabulary, for "matched because"


@dataclass(frozen=True)
class Match:
    skill_id: int
    score: float    # 0..1, how sure we are the search meant this skill
    because: str    # the name or synonym that matched


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation to spaces (but keep & and +: G&T, KS2+)."""
    folded = unicodedata.normalize("NFKD", text[:MAX_QUERY].lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_WORD.findall(folded))


def build_terms(skills) -> list[Term]:
    """``skills``: (id, name, synonyms list) rows."""
    terms = []
    for skill_id, name, synonyms in skills:
        for shown in (name, *synonyms):
            text = normalise(shown)
            if text:
                terms.append(Term(skill_id, text, shown))
    return terms


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _typo_allowance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


def _score(query: str, term: str) -> float:
    if query == term:
        return 1.0
    q_words, t_words = query.split(), term.split()
    if f" {query} " in f" {term} ":
        return 0.9  # the search is a whole phrase within the term
    if len(query) >= 4 and f" {term} " in f" {query} " and len(term) >= 4:
        return PART  # the term is a phrase within a longer search
    if len(query) > SHORT and any(w.startswith(query) for w in t_words):
        return 0.75  # a word begun (never for a short word or acronym: "SEN" is not "Senior")
    # Every word of the search is close to some word of the term: typos.
    total = 0.0
    for qw in q_words:
        allowance = _typo_allowance(qw)
        best = 0.0
        for tw in t_words:
            if qw == tw:
                best = 1.0
                break
            if allowance and tw[:1] == qw[:1]:
                d = edit_distance(qw, tw, allowance)
                if d <= allowance:
                    best = max(best, 1 - d / (len(tw) + 1))
        if best == 0:
            return 0.0
        total += best
    return 0.7 * total / len(q_words)


def match_skills(query: str, terms: list[Term], limit: int = 8) -> list[Match]:
    """The skills a search most likely means, best first, at most one match per skill."""
    ranked = sorted(_best_per_skill(query, terms, _score, 0),
                    key=lambda m: (-m.score, m.because))
    if ranked and ranked[0].score >= 0.85:
        # A confident match: keep only matches nearly as good, so "phonics" is not diluted.
        ranked = [m for m in ranked if m.score >= 0.7]
    return ranked[:limit]


def nearest_skills(query: str, terms: list[Term], limit: int = 5) -> list[Match]:
    """For an empty result: the vocabulary entries that look most like the search."""
    from difflib import SequenceMatcher

    def ratio(q: str, term: str) -> float:
        return SequenceMatcher(None, q, term).ratio()

    return sorted(_best_per_skill(query, terms, ratio, 0.45), key=lambda m: -m.score)[:limit]


def _best_per_skill(query: str, terms: list[Term], score, at_least: float) -> list[Match]:
    """Each skill's best term by ``score(normalised query, term text)``, if not nought and
    at least ``at_least`` (of terms that score alike, the first)."""
    q = normalise(query)
    best: dict[int, Match] = {}
    for term in terms if q else ():
        value = score(q, term.text)
        if value and value >= at_least and (term.skill_id not in best
                                            or value > best[term.skill_id].score):
            best[term.skill_id] = Match(term.skill_id, value, term.shown)
    return list(best.values())


class NameWords:
    """The words of people's names and job titles, for the typos people make in them
    ("Hughs", "Deepa Amhed", "teaching asistant"): built once per change of the people (a
    few hundred distinct words for 10,000 people), so a search checks its own few words
    against these, never every person. Words are the names' own, lower case and split at
    spaces, so a corrected search is a substring of the names it means."""

    def __init__(self, rows):
        """``rows``: (name, job title) of every active person."""
        self.shown: dict[str, str] = {}
        for name, job_title in rows:
            for text in (name, job_title or ""):
                for word in text.split():
                    self.shown.setdefault(word.lower(), word)
        self._joined = "\n".join(self.shown)
        self._by_letter: dict[str, list[str]] = {}
        for word in self.shown:
            self._by_letter.setdefault(word[:1], []).append(word)

    def corrected(self, text: str) -> str | None:
        """The search as names and job titles spell it, when a word of it is a small typo
        of theirs (the allowance of skills' typos, same first letter); else None. A word
        found in some name or title as it is stays as it is."""
        words, changed = text[:MAX_QUERY].lower().split(), False
        for i, word in enumerate(words):
            if word in self._joined:
                continue
            allowance = _typo_allowance(word) if len(word) > SHORT else 0
            near = [(edit_distance(word, w, allowance), w) for w in self._by_letter.get(
                word[:1], ()) if allowance and abs(len(w) - len(word)) <= allowance]
            best = min((n for n in near if n[0] <= allowance), default=None)
            if best is None:
                return None
            words[i], changed = best[1], True
        return " ".join(words) if changed else None

    def nearest(self, text: str) -> str | None:
        """For an empty result: the names' words that look most like the search's (each
        at least 70 % alike), as written, or None."""
        from difflib import get_close_matches

        words, changed = text[:MAX_QUERY].lower().split(), False
        for i, word in enumerate(words):
            if word not in self.shown:
                close = get_close_matches(word, self._by_letter.get(word[:1], ()), 1, 0.7)
                if not close:
                    return None
                words[i], changed = close[0], True
        return " ".join(self.shown[w] for w in words) if changed and words else None
