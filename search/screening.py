"""Screening an exhibition submission: each artwork against the call's structured rules, and
against other artists' earlier works by copy detection.

One entry point, screen_submission(), so that organisers get one report whatever checks it holds.
The report advises; the organiser decides. Each rule's result is met (true), missed (false) or
unknown (null: the work lacks what the rule needs, such as a quality score).
"""

import re

from search import visual
from store import taxonomy, utc_now

RULES = ("allowed_mediums", "allowed_category_ids", "min_long_edge_px", "min_quality_score")
COPY_RULE = "original"
COPY_MATCH_LIMIT = 5


def _result(rule, met, detail, **extra):
    return {"rule": rule, "met": met, "detail": detail, **extra}


def _medium_matches(medium, allowed):
    """'oil' admits 'Oil on canvas': an allowed medium matches as whole words, in any case."""
    return any(re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", medium, re.IGNORECASE) for name in allowed)


def check_medium(work, allowed):
    if not work["medium"]:
        return _result("allowed_mediums", None, "The artwork names no medium.")
    met = _medium_matches(work["medium"], allowed)
    return _result("allowed_mediums", met, f"Medium “{work['medium']}” {'is' if met else 'is not'} among "
                                           f"{', '.join(allowed)}.")


def check_category(work, allowed_ids, names):
    if work["category_id"] is None:
        return _result("allowed_category_ids", None, "The artwork has no category.")
    met = work["category_id"] in allowed_ids
    return _result("allowed_category_ids", met, f"Category “{work['category_name']}” {'is' if met else 'is not'} "
                                                f"within {', '.join(names)}.")


def check_long_edge(work, minimum):
    if not work["image_width"]:
        return _result("min_long_edge_px", None, "The artwork has no image.")
    edge = max(work["image_width"], work["image_height"])
    met = edge >= minimum
    return _result("min_long_edge_px", met, f"Long edge {edge} px; at least {minimum} px wanted.", value=edge)


def check_quality(work, minimum):
    if work["quality_score"] is None:
        return _result("min_quality_score", None, "The artwork has no quality score.")
    met = work["quality_score"] >= minimum
    return _result("min_quality_score", met, f"Quality score {work['quality_score']:.2f}; at least {minimum} "
                                             "wanted.", value=round(work["quality_score"], 4))


def check_original(conn, database, work, probe):
    """Missed when the work looks like a copy of an earlier public work by another artist, unless
    that artist has dismissed the alert (told us it is not a copy)."""
    if probe is None:
        return _result(COPY_RULE, None, "The artwork's image could not be read for comparison.")
    found = visual.copies_by_others(conn, database, probe, work["artist_id"], limit=COPY_MATCH_LIMIT * 2)
    candidates = [(original_id, score) for original_id, score, _ in found]
    earlier = _earlier_and_not_dismissed(conn, work, candidates)[:COPY_MATCH_LIMIT]
    if not earlier:
        return _result(COPY_RULE, True, "No earlier work by another artist looks like this one.")
    return _result(COPY_RULE, False, f"Looks like a copy of {len(earlier)} earlier work(s) by other artists.",
                   matches=[{"artwork_id": original_id, "score": round(score, 4)} for original_id, score in earlier])


def _earlier_and_not_dismissed(conn, work, candidates):
    kept = []
    for original_id, score in candidates:
        row = conn.execute(
            "SELECT a.created_at < :created AS earlier, "
            "       EXISTS (SELECT 1 FROM copy_alerts WHERE artwork_id = :work AND original_id = a.id "
            "               AND status = 'dismissed') AS dismissed "
            "FROM artworks a WHERE a.id = :original",
            {"created": work["created_at"], "work": work["id"], "original": original_id}).fetchone()
        if row is not None and row["earlier"] and not row["dismissed"]:
            kept.append((original_id, score))
    return kept


def screen_submission(conn, database, rules, works, probes):
    """The screening report of a submission.

    rules: the exhibition's structured rules; works: the submitted artwork rows in order;
    probes: {artwork id: imaging probe of the stored original, or None when it cannot be read}.
    Opens its own read transactions (for the image index), so call it outside a write.
    """
    allowed_ids, names = _allowed_categories(conn, rules.get("allowed_category_ids"))
    report = []
    for work in works:
        results = []
        if rules.get("allowed_mediums"):
            results.append(check_medium(work, rules["allowed_mediums"]))
        if rules.get("allowed_category_ids"):
            results.append(check_category(work, allowed_ids, names))
        if rules.get("min_long_edge_px"):
            results.append(check_long_edge(work, rules["min_long_edge_px"]))
        if rules.get("min_quality_score") is not None:
            results.append(check_quality(work, rules["min_quality_score"]))
        results.append(check_original(conn, database, work, probes.get(work["id"])))
        report.append({"artwork_id": work["id"], "passed": all(r["met"] is True for r in results),
                       "rules": results})
    return {"passed": all(entry["passed"] for entry in report), "screened_at": utc_now(), "artworks": report}


def _allowed_categories(conn, category_ids):
    """The allowed categories with all their descendants, and their names for the report."""
    if not category_ids:
        return set(), []
    allowed = set()
    for category_id in category_ids:
        allowed.update(taxonomy.with_descendants(conn, category_id))
    marks = ", ".join("?" * len(category_ids))
    names = [row[0] for row in conn.execute(f"SELECT name FROM categories WHERE id IN ({marks}) ORDER BY name",
                                            list(category_ids))]
    return allowed, names
