-- The takedown path (issue 20): a confirmed copy alert withholds the copy, its uploader may
-- dispute once, a curator or admin decides; repeat offenders' uploads are held for review;
-- image requests from other sites are counted per work and site.

-- A copy withheld after the original's artist confirmed the alert. While status is 'withheld',
-- 'disputed' or 'removed' the copy's availability_status is 'private' (so every discovery
-- surface leaves it out, exactly as for a private work) and its uploader cannot change that;
-- previous_status is what a restore gives back.
CREATE TABLE takedowns (
    alert_id            TEXT PRIMARY KEY REFERENCES copy_alerts (id) ON DELETE CASCADE,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    original_id         TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    uploader_id         TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    claimant_id         TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    status              TEXT NOT NULL DEFAULT 'withheld'
                        CHECK (status IN ('withheld', 'disputed', 'removed', 'restored')),
    previous_status     TEXT NOT NULL,
    statement           TEXT,
    disputed_at         TEXT,
    decided_by          TEXT REFERENCES artists (id) ON DELETE SET NULL,
    decision_note       TEXT,
    decided_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX takedowns_artwork_id ON takedowns (artwork_id);
CREATE INDEX takedowns_original_id ON takedowns (original_id);
CREATE INDEX takedowns_uploader ON takedowns (uploader_id, status);
CREATE INDEX takedowns_claimant ON takedowns (claimant_id, status);
CREATE INDEX takedowns_queue ON takedowns (status, disputed_at);
CREATE INDEX takedowns_decided_by ON takedowns (decided_by);

-- An upload by an artist with several upheld takedowns, kept private until a curator or admin
-- releases it (to requested_status) or rejects it.
CREATE TABLE upload_holds (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL UNIQUE REFERENCES artworks (id) ON DELETE CASCADE,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    requested_status    TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'rejected')),
    decided_by          TEXT REFERENCES artists (id) ON DELETE SET NULL,
    decision_note       TEXT,
    decided_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX upload_holds_queue ON upload_holds (status, created_at);
CREATE INDEX upload_holds_artist_id ON upload_holds (artist_id);
CREATE INDEX upload_holds_decided_by ON upload_holds (decided_by);

-- Every step of a takedown or hold, never rewritten nor deleted: the ids are plain text so the
-- record outlives the works and accounts it names.
CREATE TABLE copyright_events (
    id                  INTEGER PRIMARY KEY,
    subject_id          TEXT NOT NULL,      -- a takedown's alert id, or an upload hold's id
    artwork_id          TEXT NOT NULL,
    actor_id            TEXT,
    action              TEXT NOT NULL CHECK (action IN ('withheld', 'disputed', 'removed', 'restored',
                                                        'held', 'released', 'rejected')),
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX copyright_events_subject ON copyright_events (subject_id, id);

CREATE TRIGGER copyright_events_no_update BEFORE UPDATE ON copyright_events BEGIN
    SELECT RAISE(ABORT, 'copyright events are append-only');
END;

CREATE TRIGGER copyright_events_no_delete BEFORE DELETE ON copyright_events BEGIN
    SELECT RAISE(ABORT, 'copyright events are append-only');
END;

-- Image requests whose Referer names another site, per work, site and day.
CREATE TABLE image_usage (
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    site                TEXT NOT NULL,
    day                 TEXT NOT NULL,
    requests            INTEGER NOT NULL DEFAULT 0,
    last_page           TEXT,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL,
    PRIMARY KEY (artwork_id, site, day)
) WITHOUT ROWID;
