-- Galleries, exhibitions with screened submissions, commissions and artist analytics (issue 7).

-- Gallery views, counted like artwork page views (once per viewer per 30 minutes).
CREATE TABLE gallery_views (
    id                  INTEGER PRIMARY KEY,
    gallery_id          TEXT NOT NULL REFERENCES galleries (id) ON DELETE CASCADE,
    viewer_key          TEXT NOT NULL,
    viewed_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX gallery_views_gallery_viewer ON gallery_views (gallery_id, viewer_key, viewed_at);

CREATE TRIGGER gallery_views_count_insert AFTER INSERT ON gallery_views BEGIN
    UPDATE galleries SET view_count = view_count + 1 WHERE id = NEW.gallery_id;
END;

-- A cover is one of the gallery's own works: taking the work out takes the cover away too
-- (the gallery then shows its first work), as deleting the work does by ON DELETE SET NULL.
CREATE TRIGGER gallery_artworks_cover_removed AFTER DELETE ON gallery_artworks BEGIN
    UPDATE galleries SET cover_artwork_id = NULL
    WHERE id = OLD.gallery_id AND cover_artwork_id = OLD.artwork_id;
END;

-- A work leaving a gallery (taken out, or deleted altogether) closes its gap, so positions stay
-- 1..n. Skipped while the gallery itself is being deleted: nothing is left to renumber.
CREATE TRIGGER gallery_artworks_close_gap AFTER DELETE ON gallery_artworks
WHEN EXISTS (SELECT 1 FROM galleries WHERE id = OLD.gallery_id) BEGIN
    UPDATE gallery_artworks SET position = position - 1
    WHERE gallery_id = OLD.gallery_id AND position > OLD.position;
END;

-- Structured entry rules: {"max_artworks_per_artist", "allowed_mediums", "allowed_category_ids",
-- "min_long_edge_px", "min_quality_score"}, each optional; screening checks submissions against them.
ALTER TABLE exhibitions ADD COLUMN rules TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(rules) AND json_type(rules) = 'object');
ALTER TABLE exhibitions ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'
    CHECK (length(currency) = 3 AND currency = upper(currency));

-- screening: the automatic report (each artwork, each rule met or missed); review_note and
-- reviewed_at: the organiser's decision.
ALTER TABLE exhibition_submissions ADD COLUMN screening TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(screening) AND json_type(screening) = 'object');
ALTER TABLE exhibition_submissions ADD COLUMN review_note TEXT;
ALTER TABLE exhibition_submissions ADD COLUMN reviewed_at TEXT;
ALTER TABLE exhibition_submissions ADD COLUMN updated_at TEXT;
CREATE INDEX exhibition_submissions_exhibition_status ON exhibition_submissions (exhibition_id, status, submitted_at);

-- The works of each submission as rows, kept from its artwork_ids JSON by the triggers below, so
-- that an artwork's exhibition history is an index lookup rather than a scan of every submission.
CREATE TABLE exhibition_submission_artworks (
    submission_id       TEXT NOT NULL REFERENCES exhibition_submissions (id) ON DELETE CASCADE,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    PRIMARY KEY (submission_id, artwork_id)
);
CREATE INDEX exhibition_submission_artworks_artwork_id ON exhibition_submission_artworks (artwork_id);

CREATE TRIGGER exhibition_submission_artworks_insert AFTER INSERT ON exhibition_submissions BEGIN
    INSERT OR IGNORE INTO exhibition_submission_artworks (submission_id, artwork_id)
    SELECT NEW.id, j.value FROM json_each(NEW.artwork_ids) j WHERE j.value IN (SELECT id FROM artworks);
END;

CREATE TRIGGER exhibition_submission_artworks_update AFTER UPDATE OF artwork_ids ON exhibition_submissions BEGIN
    DELETE FROM exhibition_submission_artworks WHERE submission_id = NEW.id;
    INSERT OR IGNORE INTO exhibition_submission_artworks (submission_id, artwork_id)
    SELECT NEW.id, j.value FROM json_each(NEW.artwork_ids) j WHERE j.value IN (SELECT id FROM artworks);
END;

INSERT OR IGNORE INTO exhibition_submission_artworks (submission_id, artwork_id)
SELECT s.id, j.value FROM exhibition_submissions s, json_each(s.artwork_ids) j
WHERE j.value IN (SELECT id FROM artworks);

-- Commissions: the budget's currency, and every event (request, each status change, each
-- progress note) in order. progress_notes holds the notes as a JSON array of
-- {"at", "author_id", "note"}, appended by trigger from the events, never rewritten.
ALTER TABLE commissions ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'
    CHECK (length(currency) = 3 AND currency = upper(currency));

