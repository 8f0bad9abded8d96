"""search_artworks() on a real database: the query language, corrections, filters, sorts, facets, privacy."""

import pytest

from search import engine
from search.engine import Filters, search_artworks
from search.ranking import RankingConfig
from tests.search.conftest import work


def titles(conn, index, text="", **options):
    result = search_artworks(conn, index, text=text, limit=100, **options)
    return [_title(conn, hit.artwork_id) for hit in result.hits]


def _title(conn, artwork_id):
    return conn.execute("SELECT title FROM artworks WHERE id = ?", (artwork_id,)).fetchone()[0]


def test_every_word_must_match(conn, index, gallery):
    assert titles(conn, index, "blue mountain ") == ["Mont Sainte-Victoire"]
    assert titles(conn, index, "blue zebra ") == []


def test_a_quoted_phrase_needs_its_words_together(conn, index, gallery):
    assert titles(conn, index, '"blue water"') == ["Water Lilies"]
    assert titles(conn, index, '"water blue"') == []


def test_minus_leaves_works_out(conn, index, gallery):
    assert "Water Lilies" not in titles(conn, index, "blue -pond")
    assert set(titles(conn, index, "-blue")) == {"Haystacks at Sunset", "The Card Players"}


def test_the_last_word_completes_while_typing(conn, index, gallery):
    assert titles(conn, index, "hays") == ["Haystacks at Sunset"]
    assert titles(conn, index, "hays ") == []  # a finished word must match whole


def test_accents_do_not_matter(conn, index, gallery):
    assert set(titles(conn, index, "cezanne ")) == {"Mont Sainte-Victoire", "The Card Players"}
    assert set(titles(conn, index, "CÉZANNE ")) == {"Mont Sainte-Victoire", "The Card Players"}


def test_inflections_match_and_rank_below_the_word_itself(conn, index, gallery):
    assert titles(conn, index, "horse ") == ["Horse in the rain", "The Card Players"]
    assert titles(conn, index, "horse ", config=RankingConfig(stemming=False)) == ["Horse in the rain"]


@pytest.mark.parametrize("typed, corrected, found", [
    ("montain ", "mountain", "Mont Sainte-Victoire"),      # 7 letters, one letter missing
    ("watr lilies", "water lilies", "Water Lilies"),       # 4 letters: one edit
    ("kanagwaa ", "kanagawa", "The Great Wave off Kanagawa"),  # two letters swapped count as one edit
    ("woodbluuk ", "woodblock", "The Great Wave off Kanagawa"),  # 9 letters: two edits
])
def test_a_word_that_matches_nothing_is_corrected(conn, index, gallery, typed, corrected, found):
    result = search_artworks(conn, index, text=typed)
    assert result.corrected_query == corrected
    assert found in [_title(conn, hit.artwork_id) for hit in result.hits]


def test_no_correction_for_short_words_too_far_or_words_that_match(conn, index, gallery):
    assert search_artworks(conn, index, text="hxrxe ").corrected_query is None  # 5 letters, 2 edits away
    assert search_artworks(conn, index, text="pnd ").corrected_query is None    # under 4 letters
    assert search_artworks(conn, index, text="wave ").corrected_query is None
    assert search_artworks(conn, index, text="montain ", config=RankingConfig(typo_correction=False)).total == 0


def test_private_works_are_found_by_their_artist_only(conn, index, gallery):
    hokusai = gallery["artists"]["hokusai"]
    assert titles(conn, index, "secret ") == []
    assert titles(conn, index, "secret ", viewer_id=hokusai) == ["Secret blue study"]
    assert titles(conn, index, "secret ", viewer_id=gallery["artists"]["monet"]) == []


def test_a_correction_never_reveals_a_word_only_private_works_hold(conn, index, gallery):
    assert search_artworks(conn, index, text="zanzobarite ").corrected_query is None
    owner = search_artworks(conn, index, text="zanzobarite ", viewer_id=gallery["artists"]["hokusai"])
    assert owner.corrected_query == "zanzibarite"


def test_private_works_are_not_counted_in_facets(conn, index, gallery):
    facets = search_artworks(conn, index, text="blue ").facets
    assert {"value": "Ink", "count": 1} in facets["medium"]  # the private ink study is left out
    assert {"value": "blue", "count": 4} in facets["colour"]
    assert all(item["value"] != "private" for item in facets["availability"])
    owner = search_artworks(conn, index, text="blue ", viewer_id=gallery["artists"]["hokusai"]).facets
    assert {"value": "private", "count": 1} in owner["availability"]


