"""The query language, and FTS5 accepting whatever it builds from any input."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import MAX_TERMS, display, match_expression, parse, term_expression


def test_words_phrases_exclusions_and_the_word_being_typed():
    query = parse('blue "water lilies" -sketch -"oil on" hor')
    assert query.terms == [("blue",), ("water", "lilies"), ("hor",)]
    assert query.excluded == [("sketch",), ("oil", "on")]
    assert query.prefix_at == 2


def test_a_finished_word_is_not_a_prefix():
    assert parse("blue horse ").prefix_at is None
    assert parse('blue "horse"').prefix_at is None
    assert parse("blue -horse").prefix_at is None
    assert parse("x").prefix_at is None  # one letter would complete to too much


def test_an_open_quote_runs_to_the_end():
    assert parse('"blue horse').terms == [("blue", "horse")]


def test_operators_and_punctuation_are_words_or_nothing():
    query = parse('NEAR( AND * title:foo OR ^ ""')
    assert query.terms == [("near",), ("and",), ("title", "foo"), ("or",)]


def test_diacritics_and_case_fold():
    assert parse("CÉZANNE Straße").terms == [("cezanne",), ("straße",)]


def test_a_long_query_keeps_its_first_terms():
    query = parse(" ".join(f"word{i}" for i in range(500)))
    assert len(query.terms) == MAX_TERMS


def test_display_shows_the_corrections():
    query = parse('tuner "sea view" -fog')
    assert display(query, {0: "turner"}) == 'turner "sea view" -fog'


@pytest.fixture(scope="module")
def fts():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('Blue horse', 'near the water'), ('Cézanne', 'AND OR NOT')")
    return conn


def expression_for(text):
    query = parse(text)
    required = [term_expression(term, prefix=i == query.prefix_at) for i, term in enumerate(query.terms)]
    return match_expression(required, [term_expression(term) for term in query.excluded])


@pytest.mark.parametrize("text, hits", [
    ("blue", 1), ("blue hor", 1), ('"horse blue"', 0), ("blue -water", 0), ("cezanne", 1), ("and not", 1),
    ("near(", 1), ('"unclosed', 0), ("title:blue", 0), ("*", None), ("🎨 blue", 1),
])
def test_fts5_answers_every_expression(fts, text, hits):
    expression = expression_for(text)
    if hits is None:
        assert expression is None
        return
    assert len(fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()) == hits


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_fts5_never_rejects_what_parse_builds(text):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('some words')")
    expression = expression_for(text)
    if expression is not None:
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
