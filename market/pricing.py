"""Pricing insight: a suggested price range for a work, from the sold works most like it.

A nearest-neighbour model (scikit-learn) over what a buyer pays for:
  * the artist's own price level: the median of their other sales (the strongest signal there
    is; a newcomer without sales gets the market's median and a lower confidence);
  * size: the area from `dimensions` ("60 x 80 cm", "24 x 36 in"), on a log scale;
  * medium and category, as one-hot columns;
  * demand: views, likes and enquiries (log scale);
  * whether it is one of an edition.
The range is the distance-weighted 25th to 75th percentile of the K nearest sales' prices (on a
log scale), the suggestion their weighted median; the comparables are those sales. Prices are in
the conversion table's base currency.

Confidence (0 to 1) falls with the range's width, with how far the comparables are compared
with the model's typical neighbour distance, and when the artist has no sales of their own.
"""

import math
import re
from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

K = 12
MIN_SALES = 10
TOP_MEDIUMS = 40
TYPICAL_SAMPLE = 2000
# Column weights after scaling: how much each kind of likeness counts in the distance.
WEIGHTS = {"artist": 3.0, "area": 1.5, "medium": 1.0, "category": 0.7, "demand": 0.4, "edition": 1.0}
_UNITS_CM = {"cm": 1.0, "mm": 0.1, "m": 100.0, "in": 2.54, "inch": 2.54, "inches": 2.54, '"': 2.54, "″": 2.54}
_DIMENSIONS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(cm|mm|m|in|inches|inch|\"|″)?\s*[x×X*]\s*(\d+(?:[.,]\d+)?)\s*(cm|mm|m|in|inches|inch|\"|″)?")

_TRAILING_UNIT = re.compile(r"\d\s*(cm|mm|m|in|inches|inch|\"|″)(?![a-z])")


def area_cm2(dimensions: str | None) -> float | None:
    """The area of "60 x 80 cm", "24 × 36 in" or "30x40" (cm when no unit is given); None when
    no two lengths can be read."""
    if not dimensions:
        return None
    match = _DIMENSIONS.search(dimensions.lower())
    if not match:
        return None
    first, unit_a, second, unit_b = match.groups()
    stated = _TRAILING_UNIT.search(dimensions.lower(), match.end())  # "12 x 16 x 2 in": the unit comes last
    scale = _UNITS_CM.get(unit_b or unit_a or (stated.group(1) if stated else "cm"), 1.0)
    area = float(first.replace(",", ".")) * float(second.replace(",", ".")) * scale * scale
    return area if area > 0 else None


@dataclass(frozen=True)
class Insight:
    low: float
    suggested: float
    high: float
    confidence: float
    comparables: list[dict]
    artist_sales: int

    @property
    def confidence_label(self) -> str:
        return "high" if self.confidence >= 0.66 else "medium" if self.confidence >= 0.33 else "low"


