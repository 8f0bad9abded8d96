"""Words are matched from the in-memory postings: they must match exactly what FTS5 matches."""

import random

import pytest

from search.engine import search_artworks
from search.ranking import PLAIN, RankingConfig
from tests.search.conftest import person, work

WORDS = ["café", "Cafe", "CAFÉS", "naïve", "Straße", "strasse", "O'Keeffe", "rock-n-roll", "3D", "x²", "ﬁre",
         "Ærø", "émigré", "emigre", "horse", "horses", "horsemen", "日本画", "ÉCOLE", "école", "a_b", "mañana",
         "Ⅻ", "Łódź", "lodz", "İstanbul", "ǅemal", "x" * 80]


@pytest.fixture
def odd_texts(conn):
    rng = random.Random(9)
    artist = person(conn, "odd", "Zoë Ödd")
    for _ in range(80):
        work(conn, artist, " ".join(rng.choices(WORDS, k=3)), description=" ".join(rng.choices(WORDS, k=6)),
             tags=[rng.choice(WORDS).lower()])


def fts_ids(conn, expression):
    return {row[0] for row in conn.execute(
        "SELECT d.artwork_id FROM artworks_fts f JOIN search_documents d ON d.doc_id = f.rowid "
        "WHERE artworks_fts MATCH ?", (expression,))}


@pytest.mark.parametrize("config", [PLAIN, RankingConfig()], ids=["plain", "default"])
@pytest.mark.parametrize("text", ["cafe ", "café", "strasse ", "straße ", "o keeffe", "horse ", "hors", "-horse",
                                  "emigre ecole", "lodz ", "istanbul ", "fire ", "x2 ", "zoe ", "ǆemal ",
                                  "mañ", "日本画 ", "rock -roll", "ærø ", "x" * 80 + " "])
def test_in_memory_matches_equal_fts5(conn, index, odd_texts, config, text):
    result = search_artworks(conn, index, text=text, limit=100, config=config)
    ours = {hit.artwork_id for hit in result.hits}
    assert result.total == len(ours)
    if result.expression is not None:
        assert ours == fts_ids(conn, result.expression)
