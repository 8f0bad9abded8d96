"""The featured ranking's settings, as curators edit them (GET/PUT /api/featured/config).

Every field has a default, so the defaults alone are a complete config (version 0, before any
curator saved one). Validation is strict: unknown fields and wrong types are errors.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_LIST_SIZE = 200

Weight = Annotated[float, Field(ge=0, le=100)]
Days = Annotated[float, Field(gt=0, le=3650)]
Fraction = Annotated[float, Field(ge=0, le=1)]
ArtworkId = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Weights(Strict):
    """How much each score component counts (they are normalised to sum to 1)."""
    engagement: Weight = 0.35   # smoothed interactions per view
    velocity: Weight = 0.2      # recent interactions, however many views
    quality: Weight = 0.15
    recency: Weight = 0.15
    novelty: Weight = 0.15      # the artist was not featured lately

    @model_validator(mode="after")
    def _some_weight(self):
        if not any(getattr(self, name) > 0 for name in type(self).model_fields):
            raise ValueError("at least one weight must be above 0")
        return self


class Similarity(Strict):
    """What makes two works alike for the diversity re-rank (normalised to sum to 1)."""
    visual: Weight = 0.4        # colour agreement
    text: Weight = 0.3          # TF-IDF cosine of their texts
    medium: Weight = 0.3        # the same medium


class Diversity(Strict):
    max_per_artist: Annotated[int, Field(ge=1, le=MAX_LIST_SIZE)] = 2
    # Maximal marginal relevance: 1 ranks by score alone, 0 by difference from what is above.
    relevance: Fraction = 0.75
    similarity: Similarity = Similarity()
    collapse_near_duplicates: bool = True


class Pin(Strict):
    artwork_id: ArtworkId
    position: Annotated[int, Field(ge=1, le=MAX_LIST_SIZE)]


class Exclusions(Strict):
    artworks: Annotated[list[ArtworkId], Field(max_length=1000)] = []
    artists: Annotated[list[ArtworkId], Field(max_length=1000)] = []


class FeaturedConfig(Strict):
    weights: Weights = Weights()
    # Interactions lose half their weight every this many days (engagement velocity).
    half_life_days: Days = 7.0
    recency_half_life_days: Days = 30.0
    # An artist featured this many days ago counts as half new.
    novelty_half_life_days: Days = 14.0
    # Views a work is assumed to have had at the average rate before its own count (smoothing).
    prior_views: Annotated[float, Field(ge=0, le=100000)] = 50.0
    diversity: Diversity = Diversity()
    pins: Annotated[list[Pin], Field(max_length=MAX_LIST_SIZE)] = []
    exclusions: Exclusions = Exclusions()
    size: Annotated[int, Field(ge=10, le=MAX_LIST_SIZE)] = 100
    # The list is recomputed once a period (and at once when the config changes).
    period_hours: Annotated[int, Field(ge=1, le=168)] = 6

    @field_validator("pins")
    @classmethod
    def _distinct_pins(cls, pins):
        if len({pin.position for pin in pins}) < len(pins):
            raise ValueError("two pins share a position")
        if len({pin.artwork_id for pin in pins}) < len(pins):
            raise ValueError("an artwork is pinned twice")
        return pins

    def as_dict(self):
        return self.model_dump(mode="json")


DEFAULT = FeaturedConfig()


def merged(base, changes):
    """A config from `base` (a FeaturedConfig) with `changes` (a dict, possibly nested) laid over it;
    raises pydantic.ValidationError for bad values."""
    return FeaturedConfig.model_validate(_merge(base.as_dict(), changes))


def _merge(base, changes):
    result = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            result[key] = _merge(base[key], value)
        else:
            result[key] = value
    return result