UPDATE commissions SET progress_notes = json_array(json_object('at', updated_at, 'author_id', NULL,
                                                               'note', progress_notes))
WHERE progress_notes IS NOT NULL AND NOT json_valid(progress_notes);

CREATE TABLE commission_events (
    id                  INTEGER PRIMARY KEY,
    commission_id       TEXT NOT NULL REFERENCES commissions (id) ON DELETE CASCADE,
    actor_id            TEXT REFERENCES artists (id) ON DELETE SET NULL,
    -- 'requested' and each status reached, or 'note' for a progress note.
    kind                TEXT NOT NULL CHECK (kind IN ('requested', 'accepted', 'in_progress', 'completed',
                                                      'cancelled', 'note')),
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX commission_events_commission_id ON commission_events (commission_id, id);
CREATE INDEX commission_events_actor_id ON commission_events (actor_id);

CREATE TRIGGER commission_events_append_only BEFORE UPDATE ON commission_events BEGIN
    SELECT RAISE(ABORT, 'commission events are never rewritten');
END;

CREATE TRIGGER commission_events_note AFTER INSERT ON commission_events WHEN NEW.kind = 'note' BEGIN
    UPDATE commissions
    SET progress_notes = json_insert(coalesce(progress_notes, '[]'), '$[#]',
                                     json_object('at', NEW.created_at, 'author_id', NEW.actor_id, 'note', NEW.note))
    WHERE id = NEW.commission_id;
END;

INSERT INTO commission_events (commission_id, actor_id, kind, created_at)
SELECT id, client_id, 'requested', created_at FROM commissions;

-- Notifications about a commission or an exhibition (subject_id) go with it.
CREATE INDEX notifications_subject_id ON notifications (subject_id) WHERE subject_id IS NOT NULL;

CREATE TRIGGER commissions_notifications_delete AFTER DELETE ON commissions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'commission';
END;

CREATE TRIGGER exhibitions_notifications_delete AFTER DELETE ON exhibitions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'exhibition';
END;

-- Analytics: what happened to an artist's works, galleries and following, one row per event,
-- written by triggers as it happens. Nobody's own actions count, and a like toggled on and off,
-- a re-follow or an unfollow repeated is recorded once a day per person (actor_key: an account id
-- or an anonymous viewer's key) and work.
-- artwork_id and gallery_id are cleared when those are deleted, so daily totals keep their history.
CREATE TABLE activity_events (
    id                  INTEGER PRIMARY KEY,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('view', 'image_view', 'like', 'comment', 'share', 'follow',
                                                      'unfollow', 'gallery_view')),
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE SET NULL,
    gallery_id          TEXT REFERENCES galleries (id) ON DELETE SET NULL,
    actor_key           TEXT,
    occurred_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX activity_events_artist_occurred ON activity_events (artist_id, occurred_at, kind);
CREATE INDEX activity_events_artwork_id ON activity_events (artwork_id);
CREATE INDEX activity_events_gallery_id ON activity_events (gallery_id);
-- Finds a person's earlier like or follow of the day, so that toggling counts once.
CREATE INDEX activity_events_actor ON activity_events (actor_key, kind, occurred_at);

-- Daily totals kept from activity_events by trigger: per artist and kind (the series), and per
-- work or gallery (subject_id) for top works and gallery views. A dashboard then reads at most
-- days × kinds rows for its series, however busy the artist; the events keep the timestamps.
CREATE TABLE activity_daily (
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    day                 TEXT NOT NULL,  -- DATE
    kind                TEXT NOT NULL,
    count               INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (artist_id, day, kind)
) WITHOUT ROWID;

-- subject_id is plain text, not a foreign key: a deleted work's days stay in the history.
CREATE TABLE activity_daily_subjects (
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    day                 TEXT NOT NULL,  -- DATE
    kind                TEXT NOT NULL,
    subject_id          TEXT NOT NULL,
    count               INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (artist_id, day, kind, subject_id)
) WITHOUT ROWID;

CREATE TRIGGER activity_daily_insert AFTER INSERT ON activity_events BEGIN
    INSERT INTO activity_daily (artist_id, day, kind, count)
    VALUES (NEW.artist_id, substr(NEW.occurred_at, 1, 10), NEW.kind, 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
    INSERT INTO activity_daily_subjects (artist_id, day, kind, subject_id, count)
    SELECT NEW.artist_id, substr(NEW.occurred_at, 1, 10), NEW.kind, coalesce(NEW.artwork_id, NEW.gallery_id), 1
    WHERE coalesce(NEW.artwork_id, NEW.gallery_id) IS NOT NULL
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER activity_artwork_view AFTER INSERT ON artwork_views BEGIN
    INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
    SELECT artist_id, CASE NEW.kind WHEN 'image' THEN 'image_view' ELSE 'view' END, id, NEW.viewer_key, NEW.viewed_at
    FROM artworks WHERE id = NEW.artwork_id AND artist_id <> NEW.viewer_key;
END;

CREATE TRIGGER activity_like AFTER INSERT ON artwork_likes BEGIN
    INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
    SELECT artist_id, 'like', id, NEW.user_id, NEW.liked_at FROM artworks
    WHERE id = NEW.artwork_id AND artist_id <> NEW.user_id
      AND NOT EXISTS (SELECT 1 FROM activity_events e
                      WHERE e.actor_key = NEW.user_id AND e.kind = 'like' AND e.artwork_id = NEW.artwork_id
                        AND e.occurred_at >= substr(NEW.liked_at, 1, 10));
END;

CREATE TRIGGER activity_comment AFTER INSERT ON artwork_comments BEGIN
    INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
    SELECT artist_id, 'comment', id, NEW.commenter_id, NEW.created_at FROM artworks
    WHERE id = NEW.artwork_id AND artist_id IS NOT NEW.commenter_id;
END;

CREATE TRIGGER activity_share AFTER INSERT ON artwork_shares BEGIN
    INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
    SELECT artist_id, 'share', id, NEW.viewer_key, NEW.shared_at FROM artworks
    WHERE id = NEW.artwork_id AND artist_id IS NOT NEW.user_id;
END;

CREATE TRIGGER activity_follow AFTER INSERT ON artist_follows BEGIN
    INSERT INTO activity_events (artist_id, kind, actor_key, occurred_at)
    SELECT id, 'follow', NEW.follower_id, NEW.followed_at FROM artists
    WHERE id = NEW.following_id
      AND NOT EXISTS (SELECT 1 FROM activity_events e
                      WHERE e.actor_key = NEW.follower_id AND e.kind = 'follow' AND e.artist_id = NEW.following_id
                        AND e.occurred_at >= substr(NEW.followed_at, 1, 10));
END;

CREATE TRIGGER activity_unfollow AFTER DELETE ON artist_follows BEGIN
    INSERT INTO activity_events (artist_id, kind, actor_key)
    SELECT id, 'unfollow', OLD.follower_id FROM artists
    WHERE id = OLD.following_id
      AND NOT EXISTS (SELECT 1 FROM activity_events e
                      WHERE e.actor_key = OLD.follower_id AND e.kind = 'unfollow' AND e.artist_id = OLD.following_id
                        AND e.occurred_at >= strftime('%Y-%m-%d', 'now'));
END;

CREATE TRIGGER activity_gallery_view AFTER INSERT ON gallery_views BEGIN
    INSERT INTO activity_events (artist_id, kind, gallery_id, actor_key, occurred_at)
    SELECT artist_id, 'gallery_view', id, NEW.viewer_key, NEW.viewed_at FROM galleries
    WHERE id = NEW.gallery_id AND artist_id <> NEW.viewer_key;
END;

-- The history an older database already holds (likes and follows still standing; every view,
-- comment and share).
INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
SELECT a.artist_id, CASE v.kind WHEN 'image' THEN 'image_view' ELSE 'view' END, a.id, v.viewer_key, v.viewed_at
FROM artwork_views v JOIN artworks a ON a.id = v.artwork_id WHERE a.artist_id <> v.viewer_key;

INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
SELECT a.artist_id, 'like', a.id, l.user_id, l.liked_at
FROM artwork_likes l JOIN artworks a ON a.id = l.artwork_id WHERE a.artist_id <> l.user_id;

INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
SELECT a.artist_id, 'comment', a.id, c.commenter_id, c.created_at
FROM artwork_comments c JOIN artworks a ON a.id = c.artwork_id WHERE a.artist_id IS NOT c.commenter_id;

INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at)
SELECT a.artist_id, 'share', a.id, s.viewer_key, s.shared_at
FROM artwork_shares s JOIN artworks a ON a.id = s.artwork_id WHERE a.artist_id IS NOT s.user_id;

INSERT INTO activity_events (artist_id, kind, actor_key, occurred_at)
SELECT following_id, 'follow', follower_id, followed_at FROM artist_follows;
