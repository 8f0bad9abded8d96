-- Ranking: curator versions of the featured settings, computed lists per period, feed snapshots.

-- Every saved version of the featured ranking's settings, newest live. Append-only (a rollback
-- saves an older config again as a new version), except that an author's account may go.
CREATE TABLE featured_configs (
    version             INTEGER PRIMARY KEY,
    config              TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
    author_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    note                TEXT NOT NULL DEFAULT '',
    -- A version saved over the gate's objection carries force = 1 and the curator's reason.
    forced              INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    reason              TEXT,
    -- The offline evaluation that the gate ran: both configs' figures.
    evaluation          TEXT CHECK (evaluation IS NULL OR json_valid(evaluation)),
    rollback_of         INTEGER REFERENCES featured_configs (version),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (forced = 0 OR length(reason) > 0)
);
CREATE INDEX featured_configs_author_id ON featured_configs (author_id);
CREATE INDEX featured_configs_rollback_of ON featured_configs (rollback_of);

CREATE TRIGGER featured_configs_append_only
BEFORE UPDATE OF version, config, note, forced, reason, evaluation, rollback_of, created_at ON featured_configs
BEGIN
    SELECT RAISE(ABORT, 'featured config versions are append-only');
END;

CREATE TRIGGER featured_configs_no_delete BEFORE DELETE ON featured_configs BEGIN
    SELECT RAISE(ABORT, 'featured config versions are append-only');
END;

-- A computed list (featured works, rising artists, trending works and tags) for one period and
-- config version, so that every server process serves the same list for the whole period. Past
-- featured lists tell which artists were featured lately (artist novelty).
CREATE TABLE ranking_snapshots (
    list                TEXT NOT NULL,
    period_start        TEXT NOT NULL,
    config_version      INTEGER NOT NULL,
    computed_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    items               TEXT NOT NULL CHECK (json_valid(items) AND json_type(items) = 'array'),
    PRIMARY KEY (list, period_start, config_version)
) WITHOUT ROWID;

-- One ranked personal feed as first served: later pages read it, so new works and new likes by
-- others cannot shuffle what the reader is scrolling through. Pruned after a day.
CREATE TABLE feed_snapshots (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    items               TEXT NOT NULL CHECK (json_valid(items) AND json_type(items) = 'array')
);
CREATE INDEX feed_snapshots_user_id ON feed_snapshots (user_id, created_at);
CREATE INDEX feed_snapshots_created_at ON feed_snapshots (created_at);

-- Each process loads the last months of events across all artists (recommend.activity).
CREATE INDEX activity_events_occurred_at ON activity_events (occurred_at);
