"""The ranking formula: FTS5's bm25 reproduced exactly, blended priors, settings."""

import random

import pytest

from search.engine import search_artworks
from search.index import COLUMNS
from search.ranking import PLAIN, RankingConfig
from tests.search.conftest import person, work

WORDS = "river sea night study blue garden portrait light city rain".split()


@pytest.fixture
def texts(conn):
    rng = random.Random(2)
    artist = person(conn, "writer")
    for _ in range(40):
        work(conn, artist, " ".join(rng.choices(WORDS, k=rng.randint(1, 4))),
             description=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))), tags=rng.sample(WORDS, 2))


@pytest.mark.parametrize("text", ["river ", "blue night ", '"night study"', "sea -rain"])
@pytest.mark.parametrize("weights", [None, {"title": 10.0, "description": 1.0, "tags": 3.0}])
def test_bm25_equals_fts5(conn, index, texts, text, weights):
    config = PLAIN if weights is None else RankingConfig.from_mapping({"column_weights": weights}, PLAIN)
    result = search_artworks(conn, index, text=text, limit=100, config=config)
    ours = {hit.doc_id: hit.components["bm25"] for hit in result.hits}
    column_weights = ", ".join(str(config.column_weights[column]) for column in COLUMNS)
    theirs = {row[0]: -row[1] for row in conn.execute(
        f"SELECT rowid, bm25(artworks_fts, {column_weights}) FROM artworks_fts WHERE artworks_fts MATCH ?",
        (result.expression,))}
    if '"' in text:
        return  # a phrase is one FTS5 phrase but several of our words; only the matches agree
    assert ours.keys() == theirs.keys() and ours
    for doc_id, score in theirs.items():
        assert ours[doc_id] == pytest.approx(score, rel=1e-5)


def test_engagement_lifts_an_equal_match(conn, index):
    artist = person(conn, "ada")
    quiet = work(conn, artist, "Harbour")
    loved = work(conn, artist, "Harbour", like_count=30, comment_count=4)
    hits = search_artworks(conn, index, text="harbour ").hits
    assert [hit.artwork_id for hit in hits] == [loved, quiet]
    assert hits[0].components["engagement"] == 1.0 and hits[1].components["engagement"] == 0.0
    plain = search_artworks(conn, index, text="harbour ", config=PLAIN).hits
    assert plain[0].score == plain[1].score


def test_settings_from_json_and_their_errors():
    config = RankingConfig.from_json('{"engagement": 0.5, "column_weights": {"title": 3}, "stemming": false}')
    assert config.engagement == 0.5 and config.column_weights["title"] == 3.0 and not config.stemming
    assert config.column_weights["tags"] == RankingConfig().column_weights["tags"]
    for bad in ['{"speed": 1}', '{"engagement": -1}', '{"engagement": "high"}', '{"stemming": 1}',
                '{"column_weights": {"colour": 1}}', "[1]", "{"]:
        with pytest.raises(ValueError):
            RankingConfig.from_json(bad)
