"""The search box's query language, and the FTS5 MATCH expressions built from it.

    blue horse          both words must match (in any column)
    "blue horse"        the words next to each other, in this order
    -sketch  -"oil on"  leave out works that match
    blue hor            while typing: the last word also matches as a prefix (horse, horizon)

Whatever was typed, the MATCH expression is built from our own tokens, each quoted, so FTS5
never sees an operator, a column name or a stray quote from the user: it cannot fail to parse.
"""

import re
from dataclasses import dataclass, field

from search.text import tokens

MAX_TERMS = 16        # required words and phrases; the rest of a pasted essay is ignored
MAX_EXCLUDED = 8
MIN_PREFIX_LENGTH = 2  # "a*" would touch a large part of the vocabulary for little use

# A quoted phrase (the closing quote may be missing), or a run of non-space characters.
_SEGMENT = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


@dataclass
class Query:
    """A parsed query. Each term is a tuple of tokens: one for a word, more for a phrase."""

    terms: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    # Index into terms of the word being typed, matched as a prefix too; None when finished.
    prefix_at: int | None = None

    @property
    def empty(self):
        return not self.terms and not self.excluded

    def words(self):
        """(position, token) of every single-word term: the ones stems and typo fixes apply to."""
        return [(i, term[0]) for i, term in enumerate(self.terms) if len(term) == 1]


def parse(text):
    query = Query()
    text = text or ""
    for match in _SEGMENT.finditer(text):
        quoted = match.group(2) is not None
        negative = bool(match.group(1) if quoted else match.group(3))
        found = tuple(tokens(match.group(2) if quoted else match.group(4)))
        if not found:
            continue
        if negative:
            if len(query.excluded) < MAX_EXCLUDED:
                query.excluded.append(found)
        elif len(query.terms) < MAX_TERMS:
            query.terms.append(found)
            last_typed_word = not quoted and match.end() == len(text)
            query.prefix_at = (len(query.terms) - 1 if last_typed_word and len(found) == 1
                               and len(found[0]) >= MIN_PREFIX_LENGTH else None)
    if query.prefix_at is not None and query.prefix_at != len(query.terms) - 1:
        query.prefix_at = None
    return query


def quoted(token):
    # Tokens are letters and digits only, so they never hold a double quote to escape.
    return f'"{token}"'


def term_expression(term, alternatives=(), prefix=False):
    """One required term: a phrase, or a word OR its alternatives (inflections, a prefix)."""
    if len(term) > 1:
        return quoted(" ".join(term))
    options = [quoted(term[0]) + ("*" if prefix else "")]
    options += [quoted(word) for word in alternatives if word != term[0]]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def match_expression(required, excluded=()):
    """FTS5 MATCH text for all of `required` and none of `excluded` (both term expressions).

    Returns None when nothing is required: FTS5 cannot express "everything except", so the
    caller subtracts the matches of exclusion_expression() instead.
    """
    if not required:
        return None
    positive = " AND ".join(required)
    if excluded:
        return f"({positive}) NOT ({' OR '.join(excluded)})"
    return positive


def exclusion_expression(excluded):
    return " OR ".join(excluded) if excluded else None


def display(query, replacements):
    """The query as text with some words replaced ({position: new word}), for corrected_query."""
    parts = []
    for i, term in enumerate(query.terms):
        if len(term) > 1:
            parts.append(f'"{" ".join(term)}"')
        else:
            parts.append(replacements.get(i, term[0]))
    parts += [f'-"{" ".join(term)}"' if len(term) > 1 else f"-{term[0]}" for term in query.excluded]
    return " ".join(parts)
