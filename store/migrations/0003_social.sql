-- Version 3: the social graph. Threaded comments that can be deleted while their replies stay,
-- counted shares, notifications, and the indexes the following feed reads.

-- Comments: depth (0 for a comment on the artwork, 1..5 for replies), the thread's root so that a
-- page of threads is read in one query, and soft deletion for comments that still have replies.
ALTER TABLE artwork_comments ADD COLUMN depth INTEGER NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 5);
ALTER TABLE artwork_comments ADD COLUMN thread_id TEXT;
ALTER TABLE artwork_comments ADD COLUMN deleted_at TEXT;

WITH RECURSIVE tree (id, depth, thread_id) AS (
    SELECT id, 0, id FROM artwork_comments WHERE parent_comment_id IS NULL
    UNION ALL
    SELECT c.id, min(tree.depth + 1, 5), tree.thread_id
    FROM artwork_comments c JOIN tree ON c.parent_comment_id = tree.id
)
UPDATE artwork_comments
SET depth = (SELECT depth FROM tree WHERE tree.id = artwork_comments.id),
    thread_id = (SELECT thread_id FROM tree WHERE tree.id = artwork_comments.id);

CREATE INDEX artwork_comments_thread_id ON artwork_comments (thread_id, created_at);

-- comment_count counts the comments people can read: a soft-deleted one stops counting when it is
-- deleted, and must not be subtracted a second time when its empty shell is removed later.
DROP TRIGGER artwork_comments_count_delete;
CREATE TRIGGER artwork_comments_count_delete AFTER DELETE ON artwork_comments
WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE artworks SET comment_count = comment_count - 1 WHERE id = OLD.artwork_id;
END;

CREATE TRIGGER artwork_comments_count_soft_delete AFTER UPDATE OF deleted_at ON artwork_comments
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE artworks SET comment_count = comment_count - 1 WHERE id = NEW.artwork_id;
END;

-- Shares ------------------------------------------------------------------------------------

ALTER TABLE artworks ADD COLUMN share_count INTEGER NOT NULL DEFAULT 0 CHECK (share_count >= 0);

-- One row per counted share. viewer_key is the account id, or a hash of address and user agent,
-- so that one visitor pressing a share button repeatedly counts once per channel and window.
CREATE TABLE artwork_shares (
    id                  INTEGER PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    user_id             TEXT REFERENCES artists (id) ON DELETE SET NULL,
    viewer_key          TEXT NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('x', 'facebook', 'linkedin', 'pinterest', 'reddit',
                                                         'whatsapp', 'telegram', 'email', 'link', 'embed',
                                                         'other')),
    shared_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX artwork_shares_artwork_viewer ON artwork_shares (artwork_id, viewer_key, channel, shared_at);
CREATE INDEX artwork_shares_shared_at ON artwork_shares (shared_at);
CREATE INDEX artwork_shares_user_id ON artwork_shares (user_id);

CREATE TRIGGER artwork_shares_count_insert AFTER INSERT ON artwork_shares BEGIN
    UPDATE artworks SET share_count = share_count + 1 WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER artwork_shares_count_delete AFTER DELETE ON artwork_shares BEGIN
    UPDATE artworks SET share_count = share_count - 1 WHERE id = OLD.artwork_id;
END;

-- Notifications -----------------------------------------------------------------------------

-- kind names what happened; actor_id who did it (NULL for the system, as for copy alerts);
-- artwork_id and comment_id what it is about; subject_id a row of another table for kinds that
-- need one (a commission, a submission, a copy alert). A notification disappears with its subject.
CREATE TABLE notifications (
    id                  TEXT PRIMARY KEY,
    recipient_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'reply', 'follow', 'commission',
                                                      'exhibition', 'copy_alert')),
    actor_id            TEXT REFERENCES artists (id) ON DELETE CASCADE,
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE CASCADE,
    comment_id          TEXT REFERENCES artwork_comments (id) ON DELETE CASCADE,
    subject_id          TEXT,
    data                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object'),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    read_at             TEXT
);
-- Serves "unread first, newest first" and the unread count without sorting.
CREATE INDEX notifications_recipient_inbox ON notifications (recipient_id, read_at IS NULL, created_at);
CREATE INDEX notifications_actor_id ON notifications (actor_id);
CREATE INDEX notifications_artwork_id ON notifications (artwork_id);
CREATE INDEX notifications_comment_id ON notifications (comment_id);

-- The following feed: each followed artist's public works newest first, read from the index alone.
-- With LIMIT, SQLite stops reading an artist once that artist can no longer reach the page.
CREATE INDEX artworks_public_by_artist ON artworks (artist_id, created_at, id)
    WHERE availability_status <> 'private';

-- Whom someone follows, most recent first (the PRIMARY KEY serves lookups, not this order).
CREATE INDEX artist_follows_follower_id ON artist_follows (follower_id, followed_at);
