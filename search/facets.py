"""Facet counts over a whole match set, from the in-memory index.

Counts are disjunctive: each facet counts the matches that pass every filter except its own, so
with medium=oil chosen the medium facet still shows how many watercolours there are, and
choosing one of its values never leads to zero results. Every other facet honours all filters.
Categories count their sub-categories' works too, as the category filter matches them.
Price buckets are half-open, [min, max), in the artwork's own currency.
"""

import numpy as np

from search.index import COLOUR_NAMES, normalise_label
from store.artworks import AVAILABILITY

PRICE_BUCKETS = ((0, 100), (100, 500), (500, 1000), (1000, 5000), (5000, None))
MAX_VALUES = 30  # medium and location have a long tail; the most frequent values are listed


def count(conn, index, docs, masks, filtered):
    """{facet: [{value..., count}]} for `docs` (the visible matches) under the filter `masks`;
    filtered: docs under every mask (the result set), shared by the facets with no filter of their own."""
    def chosen(own):
        return docs[passing(masks, len(docs), leave_out=own)] if own in masks else filtered

    return {
        "medium": _labelled(index.medium[chosen("medium")], index.mediums),
        "category": _categories(conn, index.category[chosen("category")]),
        "colour": _colours(index.colours[chosen("colour")]),
        "availability": _availability(index.availability[chosen("availability")]),
        "price": _prices(index.price[chosen("price")]),
        "location": _labelled(index.location[chosen("location")], index.locations),
    }


def passing(masks, size, leave_out=None):
    """The positions every mask keeps, but for the one named `leave_out`."""
    keep = np.ones(size, bool)
    for name, mask in masks.items():
        if name != leave_out:
            keep &= mask
    return keep


def _labelled(codes, table):
    counts = np.bincount(codes[codes >= 0], minlength=len(table.values))
    found = [{"value": table.display[code], "count": int(n)} for code, n in enumerate(counts) if n]
    return sorted(found, key=lambda item: (-item["count"], item["value"]))[:MAX_VALUES]


def _categories(conn, category_ids):
    categories = {row["id"]: (row["name"], row["parent_id"])
                  for row in conn.execute("SELECT id, name, parent_id FROM categories")}
    direct = np.bincount(category_ids[category_ids >= 0])
    totals = {}
    for category_id in np.flatnonzero(direct).tolist():
        n = int(direct[category_id])
        seen = set()
        while category_id in categories and category_id not in seen:
            seen.add(category_id)
            totals[category_id] = totals.get(category_id, 0) + n
            category_id = categories[category_id][1]
    found = [{"id": category_id, "name": categories[category_id][0], "parent_id": categories[category_id][1],
              "count": n} for category_id, n in totals.items()]
    return sorted(found, key=lambda item: (-item["count"], item["name"]))


def _colours(masks):
    found = [{"value": name, "count": int(((masks >> bit) & 1).sum())} for bit, name in enumerate(COLOUR_NAMES)]
    return sorted((item for item in found if item["count"]), key=lambda item: (-item["count"], item["value"]))


def _availability(codes):
    counts = np.bincount(codes.astype(np.int64), minlength=len(AVAILABILITY))
    return [{"value": name, "count": int(n)} for name, n in zip(AVAILABILITY, counts, strict=True) if n]


def _prices(prices):
    found = []
    for low, high in PRICE_BUCKETS:
        inside = (prices >= low) & (prices < high if high is not None else True)
        found.append({"min": low, "max": high, "count": int(np.count_nonzero(inside))})
    found.append({"min": None, "max": None, "count": int(np.count_nonzero(np.isnan(prices)))})
    return found


def location_codes(index, wanted):
    """Codes of the locations that equal `wanted` or have it as a comma-separated part:
    location=France matches 'Paris, France'."""
    key = normalise_label(wanted)
    return np.asarray([code for code, value in enumerate(index.locations.values)
                       if value == key or key in (part.strip() for part in value.split(","))], dtype=np.int64)
