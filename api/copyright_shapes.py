"""Copy alerts and takedowns as the API shows them: shared by the copyright routes and the
moderation queue, where disputed takedowns wait for a decision."""

from typing import Any, Literal

from pydantic import Field

from api.db import get_db
from api.shapes import ArtworkSummary, Shape, summaries
from store import copyright


class CopyEvent(Shape):
    action: str
    actor_id: str | None
    note: str | None
    created_at: str


class Takedown(Shape):
    id: str = Field(description="The id of the copy alert it started from.")
    status: Literal["withheld", "disputed", "removed", "restored"]
    copy_: ArtworkSummary | None = Field(alias="copy")
    original: ArtworkSummary | None
    uploader_id: str
    claimant_id: str
    statement: str | None
    disputed_at: str | None
    decision_note: str | None
    decided_at: str | None
    created_at: str
    events: list[CopyEvent]


class CopyAlert(Shape):
    id: str
    status: str
    score: float
    evidence: dict[str, Any]
    original: ArtworkSummary | None
    copy_: ArtworkSummary | None = Field(alias="copy")
    note: str | None
    created_at: str
    resolved_at: str | None
    takedown: Takedown | None
    evidence_url: str




def takedown_json(takedown, shown=None):
    shown = shown if shown is not None else summaries([takedown["artwork_id"], takedown["original_id"]])
    return {"id": takedown["alert_id"], "status": takedown["status"], "copy": shown.get(takedown["artwork_id"]),
            "original": shown.get(takedown["original_id"]), "uploader_id": takedown["uploader_id"],
            "claimant_id": takedown["claimant_id"], "statement": takedown["statement"],
            "disputed_at": takedown["disputed_at"], "decision_note": takedown["decision_note"],
            "decided_at": takedown["decided_at"], "created_at": takedown["created_at"],
            "events": copyright.events_of(get_db(), takedown["alert_id"])}


def copy_alert_json(alert, shown):
    takedown = copyright.get_takedown(get_db(), alert["id"])
    return {"id": alert["id"], "status": alert["status"], "score": alert["score"], "evidence": alert["evidence"],
            "original": shown.get(alert["original_id"]), "copy": shown.get(alert["artwork_id"]),
            "note": alert["note"], "created_at": alert["created_at"], "resolved_at": alert["resolved_at"],
            "takedown": takedown_json(takedown, shown) if takedown else None,
            "evidence_url": f"/api/copyright/alerts/{alert['id']}/evidence.png"}