def _weighted_quantile(values, weights, q):
    order = np.argsort(values)
    values, weights = np.asarray(values)[order], np.asarray(weights)[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return float(np.interp(q, cumulative, values))


class PriceModel:
    """Fitted on sales (dicts as store.sales_analytics.sold_works gives them)."""

    def __init__(self, sales: list[dict], k: int = K):
        if len(sales) < MIN_SALES:
            raise ValueError(f"pricing insight needs at least {MIN_SALES} sales of public works, not {len(sales)}")
        self.sales = sales
        self.log_prices = np.log([sale["price"] for sale in sales])
        self.market_median = float(np.median(self.log_prices))
        self._by_artist: dict[str, np.ndarray] = {}   # each artist's log prices, sorted
        self._rank = np.zeros(len(sales), dtype=np.int64)  # a sale's place among its artist's
        members: dict[str, list[int]] = {}
        for index, sale in enumerate(sales):
            members.setdefault(sale["artist_id"], []).append(index)
        for artist, indexes in members.items():
            order = np.argsort(self.log_prices[indexes], kind="stable")
            self._by_artist[artist] = self.log_prices[indexes][order]
            self._rank[np.asarray(indexes)[order]] = np.arange(len(indexes))
        counts: dict[str, int] = {}
        for sale in sales:
            counts[(sale["medium"] or "").lower()] = counts.get((sale["medium"] or "").lower(), 0) + 1
        self.mediums = sorted(medium for medium, _ in sorted(counts.items(), key=lambda item: -item[1])[:TOP_MEDIUMS]
                              if medium)
        self.categories = sorted({sale["category_id"] for sale in sales if sale["category_id"] is not None})
        areas = [area_cm2(sale["dimensions"]) for sale in sales]
        known = [math.log(area) for area in areas if area]
        self.median_log_area = float(np.median(known)) if known else 0.0
        raw = np.array([self._raw(sale, exclude=index) for index, sale in enumerate(sales)])
        self.scaler = StandardScaler().fit(raw)
        self.weights = self._weight_vector()
        self.features = self.scaler.transform(raw) * self.weights
        self.k = min(k, len(sales) - 1)
        self.index = NearestNeighbors(n_neighbors=self.k).fit(self.features)
        # A neighbour distance is typical of the model's sales; a sample says it as well as all.
        sample = np.random.default_rng(0).choice(len(sales), size=min(len(sales), TYPICAL_SAMPLE), replace=False)
        distances, _ = self.index.kneighbors(self.features[sample], n_neighbors=self.k + 1)
        self.typical_distance = float(np.median(distances[:, 1:].mean(axis=1))) or 1.0

    def _artist_level(self, artist_id, exclude=None):
        """(median log price of the artist's sales, how many), leaving out sale `exclude` (a
        training sale must not see its own price): read off the sorted prices, in O(1)."""
        prices = self._by_artist.get(artist_id)
        if prices is None:
            return self.market_median, 0
        skip = self._rank[exclude] if exclude is not None else None
        count = len(prices) - (skip is not None)
        if count == 0:
            return self.market_median, 0

        def at(position):  # the position-th of the prices left after skipping one
            return prices[position + 1] if skip is not None and position >= skip else prices[position]
        return float((at((count - 1) // 2) + at(count // 2)) / 2), count

    def _raw(self, work, exclude=None):
        level, _ = self._artist_level(work["artist_id"], exclude)
        area = area_cm2(work.get("dimensions"))
        medium = (work.get("medium") or "").lower()
        row = [level, math.log(area) if area else self.median_log_area,
               math.log1p(work.get("views") or 0), math.log1p(work.get("likes") or 0),
               math.log1p(work.get("enquiries") or 0), float(bool(work.get("is_edition")))]
        row += [float(medium == name) for name in self.mediums]
        row += [float(work.get("category_id") == category) for category in self.categories]
        return row

    def _weight_vector(self):
        weights = [WEIGHTS["artist"], WEIGHTS["area"]] + [WEIGHTS["demand"]] * 3 + [WEIGHTS["edition"]]
        weights += [WEIGHTS["medium"]] * len(self.mediums) + [WEIGHTS["category"]] * len(self.categories)
        return np.array(weights)

    def suggest(self, work: dict, *, exclude_artwork: str | None = None) -> Insight:
        """The range for `work` (a dict like store.sales_analytics.work_features gives), leaving
        its own sales out of the comparables."""
        vector = self.scaler.transform([self._raw(work)]) * self.weights
        distances, indexes = self.index.kneighbors(vector, n_neighbors=min(self.k + 5, len(self.sales)))
        keep = [(d, i) for d, i in zip(distances[0], indexes[0], strict=True)
                if self.sales[i]["artwork_id"] != (exclude_artwork or work.get("artwork_id"))][:self.k]
        near = np.array([d for d, _ in keep])
        chosen = [i for _, i in keep]
        weights = 1.0 / (near + 0.05 * self.typical_distance)
        logs = self.log_prices[chosen]
        low, middle, high = (_weighted_quantile(logs, weights, q) for q in (0.25, 0.5, 0.75))
        _, own = self._artist_level(work["artist_id"])
        return Insight(round(math.exp(low), 2), round(math.exp(middle), 2), round(math.exp(high), 2),
                       self._confidence(high - low, float(near.mean()), own), self._comparables(chosen, near), own)

    def _confidence(self, log_width, mean_distance, own_sales):
        width = max(0.0, 1.0 - log_width / math.log(4))         # a range spanning 4x says little
        closeness = min(1.0, self.typical_distance / max(mean_distance, 1e-9))
        familiarity = 1.0 if own_sales >= 3 else 0.85 if own_sales else 0.6
        return round(width * (0.5 + 0.5 * closeness) * familiarity, 3)

    def _comparables(self, chosen, distances):
        return [{"artwork_id": self.sales[i]["artwork_id"], "title": self.sales[i]["title"],
                 "artist_id": self.sales[i]["artist_id"], "medium": self.sales[i]["medium"],
                 "dimensions": self.sales[i]["dimensions"], "price": round(self.sales[i]["price"], 2),
                 "sold_at": self.sales[i]["paid_at"], "distance": round(float(d), 3)}
                for i, d in zip(chosen, distances, strict=True)]


@dataclass(frozen=True)
class Evaluation:
    train: int
    held_out: int
    mape: float                 # median absolute percentage error of the suggestion
    baseline_mape: float        # the same for the median price of the work's medium
    in_range: float             # share of held-out prices inside the suggested range
    mean_confidence: float


def evaluate(sales: list[dict], held_out_share: float = 0.2) -> Evaluation:
    """Fit on the earlier sales, suggest for the latest `held_out_share` of them (by date)."""
    cut = int(len(sales) * (1 - held_out_share))
    train, test = sales[:cut], sales[cut:]
    if not test:
        raise ValueError("too few sales to hold any out")
    model = PriceModel(train)
    by_medium: dict[str, list[float]] = {}
    for sale in train:
        by_medium.setdefault((sale["medium"] or "").lower(), []).append(sale["price"])
    market = float(np.median([sale["price"] for sale in train]))
    errors, baseline, inside, confidence = [], [], 0, []
    for sale in test:
        insight = model.suggest(sale)
        errors.append(abs(insight.suggested - sale["price"]) / sale["price"])
        typical = float(np.median(by_medium.get((sale["medium"] or "").lower(), [market])))
        baseline.append(abs(typical - sale["price"]) / sale["price"])
        inside += insight.low <= sale["price"] <= insight.high
        confidence.append(insight.confidence)
    return Evaluation(len(train), len(test), float(np.median(errors)), float(np.median(baseline)),
                      inside / len(test), float(np.mean(confidence)))
