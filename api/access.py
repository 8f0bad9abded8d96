"""Finding what a request names, or answering 404/403: the checks several resources share."""

from api.auth import require_user
from api.db import get_db
from api.problems import ApiError, validation_error
from store import artworks, profiles, taxonomy


def account_or_404(artist_id):
    account = profiles.get_account(get_db(), artist_id)
    if account is None:
        raise ApiError(404, "No artist has that id.")
    return account


def visible_artwork_or_404(artwork_id, viewer_id):
    artwork = artworks.get_artwork(get_db(), artwork_id)
    if artwork is None or not artworks.is_visible(artwork, viewer_id):
        raise ApiError(404, "No artwork has that id.")  # private works do not exist for others
    return artwork


def own_artwork(artwork_id, action="change"):
    user_id = require_user()
    artwork = visible_artwork_or_404(artwork_id, user_id)
    if artwork["artist_id"] != user_id:
        raise ApiError(403, f"Only the artist can {action} this artwork.")
    return artwork


def check_category(category_id, field="category_id"):
    if category_id is not None and taxonomy.get_category(get_db(), category_id) is None:
        raise validation_error({field: "must be the id of an existing category"})
