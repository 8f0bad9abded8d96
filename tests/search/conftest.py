import pytest

import store
from search.index import SearchIndex
from store import new_id, taxonomy
from tests.conftest import insert


@pytest.fixture
def conn(tmp_path):
    """A connection to a freshly initialised database file."""
    path = tmp_path / "easel.sqlite3"
    store.initialise(path)
    connection = store.connect(path)
    yield connection
    connection.close()


@pytest.fixture
def index():
    """A ranking index of its own (not the process-wide one), so tests never share state."""
    return SearchIndex()


def person(conn, username, artist_name=None, **fields):
    return insert(conn, "artists", {"id": new_id(), "username": username, "email": f"{username}@example.com",
                                    "password_hash": "x", "artist_name": artist_name or username.title(),
                                    **fields})


def work(conn, artist_id, title, tags=(), colours=(), **fields):
    artwork_id = insert(conn, "artworks", {"id": new_id(), "artist_id": artist_id, "title": title, **fields})
    taxonomy.set_tags(conn, artwork_id, list(tags), source="artist")
    taxonomy.set_tags(conn, artwork_id, list(colours), source="colour")
    return artwork_id


@pytest.fixture
def gallery(conn):
    """A small collection with known words, prices, places and one private work."""
    monet = person(conn, "monet", "Claude Monet", location="Giverny, France")
    cezanne = person(conn, "cezanne", "Paul Cézanne", location="Aix-en-Provence, France")
    hokusai = person(conn, "hokusai", "Katsushika Hokusai", location="Edo, Japan")
    ids = {
        "lilies": work(conn, monet, "Water Lilies", description="Blue water and lilies in the garden pond",
                       medium="Oil", category_id=12, price=900, tags=["garden", "pond"], colours=["blue", "green"],
                       like_count=40, view_count=400),
        "haystacks": work(conn, monet, "Haystacks at Sunset", description="Fields in warm evening light",
                          medium="Oil", category_id=12, price=4000, tags=["field"], colours=["orange"],
                          availability_status="sold"),
        "mountain": work(conn, cezanne, "Mont Sainte-Victoire", description="A blue mountain above the valley",
                         medium="Watercolour", category_id=12, price=250, tags=["mountain"], colours=["blue"]),
        "players": work(conn, cezanne, "The Card Players", description="Two men playing cards, horses outside",
                        medium="Oil", category_id=15, tags=["figures"], colours=["brown"]),
        "wave": work(conn, hokusai, "The Great Wave off Kanagawa", description="A wave over boats, Fuji behind",
                     medium="Woodblock print", category_id=18, price=12000, tags=["sea", "mount fuji"],
                     colours=["blue", "white"], like_count=90),
        "horse": work(conn, hokusai, "Horse in the rain", description="A horse and rider in blue rain",
                      medium="Ink", category_id=16, price=60, tags=["horse"], colours=["blue", "grey"]),
        "secret": work(conn, hokusai, "Secret blue study", description="Unfinished zanzibarite sketch",
                       medium="Ink", price=10, availability_status="private", tags=["hidden"], colours=["blue"]),
    }
    return {"artists": {"monet": monet, "cezanne": cezanne, "hokusai": hokusai}, "works": ids}
