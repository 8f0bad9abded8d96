-- Copy detection (issue 6): fingerprints for the image index, its change log, and copy alerts.

-- imaging.fingerprint's hashes of the border-trimmed picture (signed 64-bit integers) and its
-- short colour vector (float32 little-endian, imaging.fingerprint.COLOUR_SIZE values). Works
-- uploaded before this table existed get theirs from `flask --app app reindex`.
CREATE TABLE image_fingerprints (
    artwork_id          TEXT PRIMARY KEY REFERENCES artworks (id) ON DELETE CASCADE,
    full_dct            INTEGER NOT NULL,
    full_gradient       INTEGER NOT NULL,
    centre_dct          INTEGER NOT NULL,
    centre_gradient     INTEGER NOT NULL,
    colour              BLOB NOT NULL
);

-- Every change the in-memory image index must see: a fingerprint added or removed, a work made
-- private or public again. Each process reads the entries past the last one it applied.
CREATE TABLE image_changes (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    artwork_id          TEXT NOT NULL
);

CREATE TRIGGER image_fingerprint_insert AFTER INSERT ON image_fingerprints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (NEW.artwork_id);
END;

CREATE TRIGGER image_fingerprint_update AFTER UPDATE ON image_fingerprints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (NEW.artwork_id);
END;

-- Also fires for the rows an artwork's deletion cascades to.
CREATE TRIGGER image_fingerprint_delete AFTER DELETE ON image_fingerprints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (OLD.artwork_id);
END;

CREATE TRIGGER image_artwork_privacy AFTER UPDATE OF availability_status ON artworks
WHEN (OLD.availability_status = 'private') <> (NEW.availability_status = 'private') BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (NEW.id);
END;

CREATE TRIGGER image_changes_prune AFTER INSERT ON image_changes WHEN NEW.seq % 1000 = 0 BEGIN
    DELETE FROM image_changes WHERE seq <= NEW.seq - 100000;
END;

-- An upload that looks like another artist's work. artwork_id is the suspected copy,
-- original_id the work it resembles; the alert goes to the original's artist (artist_id).
-- status: open until that artist dismisses it (not a copy) or confirms it.
CREATE TABLE copy_alerts (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    original_id         TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    score               REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
    evidence            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(evidence)),
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'confirmed')),
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    resolved_at         TEXT,
    UNIQUE (artwork_id, original_id)
);
CREATE INDEX copy_alerts_inbox ON copy_alerts (artist_id, status, created_at);
CREATE INDEX copy_alerts_original_id ON copy_alerts (original_id);
