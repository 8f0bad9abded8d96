"""The artwork filters that listing and search share, as one declared query model."""

from pydantic import AliasChoices, Field

from api.db import get_db
from api.parsing import Amount, Choice, Moment, Paged, Trimmed
from imaging import analysis
from store import artworks, taxonomy


class ArtworkFilters(Paged):
    repeated = frozenset({"tag"})
    artist_id: Trimmed(64) | None = None
    medium: Trimmed(100) | None = None
    category: Trimmed(100) | None = Field(None, description="A category's id or name; its sub-categories match too.")
    tag: list[str] = Field([], description="Repeat for several tags; a work must have all of them.")
    colour: Choice(analysis.COLOUR_NAMES) | None = None
    availability: Choice(artworks.AVAILABILITY) | None = None
    # The SPEC speaks of a price range; min_price and max_price are accepted as its spelling.
    price_min: Amount | None = Field(None, validation_alias=AliasChoices("price_min", "min_price"))
    price_max: Amount | None = Field(None, validation_alias=AliasChoices("price_max", "max_price"))
    created_after: Moment | None = None
    created_before: Moment | None = None

    def as_filters(self) -> dict:
        """The filters as store.artworks.list_artworks and the search engine take them."""
        filters = {
            "artist_id": self.artist_id or None,
            "medium": self.medium or None,
            "tags": [tag for tag in (taxonomy.normalise_tag(t) for t in self.tag) if tag],
            "colour": self.colour,
            "availability": self.availability,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "created_after": self.created_after,
            "created_before": self.created_before,
        }
        if self.category:
            found = taxonomy.find_category(get_db(), self.category)
            # An unknown category matches nothing, like an unknown tag; it is not an error.
            filters["category_ids"] = taxonomy.with_descendants(get_db(), found["id"]) if found else []
        return filters