@pytest.mark.parametrize("filters, expected", [
    (Filters(medium="oil"), {"Water Lilies", "Haystacks at Sunset", "The Card Players"}),
    (Filters(category_ids=[1, 11, 12, 13, 14, 15]), {"Water Lilies", "Haystacks at Sunset", "Mont Sainte-Victoire",
                                                     "The Card Players"}),
    (Filters(category_ids=[]), set()),
    (Filters(tags=["pond"]), {"Water Lilies"}),
    (Filters(tags=["pond", "garden"]), {"Water Lilies"}),
    (Filters(tags=["pond", "sea"]), set()),
    (Filters(colour="blue"), {"Water Lilies", "Mont Sainte-Victoire", "The Great Wave off Kanagawa",
                              "Horse in the rain"}),
    (Filters(price_min=250, price_max=900), {"Water Lilies", "Mont Sainte-Victoire"}),
    (Filters(price_min=5000), {"The Great Wave off Kanagawa"}),
    (Filters(availability="sold"), {"Haystacks at Sunset"}),
    (Filters(location="france"), {"Water Lilies", "Haystacks at Sunset", "Mont Sainte-Victoire",
                                  "The Card Players"}),
    (Filters(location="Edo, Japan"), {"The Great Wave off Kanagawa", "Horse in the rain"}),
    (Filters(location="Japan", medium="Ink"), {"Horse in the rain"}),
])
def test_filters(conn, index, gallery, filters, expected):
    assert set(titles(conn, index, filters=filters)) == expected


def test_filter_by_artist_and_creation_time(conn, index, gallery):
    monet = gallery["artists"]["monet"]
    assert set(titles(conn, index, filters=Filters(artist_id=monet))) == {"Water Lilies", "Haystacks at Sunset"}
    assert titles(conn, index, filters=Filters(artist_id="nobody")) == []
    conn.execute("UPDATE artworks SET created_at = '2020-01-01T00:00:00.000Z' WHERE title = 'Water Lilies'")
    assert titles(conn, index, filters=Filters(created_before="2021-01-01T00:00:00.000Z")) == ["Water Lilies"]
    assert "Water Lilies" not in titles(conn, index, filters=Filters(created_after="2021-01-01T00:00:00.000Z"))


def test_sorts(conn, index, gallery):
    for offset, title in enumerate(["Horse in the rain", "The Great Wave off Kanagawa", "Water Lilies"]):
        conn.execute("UPDATE artworks SET created_at = ? WHERE title = ?", (f"2030-01-0{offset + 1}T00:00:00.000Z",
                                                                           title))
    assert titles(conn, index, "blue ", sort="newest") == ["Water Lilies", "The Great Wave off Kanagawa",
                                                          "Horse in the rain", "Mont Sainte-Victoire"]
    assert titles(conn, index, sort="popular")[:2] == ["The Great Wave off Kanagawa", "Water Lilies"]
    assert titles(conn, index, sort="price") == ["Horse in the rain", "Mont Sainte-Victoire", "Water Lilies",
                                                 "Haystacks at Sunset", "The Great Wave off Kanagawa",
                                                 "The Card Players"]
    assert titles(conn, index, sort="price_desc")[:2] == ["The Great Wave off Kanagawa", "Haystacks at Sunset"]


def test_pages_do_not_overlap(conn, index, gallery):
    everything = titles(conn, index, sort="price")
    pages = []
    for offset in range(0, len(everything), 2):
        result = search_artworks(conn, index, sort="price", offset=offset, limit=2)
        pages += [_title(conn, hit.artwork_id) for hit in result.hits]
        assert result.total == len(everything)
    assert pages == everything


def test_relevance_puts_title_matches_first_and_explains_itself(conn, index, gallery):
    result = search_artworks(conn, index, text="wave ")
    assert _title(conn, result.hits[0].artwork_id) == "The Great Wave off Kanagawa"
    components = result.hits[0].components
    assert set(components) == {"bm25", "text", "engagement", "recency", "quality"}
    assert components["text"] == 1.0 and components["bm25"] > 0


def test_highlights_mark_the_matched_words_and_escape_the_rest(conn, index, gallery):
    monet = gallery["artists"]["monet"]
    bold = work(conn, monet, "<b>Bold</b> water", description="Water & light")
    hit = next(hit for hit in search_artworks(conn, index, text="water ").hits if hit.artwork_id == bold)
    assert hit.highlights["title"] == "&lt;b&gt;Bold&lt;/b&gt; <mark>water</mark>"
    assert hit.highlights["description"] == "<mark>Water</mark> &amp; light"


def test_browsing_ranks_by_priors(conn, index, gallery):
    result = search_artworks(conn, index)
    assert result.total == 6 and result.corrected_query is None
    assert _title(conn, result.hits[0].artwork_id) == "The Great Wave off Kanagawa"  # most liked
    assert all(hit.highlights == {} for hit in result.hits)


def test_many_inflections_stay_a_valid_query(conn, index, gallery):
    artist = gallery["artists"]["monet"]
    for n in range(engine.MAX_ALTERNATIVES + 5):
        work(conn, artist, f"paint{'s' * n}ing")
    assert search_artworks(conn, index, text="painting ").total >= 1
