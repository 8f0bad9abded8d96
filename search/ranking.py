"""How search results are ordered: BM25 with column weights, blended with priors.

    score = text       * bm25 / max bm25 among the matches        (0..1, relevance to the words)
          + engagement * log(1 + E) / log(1 + max E in the index) (E = likes + 2 comments + 3 shares
                                                                   + views / 20)
          + recency    * 0.5 ** (age in days / recency_half_life_days)
          + quality    * the image quality score (0..1; 0.5 when unknown)

bm25 is FTS5's formula (k1, b, idf = ln((N - n + 0.5) / (n + 0.5)), never below 1e-6) computed here
over our own postings, so that it costs one numpy pass instead of a microsecond per match; with
every column weight 1 and no expansions it equals FTS5's bm25() (tests/search/test_ranking.py).
A word's inflections ("horses" for "horse") and, for the word being typed, its completions count
at `expansion_weight` of the word itself. Browsing (no words) ranks by the priors alone.

The weights come from the SEARCH_RANKING setting (JSON, any subset of these fields), so curators
and the offline evaluation (`flask evaluate search`) can compare configurations.
"""

import json
import math
import time
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from search.index import COLUMNS

DEFAULT_COLUMN_WEIGHTS = {"title": 8.0, "description": 1.0, "tags": 4.0, "medium": 2.0, "category": 2.0,
                          "artist": 6.0, "colours": 1.0, "keywords": 2.0}


@dataclass(frozen=True)
class RankingConfig:
    column_weights: dict = field(default_factory=lambda: dict(DEFAULT_COLUMN_WEIGHTS))
    k1: float = 1.2
    b: float = 0.75
    text: float = 1.0
    engagement: float = 0.15
    recency: float = 0.05
    quality: float = 0.05
    recency_half_life_days: float = 180.0
    expansion_weight: float = 0.5
    stemming: bool = True
    typo_correction: bool = True
    prefix: bool = True

    @classmethod
    def from_mapping(cls, values, base=None):
        """A config from a dict (JSON), on top of `base`; unknown keys and bad values raise ValueError."""
        base = base or cls()
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown ranking settings: {', '.join(sorted(unknown))}")
        changes = {}
        for name, value in values.items():
            if name == "column_weights":
                changes[name] = _column_weights(value, base.column_weights)
            elif known[name].type is bool or isinstance(getattr(base, name), bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                changes[name] = value
            else:
                changes[name] = _non_negative(name, value)
        return replace(base, **changes)

    @classmethod
    def from_json(cls, text, base=None):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"ranking settings are not valid JSON: {error}") from error
        if not isinstance(values, dict):
            raise ValueError("ranking settings must be a JSON object")
        return cls.from_mapping(values, base)

    def column_vector(self):
        return np.asarray([self.column_weights[column] for column in COLUMNS])

    def as_dict(self):
        return asdict(self)


# Plain FTS5 bm25: every column alike, the words exactly as typed, no priors.
PLAIN = RankingConfig(column_weights=dict.fromkeys(COLUMNS, 1.0), engagement=0.0, recency=0.0, quality=0.0,
                      stemming=False, typo_correction=False, prefix=False)
NAMED = {"default": RankingConfig(), "plain": PLAIN}


def _column_weights(value, base):
    if not isinstance(value, dict) or set(value) - set(COLUMNS):
        raise ValueError(f"column_weights must be an object with some of: {', '.join(COLUMNS)}")
    return {**base, **{column: _non_negative(f"column_weights.{column}", w) for column, w in value.items()}}


def _non_negative(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of at least 0")
    return float(value)


def bm25(frequency, lengths, average_length, matching_docs, live_docs, config):
    """FTS5's bm25 term for one phrase: idf x f(k1 + 1) / (f + k1(1 - b + b D / avgdl)).

    frequency: weighted frequency per candidate; lengths: their lengths in tokens; matching_docs:
    how many live documents hold the phrase; live_docs: N.
    """
    idf = math.log((live_docs - matching_docs + 0.5) / (matching_docs + 0.5)) if live_docs else 0.0
    idf = max(idf, 1e-6)
    norm = config.k1 * (1 - config.b + config.b * lengths / (average_length or 1.0))
    return idf * frequency * (config.k1 + 1) / (frequency + norm)


def priors(index, docs, config, now=None):
    """The engagement, recency and quality components (each 0..1) of `docs`."""
    now = time.time() if now is None else now
    activity = index.activity(docs)
    ceiling = np.log1p(index.activity_ceiling())
    engagement = np.log1p(activity) / ceiling if ceiling > 0 else np.zeros(len(docs))
    age_days = np.maximum(now - index.created[docs], 0) / 86400
    recency = 0.5 ** (age_days / config.recency_half_life_days) if config.recency_half_life_days else np.ones(len(docs))
    quality = np.nan_to_num(index.quality[docs].astype(float), nan=0.5)
    return {"engagement": engagement, "recency": recency, "quality": quality}


def blend(text_scores, components, config):
    """The final score of each candidate, and the normalised text component."""
    top = text_scores.max(initial=0.0)
    text = text_scores / top if top > 0 else np.zeros(len(text_scores))
    score = config.text * text if top > 0 else np.zeros(len(text_scores))
    for name in ("engagement", "recency", "quality"):
        score = score + getattr(config, name) * components[name]
    return score, text
