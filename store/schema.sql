-- Easel schema: the complete, current shape of the database.
--
-- A fresh database is created from this file in one transaction. An existing database is
-- brought up to date by the numbered files in store/migrations/ instead, so every change
-- here needs a migration with the same effect (PRAGMA user_version records the version).
--
-- Conventions:
-- * Timestamps are UTC text in ISO 8601 with milliseconds ('2026-11-24T09:30:00.123Z'), so
--   they sort as text and compare with strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days').
-- * Counters are maintained by the triggers at the end of this file, never written from Python,
--   so they stay exact whichever path (including ON DELETE CASCADE) adds or removes a row.
-- * JSON columns carry json_valid() checks; enumerations carry CHECK constraints.

-- Accounts --------------------------------------------------------------------------------

-- SPEC calls this table Artists; collectors have accounts here too (account_type).
CREATE TABLE artists (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE COLLATE NOCASE
                        CHECK (length(username) BETWEEN 3 AND 30),
    email               TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash       TEXT NOT NULL,
    artist_name         TEXT NOT NULL,
    bio                 TEXT,
    location            TEXT,
    specialties         TEXT NOT NULL DEFAULT '[]'
                        CHECK (json_valid(specialties) AND json_type(specialties) = 'array'),
    social_links        TEXT NOT NULL DEFAULT '{}'
                        CHECK (json_valid(social_links) AND json_type(social_links) = 'object'),
    contact_info        TEXT,
    profile_image_url   TEXT,
    account_type        TEXT NOT NULL DEFAULT 'artist'
                        CHECK (account_type IN ('artist', 'collector')),
    role                TEXT NOT NULL DEFAULT 'user'
                        CHECK (role IN ('user', 'curator', 'admin')),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_login_at       TEXT,
    follower_count      INTEGER NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
    following_count     INTEGER NOT NULL DEFAULT 0 CHECK (following_count >= 0),
    artwork_count       INTEGER NOT NULL DEFAULT 0 CHECK (artwork_count >= 0),
    -- Critique standing (issue 23), kept by the critiques triggers.
    critiques_given     INTEGER NOT NULL DEFAULT 0 CHECK (critiques_given >= 0),
    helpful_received    INTEGER NOT NULL DEFAULT 0 CHECK (helpful_received >= 0)
);
CREATE INDEX artists_created_at ON artists (created_at);
CREATE INDEX artists_follower_count ON artists (follower_count);

-- Server-side sessions: the signed cookie carries a random token; only its SHA-256 is stored,
-- so a copy of the database does not hand out live sessions. Deleting the row revokes it.
CREATE TABLE sessions (
    token_hash          TEXT PRIMARY KEY,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at          TEXT NOT NULL,
    ip                  TEXT,
    user_agent          TEXT
);
CREATE INDEX sessions_artist_id ON sessions (artist_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- One row per account, created with it: the "empty portfolio" of registration.
CREATE TABLE portfolio_settings (
    artist_id           TEXT PRIMARY KEY REFERENCES artists (id) ON DELETE CASCADE,
    theme               TEXT NOT NULL DEFAULT 'minimal'
                        CHECK (theme IN ('minimal', 'classic', 'dark', 'bold', 'editorial', 'monochrome')),
    layout              TEXT NOT NULL DEFAULT 'grid'
                        CHECK (layout IN ('grid', 'masonry', 'slideshow')),
    accent_color        TEXT NOT NULL DEFAULT '#1f2937'
                        CHECK (length(accent_color) = 7 AND accent_color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    featured_gallery_id TEXT REFERENCES galleries (id) ON DELETE SET NULL,
    watermark_enabled   INTEGER NOT NULL DEFAULT 0 CHECK (watermark_enabled IN (0, 1)),
    watermark_text      TEXT,
    watermark_opacity   REAL NOT NULL DEFAULT 0.3 CHECK (watermark_opacity BETWEEN 0 AND 1),
    watermark_position  TEXT NOT NULL DEFAULT 'bottom-right'
                        CHECK (watermark_position IN ('top-left', 'top-right', 'bottom-left',
                                                      'bottom-right', 'center', 'tiled')),
    open_for_commissions INTEGER NOT NULL DEFAULT 0 CHECK (open_for_commissions IN (0, 1)),
    -- 0 keeps the account out of GET /api/artists and artist search (a collector's privacy).
    listed_in_directory INTEGER NOT NULL DEFAULT 1 CHECK (listed_in_directory IN (0, 1)),
    -- 1: a new message's notification quotes its text (off by default: notifications travel further).
    message_previews    INTEGER NOT NULL DEFAULT 0 CHECK (message_previews IN (0, 1)),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX portfolio_settings_featured_gallery_id ON portfolio_settings (featured_gallery_id);

-- Artworks and categorisation ---------------------------------------------------------

CREATE TABLE categories (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description         TEXT,
    -- A category with children cannot be deleted until they are moved or deleted.
    parent_id           INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
    artwork_count       INTEGER NOT NULL DEFAULT 0 CHECK (artwork_count >= 0),
    -- What GET /api/categories shows: a count with private works in it would reveal them.
    public_artwork_count INTEGER NOT NULL DEFAULT 0 CHECK (public_artwork_count >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- 'category' (discipline, genre) or 'medium' (material); artworks name their medium as text.
    kind                TEXT NOT NULL DEFAULT 'category' CHECK (kind IN ('category', 'medium')),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX categories_parent_id ON categories (parent_id);

CREATE TABLE artworks (
    id                  TEXT PRIMARY KEY,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    category_id         INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    title               TEXT NOT NULL,
    description         TEXT,
    medium              TEXT,
    dimensions          TEXT,
    creation_date       TEXT,  -- DATE, 'YYYY-MM-DD'
    -- Paths relative to the media folder: the original upload and its medium JPEG thumbnail.
    image_path          TEXT,
    thumbnail_path      TEXT,
    file_size           INTEGER CHECK (file_size IS NULL OR file_size >= 0),
    image_width         INTEGER CHECK (image_width IS NULL OR image_width > 0),
    image_height        INTEGER CHECK (image_height IS NULL OR image_height > 0),
    price               NUMERIC CHECK (price IS NULL OR price >= 0),
    currency            TEXT NOT NULL DEFAULT 'USD'
                        CHECK (length(currency) = 3 AND currency = upper(currency)),
    -- 'private' makes an artwork visible to its owner only.
    availability_status TEXT NOT NULL DEFAULT 'available'
                        CHECK (availability_status IN ('available', 'sold', 'exhibition', 'private')),
    view_count          INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    like_count          INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    comment_count       INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- The content address of the original (media files are shared by identical uploads).
    image_sha256        TEXT CHECK (image_sha256 IS NULL OR length(image_sha256) = 64),
    image_format        TEXT,  -- MIME type sniffed from the bytes
    image_view_count    INTEGER NOT NULL DEFAULT 0 CHECK (image_view_count >= 0),
    exif                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(exif) AND json_type(exif) = 'object'),
    quality             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(quality) AND json_type(quality) = 'object'),
    quality_score       REAL CHECK (quality_score IS NULL OR quality_score BETWEEN 0 AND 1),
    share_count         INTEGER NOT NULL DEFAULT 0 CHECK (share_count >= 0),
    -- An edition of N prints (NULL: an original, which sells once); editions_remaining is kept by
    -- the orders triggers (issue 21).
    edition_size        INTEGER CHECK (edition_size IS NULL OR edition_size BETWEEN 1 AND 1000000),
    editions_remaining  INTEGER CHECK (editions_remaining IS NULL OR editions_remaining >= 0),
    -- Structured critique (issue 23): asked for, with the artist's questions; the count by trigger.
    critique_requested  INTEGER NOT NULL DEFAULT 0 CHECK (critique_requested IN (0, 1)),
    critique_questions  TEXT NOT NULL DEFAULT '[]'
                        CHECK (json_valid(critique_questions) AND json_type(critique_questions) = 'array'),
    critique_requested_at TEXT,
    critique_count      INTEGER NOT NULL DEFAULT 0 CHECK (critique_count >= 0)
);
CREATE INDEX artworks_artist_id_created_at ON artworks (artist_id, created_at);
CREATE INDEX artworks_category_id ON artworks (category_id);
CREATE INDEX artworks_created_at ON artworks (created_at);
CREATE INDEX artworks_like_count ON artworks (like_count);
CREATE INDEX artworks_price ON artworks (price);
CREATE INDEX artworks_title ON artworks (title COLLATE NOCASE);
CREATE INDEX artworks_availability_status ON artworks (availability_status);
CREATE INDEX artworks_image_sha256 ON artworks (image_sha256);
CREATE INDEX artworks_medium ON artworks (medium COLLATE NOCASE);
-- The following feed: each followed artist's public works newest first, read from the index alone.
-- With LIMIT, SQLite stops reading an artist once that artist can no longer reach the page.
CREATE INDEX artworks_public_by_artist ON artworks (artist_id, created_at, id)
    WHERE availability_status <> 'private';

CREATE TABLE tags (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
    usage_count         INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX tags_usage_count ON tags (usage_count);

CREATE TABLE artwork_tags (
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    tag_id              INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    tagged_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- 'artist' for tags the artist gave, 'colour' for the palette's automatic colour tags.
    source              TEXT NOT NULL DEFAULT 'artist' CHECK (source IN ('artist', 'colour')),
    PRIMARY KEY (artwork_id, tag_id)
);
CREATE INDEX artwork_tags_tag_id ON artwork_tags (tag_id, tagged_at);

-- Image analysis, one row per artwork, written with it by the upload pipeline ----------------

-- Perceptual hashes as signed 64-bit integers (two's complement) and the HSV colour histogram
-- (float32 little-endian, imaging.analysis.HISTOGRAM_SIZE values) for similarity and copy checks.
CREATE TABLE image_features (
    artwork_id          TEXT PRIMARY KEY REFERENCES artworks (id) ON DELETE CASCADE,
    phash               INTEGER NOT NULL,
    dhash               INTEGER NOT NULL,
    whash               INTEGER NOT NULL,
    colorhash           INTEGER NOT NULL,
    histogram           BLOB NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX image_features_phash ON image_features (phash);

-- The dominant colours, largest share first.
CREATE TABLE artwork_colours (
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    rank                INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 16),
    hex                 TEXT NOT NULL CHECK (length(hex) = 7 AND hex GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    share               REAL NOT NULL CHECK (share BETWEEN 0 AND 1),
    name                TEXT NOT NULL,
    PRIMARY KEY (artwork_id, rank)
);
CREATE INDEX artwork_colours_name ON artwork_colours (name, artwork_id);

-- Counted views: 'page' (artwork details, at most once per viewer per 30 minutes) and 'image'
-- (full-size image fetches). viewer_key is the account id, or a hash of address and user agent.
CREATE TABLE artwork_views (
    id                  INTEGER PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    viewer_key          TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('page', 'image')),
    viewed_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX artwork_views_artwork_viewer ON artwork_views (artwork_id, viewer_key, kind, viewed_at);
CREATE INDEX artwork_views_viewed_at ON artwork_views (viewed_at);

-- Galleries ---------------------------------------------------------------------------

CREATE TABLE galleries (
    id                  TEXT PRIMARY KEY,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    description         TEXT,
    theme               TEXT,
    visibility          TEXT NOT NULL DEFAULT 'public'
                        CHECK (visibility IN ('public', 'private', 'unlisted')),
    cover_artwork_id    TEXT REFERENCES artworks (id) ON DELETE SET NULL,
    artwork_count       INTEGER NOT NULL DEFAULT 0 CHECK (artwork_count >= 0),
    view_count          INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX galleries_artist_id_updated_at ON galleries (artist_id, updated_at);
CREATE INDEX galleries_cover_artwork_id ON galleries (cover_artwork_id);

CREATE TABLE gallery_artworks (
    gallery_id          TEXT NOT NULL REFERENCES galleries (id) ON DELETE CASCADE,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL CHECK (position >= 1),
    added_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (gallery_id, artwork_id)
);
CREATE INDEX gallery_artworks_gallery_position ON gallery_artworks (gallery_id, position);
CREATE INDEX gallery_artworks_artwork_id ON gallery_artworks (artwork_id);

-- Social ------------------------------------------------------------------------------

CREATE TABLE artwork_likes (
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    user_id             TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    liked_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (artwork_id, user_id)
);
CREATE INDEX artwork_likes_user_id ON artwork_likes (user_id, liked_at);
CREATE INDEX artwork_likes_artwork_liked_at ON artwork_likes (artwork_id, liked_at);

CREATE TABLE artwork_comments (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    -- NULL once the commenter's account is gone; the comment stays for the thread's sake.
    commenter_id        TEXT REFERENCES artists (id) ON DELETE SET NULL,
    comment_text        TEXT NOT NULL CHECK (length(comment_text) BETWEEN 1 AND 2000),
    parent_comment_id   TEXT REFERENCES artwork_comments (id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- 0 for a comment on the artwork, 1..5 for replies (deeper replies attach higher up).
    depth               INTEGER NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 5),
    -- The root of the thread (its own id for a root), so a page of threads is read in one query.
    thread_id           TEXT,
    -- A deleted comment that still has replies stays as a shell, its text erased.
    deleted_at          TEXT
);
CREATE INDEX artwork_comments_artwork_created_at ON artwork_comments (artwork_id, created_at);
CREATE INDEX artwork_comments_parent_comment_id ON artwork_comments (parent_comment_id);
CREATE INDEX artwork_comments_commenter_id ON artwork_comments (commenter_id);
CREATE INDEX artwork_comments_thread_id ON artwork_comments (thread_id, created_at);

CREATE TABLE artist_follows (
    follower_id         TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    following_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    followed_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (follower_id, following_id),
    CHECK (follower_id <> following_id)
);
CREATE INDEX artist_follows_following_id ON artist_follows (following_id, followed_at);
-- Whom someone follows, most recent first (the PRIMARY KEY serves lookups, not this order).
CREATE INDEX artist_follows_follower_id ON artist_follows (follower_id, followed_at);

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

-- kind names what happened; actor_id who did it (NULL for the system, as for copy alerts);
-- artwork_id and comment_id what it is about; subject_id a row of another table for kinds that
-- need one (a commission, a submission, a copy alert). A notification disappears with its subject.
CREATE TABLE notifications (
    id                  TEXT PRIMARY KEY,
    recipient_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'reply', 'follow', 'commission',
                                                      'exhibition', 'copy_alert', 'enquiry', 'offer',
                                                      'order', 'license',
                                                      'message', 'critique', 'mentorship')),
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

-- Exhibitions and commissions -----------------------------------------------------------

CREATE TABLE exhibitions (
    id                  TEXT PRIMARY KEY,
    -- The exhibition and its submissions outlive the organiser's account.
    organizer_id        TEXT REFERENCES artists (id) ON DELETE SET NULL,
    title               TEXT NOT NULL,
    description         TEXT,
    submission_deadline TEXT,  -- DATE
    exhibition_start    TEXT,  -- DATE
    exhibition_end      TEXT,  -- DATE
    location            TEXT,
    requirements        TEXT,
    submission_fee      NUMERIC NOT NULL DEFAULT 0 CHECK (submission_fee >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- Structured entry rules: {"max_artworks_per_artist", "allowed_mediums", "allowed_category_ids",
    -- "min_long_edge_px", "min_quality_score"}, each optional; screening checks submissions against them.
    rules               TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(rules) AND json_type(rules) = 'object'),
    currency            TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency)),
    CHECK (submission_deadline IS NULL OR exhibition_start IS NULL
           OR submission_deadline <= exhibition_start),
    CHECK (exhibition_start IS NULL OR exhibition_end IS NULL OR exhibition_start <= exhibition_end)
);
CREATE INDEX exhibitions_organizer_id ON exhibitions (organizer_id);
CREATE INDEX exhibitions_submission_deadline ON exhibitions (submission_deadline);
CREATE INDEX exhibitions_exhibition_start ON exhibitions (exhibition_start);

CREATE TABLE exhibition_submissions (
    id                  TEXT PRIMARY KEY,
    exhibition_id       TEXT NOT NULL REFERENCES exhibitions (id) ON DELETE CASCADE,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    artwork_ids         TEXT NOT NULL DEFAULT '[]'
                        CHECK (json_valid(artwork_ids) AND json_type(artwork_ids) = 'array'),
    artist_statement    TEXT,
    status              TEXT NOT NULL DEFAULT 'submitted'
                        CHECK (status IN ('submitted', 'accepted', 'rejected')),
    submitted_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- The automatic screening report (each artwork, each rule met or missed), then the
    -- organiser's decision.
    screening           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(screening) AND json_type(screening) = 'object'),
    review_note         TEXT,
    reviewed_at         TEXT,
    updated_at          TEXT,
    UNIQUE (exhibition_id, artist_id)
);
CREATE INDEX exhibition_submissions_artist_id ON exhibition_submissions (artist_id);
CREATE INDEX exhibition_submissions_exhibition_status ON exhibition_submissions (exhibition_id, status, submitted_at);

CREATE TABLE commissions (
    id                  TEXT PRIMARY KEY,
    -- The artist keeps the record of work done for a client whose account is gone.
    client_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    title               TEXT,
    description         TEXT,
    budget              NUMERIC CHECK (budget IS NULL OR budget >= 0),
    deadline            TEXT,  -- DATE
    status              TEXT NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'accepted', 'in_progress', 'completed', 'cancelled')),
    -- A JSON array of {"at", "author_id", "note"}, appended by trigger from commission_events.
    progress_notes      TEXT,
    completion_date     TEXT,  -- DATE
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    currency            TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency))
);
CREATE INDEX commissions_client_id ON commissions (client_id, created_at);
CREATE INDEX commissions_artist_id ON commissions (artist_id, created_at);
CREATE INDEX commissions_status ON commissions (status);

-- Counter triggers ------------------------------------------------------------------------

CREATE TRIGGER artworks_count_insert AFTER INSERT ON artworks BEGIN
    UPDATE artists SET artwork_count = artwork_count + 1 WHERE id = NEW.artist_id;
    UPDATE categories SET artwork_count = artwork_count + 1 WHERE id = NEW.category_id;
END;

CREATE TRIGGER artworks_count_delete AFTER DELETE ON artworks BEGIN
    UPDATE artists SET artwork_count = artwork_count - 1 WHERE id = OLD.artist_id;
    UPDATE categories SET artwork_count = artwork_count - 1 WHERE id = OLD.category_id;
END;

CREATE TRIGGER artworks_count_recategorise AFTER UPDATE OF category_id ON artworks
WHEN OLD.category_id IS NOT NEW.category_id BEGIN
    UPDATE categories SET artwork_count = artwork_count - 1 WHERE id = OLD.category_id;
    UPDATE categories SET artwork_count = artwork_count + 1 WHERE id = NEW.category_id;
END;

CREATE TRIGGER artworks_public_count_insert AFTER INSERT ON artworks
WHEN NEW.availability_status <> 'private' BEGIN
    UPDATE categories SET public_artwork_count = public_artwork_count + 1 WHERE id = NEW.category_id;
END;

CREATE TRIGGER artworks_public_count_delete AFTER DELETE ON artworks
WHEN OLD.availability_status <> 'private' BEGIN
    UPDATE categories SET public_artwork_count = public_artwork_count - 1 WHERE id = OLD.category_id;
END;

CREATE TRIGGER artworks_public_count_change AFTER UPDATE OF category_id, availability_status ON artworks
WHEN OLD.category_id IS NOT NEW.category_id
  OR (OLD.availability_status = 'private') <> (NEW.availability_status = 'private') BEGIN
    UPDATE categories SET public_artwork_count = public_artwork_count - 1
    WHERE id = OLD.category_id AND OLD.availability_status <> 'private';
    UPDATE categories SET public_artwork_count = public_artwork_count + 1
    WHERE id = NEW.category_id AND NEW.availability_status <> 'private';
END;

CREATE TRIGGER artwork_tags_count_insert AFTER INSERT ON artwork_tags BEGIN
    UPDATE tags SET usage_count = usage_count + 1 WHERE id = NEW.tag_id;
END;

CREATE TRIGGER artwork_tags_count_delete AFTER DELETE ON artwork_tags BEGIN
    UPDATE tags SET usage_count = usage_count - 1 WHERE id = OLD.tag_id;
END;

CREATE TRIGGER gallery_artworks_count_insert AFTER INSERT ON gallery_artworks BEGIN
    UPDATE galleries SET artwork_count = artwork_count + 1 WHERE id = NEW.gallery_id;
END;

CREATE TRIGGER gallery_artworks_count_delete AFTER DELETE ON gallery_artworks BEGIN
    UPDATE galleries SET artwork_count = artwork_count - 1 WHERE id = OLD.gallery_id;
END;

CREATE TRIGGER artwork_likes_count_insert AFTER INSERT ON artwork_likes BEGIN
    UPDATE artworks SET like_count = like_count + 1 WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER artwork_likes_count_delete AFTER DELETE ON artwork_likes BEGIN
    UPDATE artworks SET like_count = like_count - 1 WHERE id = OLD.artwork_id;
END;

CREATE TRIGGER artwork_comments_count_insert AFTER INSERT ON artwork_comments BEGIN
    UPDATE artworks SET comment_count = comment_count + 1 WHERE id = NEW.artwork_id;
END;

-- comment_count counts the comments people can read: a soft-deleted one stops counting when it is
-- deleted, and must not be subtracted a second time when its empty shell is removed later.
CREATE TRIGGER artwork_comments_count_delete AFTER DELETE ON artwork_comments
WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE artworks SET comment_count = comment_count - 1 WHERE id = OLD.artwork_id;
END;

CREATE TRIGGER artwork_comments_count_soft_delete AFTER UPDATE OF deleted_at ON artwork_comments
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE artworks SET comment_count = comment_count - 1 WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER artwork_shares_count_insert AFTER INSERT ON artwork_shares BEGIN
    UPDATE artworks SET share_count = share_count + 1 WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER artwork_shares_count_delete AFTER DELETE ON artwork_shares BEGIN
    UPDATE artworks SET share_count = share_count - 1 WHERE id = OLD.artwork_id;
END;

CREATE TRIGGER artist_follows_count_insert AFTER INSERT ON artist_follows BEGIN
    UPDATE artists SET follower_count = follower_count + 1 WHERE id = NEW.following_id;
    UPDATE artists SET following_count = following_count + 1 WHERE id = NEW.follower_id;
END;

CREATE TRIGGER artist_follows_count_delete AFTER DELETE ON artist_follows BEGIN
    UPDATE artists SET follower_count = follower_count - 1 WHERE id = OLD.following_id;
    UPDATE artists SET following_count = following_count - 1 WHERE id = OLD.follower_id;
END;

-- Views are history: pruning old rows later must not lower the totals, so there is no delete twin.
CREATE TRIGGER artwork_views_count_insert AFTER INSERT ON artwork_views BEGIN
    UPDATE artworks SET view_count = view_count + (NEW.kind = 'page'),
                        image_view_count = image_view_count + (NEW.kind = 'image')
    WHERE id = NEW.artwork_id;
END;

-- Search ------------------------------------------------------------------------------------
--
-- Full-text indexes (FTS5) of artworks and accounts, kept in step with their rows by the
-- triggers below inside the writer's own transaction, so no code path can forget them.
-- search_changes logs every change a ranker cares about (text, privacy, price, counters), so
-- that each server process can bring its in-memory ranking data up to date cheaply.

-- Each category with the names of it and its ancestors (for the FTS text) and their ids (to
-- find the works of a subtree when a category is renamed or moved).
CREATE VIEW category_paths AS
WITH RECURSIVE up (leaf_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM categories
    UNION ALL
    SELECT up.leaf_id, c.parent_id, up.depth + 1
    FROM up JOIN categories c ON c.id = up.ancestor_id
    WHERE c.parent_id IS NOT NULL AND up.depth < 32
)
SELECT up.leaf_id AS id, group_concat(c.name, ' / ') AS path, ',' || group_concat(c.id, ',') || ',' AS ancestor_ids
FROM (SELECT leaf_id, ancestor_id FROM up ORDER BY leaf_id, depth DESC) up
JOIN categories c ON c.id = up.ancestor_id
GROUP BY up.leaf_id;

-- One row per artwork, made by trigger: the integer id its full-text row uses (artworks has a
-- TEXT key, and VACUUM may renumber an implicit rowid), and its TF-IDF keywords and vector
-- (search/tfidf.py: int32 term indexes then float32 weights, little-endian, L2-normalised).
CREATE TABLE search_documents (
    doc_id              INTEGER PRIMARY KEY,
    artwork_id          TEXT NOT NULL UNIQUE REFERENCES artworks (id) ON DELETE CASCADE,
    keywords            TEXT NOT NULL DEFAULT '',
    tfidf               BLOB
);

-- The text of each artwork's full-text row, one column per FTS column.
CREATE VIEW artwork_search_text AS
SELECT d.doc_id, a.id AS artwork_id, a.title,
       coalesce(a.description, '') AS description,
       coalesce((SELECT group_concat(t.name, ' ') FROM artwork_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.artwork_id = a.id AND at.source = 'artist'), '') AS tags,
       coalesce(a.medium, '') AS medium,
       coalesce(cp.path, '') AS category,
       ar.artist_name || ' ' || ar.username AS artist,
       coalesce((SELECT group_concat(t.name, ' ') FROM artwork_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.artwork_id = a.id AND at.source = 'colour'), '') AS colours,
       d.keywords
FROM search_documents d
JOIN artworks a ON a.id = d.artwork_id
JOIN artists ar ON ar.id = a.artist_id
LEFT JOIN category_paths cp ON cp.id = a.category_id;

-- remove_diacritics 2: "Cezanne" finds "Cézanne". Prefix indexes make search-as-you-type cheap.
CREATE VIRTUAL TABLE artworks_fts USING fts5 (
    title, description, tags, medium, category, artist, colours, keywords,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
-- The index vocabulary with document counts (typo correction, tests).
CREATE VIRTUAL TABLE artworks_fts_vocab USING fts5vocab (artworks_fts, 'row');

CREATE TABLE artist_search_documents (
    doc_id              INTEGER PRIMARY KEY,
    artist_id           TEXT NOT NULL UNIQUE REFERENCES artists (id) ON DELETE CASCADE
);

CREATE VIEW artist_search_text AS
SELECT d.doc_id, ar.id AS artist_id, ar.username, ar.artist_name,
       coalesce(ar.bio, '') AS bio, coalesce(ar.location, '') AS location,
       coalesce((SELECT group_concat(j.value, ' ') FROM json_each(ar.specialties) j), '') AS specialties
FROM artist_search_documents d
JOIN artists ar ON ar.id = d.artist_id;

CREATE VIRTUAL TABLE artists_fts USING fts5 (
    username, artist_name, bio, location, specialties,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

-- AUTOINCREMENT: a sequence number is never reused, even after the log is pruned.
CREATE TABLE search_changes (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id              INTEGER NOT NULL
);

-- generation: bumped by a full reindex, which tells every process to reload from scratch.
-- bulk: set by the reindex while it rewrites every row, so the per-row triggers stand aside.
CREATE TABLE search_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    generation          INTEGER NOT NULL DEFAULT 0,
    bulk                INTEGER NOT NULL DEFAULT 0 CHECK (bulk IN (0, 1)),
    tfidf_fitted_at     TEXT
);
INSERT INTO search_state (id) VALUES (1);

-- The fitted TF-IDF model: vocabulary and inverse document frequencies (search/tfidf.py).
CREATE TABLE tfidf_terms (
    term_index          INTEGER PRIMARY KEY,
    term                TEXT NOT NULL UNIQUE,
    idf                 REAL NOT NULL
);

-- Search triggers -----------------------------------------------------------------------------

CREATE TRIGGER search_artwork_insert AFTER INSERT ON artworks BEGIN
    INSERT INTO search_documents (artwork_id) VALUES (NEW.id);
END;

CREATE TRIGGER search_document_insert AFTER INSERT ON search_documents BEGIN
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
    FROM artwork_search_text WHERE doc_id = NEW.doc_id;
    INSERT INTO search_changes (doc_id) VALUES (NEW.doc_id);
END;

CREATE TRIGGER search_document_delete AFTER DELETE ON search_documents BEGIN
    DELETE FROM artworks_fts WHERE rowid = OLD.doc_id;
    INSERT INTO search_changes (doc_id) VALUES (OLD.doc_id);
END;

CREATE TRIGGER search_document_keywords AFTER UPDATE OF keywords ON search_documents
WHEN (SELECT bulk FROM search_state) = 0 BEGIN
    DELETE FROM artworks_fts WHERE rowid = NEW.doc_id;
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
    FROM artwork_search_text WHERE doc_id = NEW.doc_id;
    INSERT INTO search_changes (doc_id) VALUES (NEW.doc_id);
END;

CREATE TRIGGER search_artwork_text AFTER UPDATE OF title, description, medium, category_id ON artworks BEGIN
    DELETE FROM artworks_fts WHERE rowid = (SELECT doc_id FROM search_documents WHERE artwork_id = NEW.id);
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
    FROM artwork_search_text WHERE artwork_id = NEW.id;
END;

-- Any change to an artwork (privacy, price, counters) can move it in a ranking or a facet.
CREATE TRIGGER search_artwork_change AFTER UPDATE ON artworks BEGIN
    INSERT INTO search_changes (doc_id) SELECT doc_id FROM search_documents WHERE artwork_id = NEW.id;
END;

CREATE TRIGGER search_artwork_tags_insert AFTER INSERT ON artwork_tags BEGIN
    DELETE FROM artworks_fts WHERE rowid = (SELECT doc_id FROM search_documents WHERE artwork_id = NEW.artwork_id);
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
    FROM artwork_search_text WHERE artwork_id = NEW.artwork_id;
    INSERT INTO search_changes (doc_id) SELECT doc_id FROM search_documents WHERE artwork_id = NEW.artwork_id;
END;

-- When the artwork itself is being deleted, its row is gone and the SELECTs find nothing.
CREATE TRIGGER search_artwork_tags_delete AFTER DELETE ON artwork_tags BEGIN
    DELETE FROM artworks_fts WHERE rowid = (SELECT doc_id FROM search_documents WHERE artwork_id = OLD.artwork_id);
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT doc_id, title, description, tags, medium, category, artist, colours, keywords
    FROM artwork_search_text WHERE artwork_id = OLD.artwork_id;
    INSERT INTO search_changes (doc_id) SELECT doc_id FROM search_documents WHERE artwork_id = OLD.artwork_id;
END;

CREATE TRIGGER search_artist_insert AFTER INSERT ON artists BEGIN
    INSERT INTO artist_search_documents (artist_id) VALUES (NEW.id);
END;

CREATE TRIGGER search_artist_document_insert AFTER INSERT ON artist_search_documents BEGIN
    INSERT INTO artists_fts (rowid, username, artist_name, bio, location, specialties)
    SELECT doc_id, username, artist_name, bio, location, specialties FROM artist_search_text WHERE doc_id = NEW.doc_id;
END;

CREATE TRIGGER search_artist_document_delete AFTER DELETE ON artist_search_documents BEGIN
    DELETE FROM artists_fts WHERE rowid = OLD.doc_id;
END;

CREATE TRIGGER search_artist_profile AFTER UPDATE OF username, artist_name, bio, location, specialties ON artists
BEGIN
    DELETE FROM artists_fts WHERE rowid = (SELECT doc_id FROM artist_search_documents WHERE artist_id = NEW.id);
    INSERT INTO artists_fts (rowid, username, artist_name, bio, location, specialties)
    SELECT doc_id, username, artist_name, bio, location, specialties FROM artist_search_text WHERE artist_id = NEW.id;
END;

-- An artwork's text names its artist, and its facets the artist's location.
CREATE TRIGGER search_artist_rename AFTER UPDATE OF username, artist_name ON artists BEGIN
    DELETE FROM artworks_fts WHERE rowid IN (
        SELECT d.doc_id FROM search_documents d JOIN artworks a ON a.id = d.artwork_id WHERE a.artist_id = NEW.id);
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT s.doc_id, s.title, s.description, s.tags, s.medium, s.category, s.artist, s.colours, s.keywords
    FROM artwork_search_text s JOIN artworks a ON a.id = s.artwork_id WHERE a.artist_id = NEW.id;
END;

CREATE TRIGGER search_artist_change AFTER UPDATE OF username, artist_name, location ON artists BEGIN
    INSERT INTO search_changes (doc_id)
    SELECT d.doc_id FROM search_documents d JOIN artworks a ON a.id = d.artwork_id WHERE a.artist_id = NEW.id;
END;

-- Renaming or moving a category changes the text of every work in its subtree.
CREATE TRIGGER search_category_change AFTER UPDATE OF name, parent_id ON categories BEGIN
    DELETE FROM artworks_fts WHERE rowid IN (
        SELECT d.doc_id FROM search_documents d JOIN artworks a ON a.id = d.artwork_id
        WHERE a.category_id IN (SELECT id FROM category_paths WHERE ancestor_ids LIKE '%,' || NEW.id || ',%'));
    INSERT INTO artworks_fts (rowid, title, description, tags, medium, category, artist, colours, keywords)
    SELECT s.doc_id, s.title, s.description, s.tags, s.medium, s.category, s.artist, s.colours, s.keywords
    FROM artwork_search_text s JOIN artworks a ON a.id = s.artwork_id
    WHERE a.category_id IN (SELECT id FROM category_paths WHERE ancestor_ids LIKE '%,' || NEW.id || ',%');
    INSERT INTO search_changes (doc_id)
    SELECT d.doc_id FROM search_documents d JOIN artworks a ON a.id = d.artwork_id
    WHERE a.category_id IN (SELECT id FROM category_paths WHERE ancestor_ids LIKE '%,' || NEW.id || ',%');
END;

-- Keep the last 100,000 changes; a process further behind than that reloads everything.
CREATE TRIGGER search_changes_prune AFTER INSERT ON search_changes WHEN NEW.seq % 1000 = 0 BEGIN
    DELETE FROM search_changes WHERE seq <= NEW.seq - 100000;
END;

-- Default taxonomy: disciplines with their sub-categories, and a flat list of mediums.
-- Curators add to it through POST /api/categories.
INSERT INTO categories (id, name, description, parent_id, kind) VALUES
    (1, 'Painting', 'Pigment applied to a surface: canvas, panel, paper, wall.', NULL, 'category'),
    (2, 'Drawing', 'Works made mainly with lines and tone on paper.', NULL, 'category'),
    (3, 'Printmaking', 'Images transferred from a matrix: block, plate, stone or screen.', NULL, 'category'),
    (4, 'Photography', 'Images made with a camera, analogue or digital.', NULL, 'category'),
    (5, 'Sculpture', 'Three-dimensional works, carved, modelled, cast or assembled.', NULL, 'category'),
    (6, 'Digital art', 'Works made and shown with software.', NULL, 'category'),
    (7, 'Mixed media', 'Works that combine several materials or techniques.', NULL, 'category'),
    (8, 'Textile art', 'Weaving, embroidery, quilting and other work with fibre.', NULL, 'category'),
    (9, 'Ceramics', 'Fired clay: vessels, tiles and sculptural pieces.', NULL, 'category'),
    (10, 'Calligraphy', 'The art of lettering and writing.', NULL, 'category'),
    (11, 'Portrait', 'Paintings of a person or a group.', 1, 'category'),
    (12, 'Landscape', 'Paintings of places: land, sea and sky.', 1, 'category'),
    (13, 'Still life', 'Paintings of arranged objects.', 1, 'category'),
    (14, 'Abstract', 'Paintings of colour, form and gesture rather than things.', 1, 'category'),
    (15, 'Figurative', 'Paintings of people and scenes from life or imagination.', 1, 'category'),
    (16, 'Sketch', 'Quick studies and preparatory drawings.', 2, 'category'),
    (17, 'Illustration', 'Drawings that tell or accompany a story or text.', 2, 'category'),
    (18, 'Woodcut', 'Relief prints cut into wood.', 3, 'category'),
    (19, 'Etching', 'Intaglio prints bitten into a metal plate with acid.', 3, 'category'),
    (20, 'Lithograph', 'Planographic prints drawn on stone or plate.', 3, 'category'),
    (21, 'Screen print', 'Prints pushed through a stencilled mesh.', 3, 'category'),
    (22, 'Portrait photography', 'Photographs of people.', 4, 'category'),
    (23, 'Landscape photography', 'Photographs of places.', 4, 'category'),
    (24, 'Street photography', 'Candid photographs of public life.', 4, 'category'),
    (25, 'Installation', 'Works that shape a whole space.', 5, 'category'),
    (26, 'Digital painting', 'Painting with a tablet and software.', 6, 'category'),
    (27, '3D art', 'Modelled and rendered three-dimensional scenes.', 6, 'category'),
    (28, 'Generative art', 'Works made by rules, code or systems.', 6, 'category'),
    (29, 'Collage', 'Works assembled from cut and pasted material.', 7, 'category'),
    (101, 'Oil', 'Oil paint.', NULL, 'medium'),
    (102, 'Acrylic', 'Acrylic paint.', NULL, 'medium'),
    (103, 'Watercolour', 'Transparent water-based paint.', NULL, 'medium'),
    (104, 'Gouache', 'Opaque water-based paint.', NULL, 'medium'),
    (105, 'Tempera', 'Pigment bound in egg or glue.', NULL, 'medium'),
    (106, 'Ink', 'Pen, brush or wash ink.', NULL, 'medium'),
    (107, 'Graphite', 'Pencil and graphite.', NULL, 'medium'),
    (108, 'Charcoal', 'Vine or compressed charcoal.', NULL, 'medium'),
    (109, 'Pastel', 'Soft, oil or pencil pastel.', NULL, 'medium'),
    (110, 'Coloured pencil', 'Wax- or oil-based coloured pencils.', NULL, 'medium'),
    (111, 'Digital', 'Made with software.', NULL, 'medium'),
    (112, 'Photographic print', 'Silver gelatin, C-type or inkjet print.', NULL, 'medium'),
    (113, 'Bronze', 'Cast bronze.', NULL, 'medium'),
    (114, 'Stone', 'Marble, granite and other carved stone.', NULL, 'medium'),
    (115, 'Clay', 'Modelled or fired clay.', NULL, 'medium'),
    (116, 'Wood', 'Carved or constructed wood.', NULL, 'medium'),
    (117, 'Fabric', 'Cloth, thread and fibre.', NULL, 'medium'),
    (118, 'Paper', 'Cut, folded or cast paper.', NULL, 'medium'),
    (119, 'Glass', 'Blown, cast or stained glass.', NULL, 'medium'),
    (120, 'Metal', 'Steel, iron, copper and other metals.', NULL, 'medium');

-- ============================================================================================
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


-- positions: float32 little-endian (x, y) pairs in pixels of a working copy of width x height;
-- descriptors: 32 bytes per keypoint, strongest first; words: one uint16 little-endian visual
-- word per keypoint, from the vocabulary named by `vocabulary` (imaging.vocabulary's file
-- digest). Works with none, or with words of another vocabulary, get them from
-- `flask --app app reindex`.
CREATE TABLE image_keypoints (
    artwork_id          TEXT PRIMARY KEY REFERENCES artworks (id) ON DELETE CASCADE,
    width               INTEGER NOT NULL,
    height              INTEGER NOT NULL,
    positions           BLOB NOT NULL,
    descriptors         BLOB NOT NULL,
    words               BLOB NOT NULL,
    vocabulary          TEXT NOT NULL
);

CREATE TRIGGER image_keypoints_insert AFTER INSERT ON image_keypoints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (NEW.artwork_id);
END;

CREATE TRIGGER image_keypoints_update AFTER UPDATE ON image_keypoints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (NEW.artwork_id);
END;

CREATE TRIGGER image_keypoints_delete AFTER DELETE ON image_keypoints BEGIN
    INSERT INTO image_changes (artwork_id) VALUES (OLD.artwork_id);
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
CREATE INDEX copy_alerts_original_id ON copy_alerts (original_id);

-- ============================================================================================
-- Galleries, exhibitions, commissions and analytics (issue 7).

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

-- Ranking ----------------------------------------------------------------------------


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

-- Sales (issue 21): enquiries, offers, orders and their payments; collectors' notes; the
-- conversion table for comparing prices across currencies. Amounts are integers of the
-- currency's minor unit (market.money). Money and status changes are appended to sales_events,
-- which nothing rewrites or deletes.

-- A copy of the CURRENCY_RATES setting, written at start, so SQL can sort and filter by price
-- across currencies. rate: units of base per unit of currency, on as_of.
CREATE TABLE currency_rates (
    currency            TEXT PRIMARY KEY CHECK (length(currency) = 3),
    rate                REAL NOT NULL CHECK (rate > 0),
    base                TEXT NOT NULL,
    as_of               TEXT NOT NULL
) WITHOUT ROWID;

-- A collector's question about a work, and its thread with the artist.
CREATE TABLE enquiries (
    id                  TEXT PRIMARY KEY,
    -- Kept when the work is deleted: the artist still knows who asked.
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE SET NULL,
    artwork_title       TEXT NOT NULL,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    collector_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    -- 'open' waits on the artist, 'answered' on the collector; either party may close it.
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    message_count       INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    last_message_at     TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (artist_id <> collector_id)
);
CREATE INDEX enquiries_artist ON enquiries (artist_id, last_message_at);
CREATE INDEX enquiries_collector ON enquiries (collector_id, last_message_at);
CREATE INDEX enquiries_artwork ON enquiries (artwork_id, created_at);

-- An enquiry's messages are its conversation's (conversations, below).

-- An offer below (or at) the list price. The artist may counter once per round; accepting
-- either amount creates the order (order_id). One open offer per buyer and work.
CREATE TABLE offers (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    buyer_id            TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    amount              INTEGER NOT NULL CHECK (amount >= 1),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    counter_amount      INTEGER CHECK (counter_amount IS NULL OR counter_amount >= 1),
    message             TEXT,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'countered', 'accepted', 'declined', 'withdrawn', 'expired')),
    expires_at          TEXT NOT NULL,
    -- How the buyer will pay once accepted (a payment provider's name).
    provider            TEXT NOT NULL DEFAULT 'manual',
    order_id            TEXT,
    synthetic           INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (artist_id <> buyer_id)
);
CREATE UNIQUE INDEX offers_one_open ON offers (artwork_id, buyer_id) WHERE status IN ('open', 'countered');
CREATE INDEX offers_artist ON offers (artist_id, created_at);
CREATE INDEX offers_buyer ON offers (buyer_id, created_at);
CREATE INDEX offers_expiry ON offers (expires_at) WHERE status IN ('open', 'countered');

-- An order keeps what was bought and for how much even after the work, the artist or the buyer
-- is deleted (title, medium and category are copied in). While it holds stock (pending payment
-- up to completed) an original cannot be ordered by anyone else and an edition's units are
-- counted out of editions_remaining; a pending order stops holding at expires_at.
CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE SET NULL,
    artist_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    buyer_id            TEXT REFERENCES artists (id) ON DELETE SET NULL,
    offer_id            TEXT REFERENCES offers (id) ON DELETE SET NULL,
    title               TEXT NOT NULL,
    medium              TEXT,
    category_id         INTEGER,
    is_edition          INTEGER NOT NULL DEFAULT 0 CHECK (is_edition IN (0, 1)),
    quantity            INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    unit_price          INTEGER NOT NULL CHECK (unit_price >= 1),
    subtotal            INTEGER NOT NULL,
    tax                 INTEGER NOT NULL DEFAULT 0 CHECK (tax >= 0),
    shipping            INTEGER NOT NULL DEFAULT 0 CHECK (shipping >= 0),
    total               INTEGER NOT NULL,
    -- The total in the conversion table's base currency (major units) on rate_as_of, for
    -- revenue across currencies; NULL where the table has no rate.
    total_base          REAL,
    base_currency       TEXT,
    rate_as_of          TEXT,
    provider            TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending_payment'
                        CHECK (status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed',
                                          'cancelled', 'refunded')),
    shipping_address    TEXT CHECK (shipping_address IS NULL OR json_valid(shipping_address)),
    carrier             TEXT,
    tracking_number     TEXT,
    note                TEXT,
    synthetic           INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
    -- 0 once the work is private or deleted: market trends count public sales only (kept by trigger).
    public              INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    expires_at          TEXT NOT NULL,
    paid_at             TEXT,
    shipped_at          TEXT,
    delivered_at        TEXT,
    completed_at        TEXT,
    cancelled_at        TEXT,
    refunded_at         TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- What was sold (issue 22): the work itself (an original or an edition's prints), prints of
    -- it made on demand (product, print_size), or a licence's fee or advance (license_id).
    kind                TEXT NOT NULL DEFAULT 'artwork' CHECK (kind IN ('artwork', 'print', 'license')),
    license_id          TEXT,
    product             TEXT,
    print_size          TEXT,
    -- A print's production cost per unit, in the order's currency: the artist's margin is
    -- (unit_price - unit_cost) * quantity.
    unit_cost           INTEGER NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    fulfilment_status   TEXT CHECK (fulfilment_status IS NULL OR fulfilment_status IN
                                    ('queued', 'sent', 'accepted', 'printed', 'shipped', 'delivered', 'failed')),
    tracking_url        TEXT,
    CHECK (subtotal = unit_price * quantity AND total = subtotal + tax + shipping),
    CHECK (is_edition = 1 OR quantity = 1 OR kind = 'print'),
    CHECK (kind = 'artwork' OR is_edition = 0),
    CHECK (kind <> 'print' OR (product IS NOT NULL AND print_size IS NOT NULL)),
    CHECK (kind <> 'license' OR (license_id IS NOT NULL AND quantity = 1))
);
-- An original is held by one live order at a time: the second buyer's INSERT fails here.
CREATE UNIQUE INDEX orders_one_holder_per_original ON orders (artwork_id)
    WHERE kind = 'artwork' AND is_edition = 0
          AND status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed');
CREATE INDEX orders_artwork ON orders (artwork_id, status);
CREATE INDEX orders_buyer ON orders (buyer_id, created_at);
CREATE INDEX orders_artist ON orders (artist_id, created_at);
CREATE INDEX orders_artist_paid ON orders (artist_id, paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_offer ON orders (offer_id);
CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending_payment';
-- Market trends read every public sale of a period from this index alone (MARKET_SALE in
-- store.sales_analytics names the same condition). Medium first: a medium filter is a range, the
-- cells come out nearly grouped, and SQLite skip-scans it by paid_at for the whole market, which
-- measured faster than a paid_at-first index for a year (72 against 91 ms) and for 90 days.
CREATE INDEX orders_market ON orders (medium, category_id, paid_at, total_base, synthetic)
    WHERE paid_at IS NOT NULL AND status NOT IN ('cancelled', 'refunded') AND public = 1
          AND total_base IS NOT NULL AND kind = 'artwork';

-- Every money and status change of offers, orders and licences, appended and never rewritten.
-- actor_role says on whose authority: buyer, artist, payment (a provider or the artist for a
-- manual one), system (expiry), licensee, licensor, or fulfilment (the print provider). Ids are
-- plain text, not foreign keys: the log outlives what it logs.
CREATE TABLE sales_events (
    id                  INTEGER PRIMARY KEY,
    order_id            TEXT,
    offer_id            TEXT,
    actor_id            TEXT,
    actor_role          TEXT NOT NULL CHECK (actor_role IN ('buyer', 'artist', 'payment', 'system', 'licensee',
                                                            'licensor', 'fulfilment')),
    kind                TEXT NOT NULL,
    amount              INTEGER,
    currency            TEXT,
    provider            TEXT,
    reference           TEXT,
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    license_id          TEXT,
    CHECK (order_id IS NOT NULL OR offer_id IS NOT NULL OR license_id IS NOT NULL)
);
CREATE INDEX sales_events_order ON sales_events (order_id, id) WHERE order_id IS NOT NULL;
CREATE INDEX sales_events_offer ON sales_events (offer_id, id) WHERE offer_id IS NOT NULL;
CREATE INDEX sales_events_license ON sales_events (license_id, id) WHERE license_id IS NOT NULL;

CREATE TRIGGER sales_events_no_update BEFORE UPDATE ON sales_events BEGIN
    SELECT RAISE(ABORT, 'sales events are append-only');
END;

CREATE TRIGGER sales_events_no_delete BEFORE DELETE ON sales_events BEGIN
    SELECT RAISE(ABORT, 'sales events are append-only');
END;

-- Each webhook event a payment provider sent, once: a replay of an id is answered from here.
CREATE TABLE payment_events (
    provider            TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    type                TEXT NOT NULL,
    order_id            TEXT,
    outcome             TEXT NOT NULL,
    sent_at             TEXT NOT NULL,
    received_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (provider, event_id)
) WITHOUT ROWID;

CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events BEGIN
    SELECT RAISE(ABORT, 'payment events are append-only');
END;

CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events BEGIN
    SELECT RAISE(ABORT, 'payment events are append-only: a deleted event id could be replayed');
END;

-- An artist's private notes and tags about one of their collectors.
CREATE TABLE collector_notes (
    artist_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    collector_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    notes               TEXT,
    tags                TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (artist_id, collector_id)
) WITHOUT ROWID;
CREATE INDEX collector_notes_collector ON collector_notes (collector_id);

-- Editions: editions_remaining is edition_size less the units live orders hold, kept here.
-- Its CHECK (>= 0) is what refuses an order for more units than are left.
CREATE TRIGGER artworks_edition_size_insert AFTER INSERT ON artworks WHEN NEW.edition_size IS NOT NULL BEGIN
    UPDATE artworks SET editions_remaining = NEW.edition_size WHERE id = NEW.id;
END;

CREATE TRIGGER artworks_edition_size_update AFTER UPDATE OF edition_size ON artworks BEGIN
    UPDATE artworks
    SET editions_remaining = CASE WHEN NEW.edition_size IS NULL THEN NULL ELSE NEW.edition_size - (
            SELECT coalesce(sum(quantity), 0) FROM orders
            WHERE artwork_id = NEW.id AND is_edition = 1
              AND status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed')) END
    WHERE id = NEW.id;
END;

CREATE TRIGGER orders_edition_hold AFTER INSERT ON orders WHEN NEW.is_edition = 1 BEGIN
    UPDATE artworks SET editions_remaining = editions_remaining - NEW.quantity WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER orders_edition_release AFTER UPDATE OF status ON orders
WHEN NEW.is_edition = 1 AND NEW.status IN ('cancelled', 'refunded')
     AND OLD.status NOT IN ('cancelled', 'refunded') BEGIN
    UPDATE artworks SET editions_remaining = editions_remaining + NEW.quantity WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER artworks_privacy_orders AFTER UPDATE OF availability_status ON artworks
WHEN (OLD.availability_status = 'private') <> (NEW.availability_status = 'private') BEGIN
    UPDATE orders SET public = (NEW.availability_status <> 'private') WHERE artwork_id = NEW.id;
END;

CREATE TRIGGER artworks_delete_orders BEFORE DELETE ON artworks BEGIN
    UPDATE orders SET public = 0 WHERE artwork_id = OLD.id;
END;

-- Demand per category and day (orders paid, offers and enquiries made), kept by the triggers
-- below, for the market's fastest-growing categories. Counts only: no price, no seller.
CREATE TABLE market_demand (
    day                 TEXT NOT NULL,  -- DATE
    category_id         INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('order', 'offer', 'enquiry')),
    count               INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (day, category_id, kind)
) WITHOUT ROWID;

CREATE TRIGGER market_demand_order_paid AFTER UPDATE OF status ON orders
WHEN NEW.status = 'paid' AND OLD.status = 'pending_payment' AND NEW.category_id IS NOT NULL
     AND NEW.kind = 'artwork' BEGIN
    INSERT INTO market_demand (day, category_id, kind, count) VALUES (substr(NEW.paid_at, 1, 10), NEW.category_id,
                                                                      'order', 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER market_demand_order_recorded AFTER INSERT ON orders
WHEN NEW.paid_at IS NOT NULL AND NEW.category_id IS NOT NULL AND NEW.kind = 'artwork' BEGIN
    INSERT INTO market_demand (day, category_id, kind, count) VALUES (substr(NEW.paid_at, 1, 10), NEW.category_id,
                                                                      'order', 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER market_demand_offer AFTER INSERT ON offers BEGIN
    INSERT INTO market_demand (day, category_id, kind, count)
    SELECT substr(NEW.created_at, 1, 10), category_id, 'offer', 1 FROM artworks
    WHERE id = NEW.artwork_id AND category_id IS NOT NULL
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER market_demand_enquiry AFTER INSERT ON enquiries BEGIN
    INSERT INTO market_demand (day, category_id, kind, count)
    SELECT substr(NEW.created_at, 1, 10), category_id, 'enquiry', 1 FROM artworks
    WHERE id = NEW.artwork_id AND category_id IS NOT NULL
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

-- Notifications about an enquiry, offer or order (subject_id) go with it.
CREATE TRIGGER enquiries_notifications_delete AFTER DELETE ON enquiries BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'enquiry';
END;

CREATE TRIGGER offers_notifications_delete AFTER DELETE ON offers BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'offer';
END;

-- Licensing (issue 22): the terms an artist offers a work under, the licences requested and
-- granted on them, and the licensees' usage reports with the royalties they earn. A licence
-- keeps a copy of its terms (terms, and the columns the exclusivity check reads), so changing
-- or withdrawing an offered term never changes a licence already asked for or granted.
CREATE TABLE license_terms (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL DEFAULT 0,
    usage               TEXT NOT NULL CHECK (usage IN ('personal', 'editorial', 'commercial', 'merchandise',
                                                       'exclusive')),
    exclusive           INTEGER NOT NULL DEFAULT 0 CHECK (exclusive IN (0, 1)),
    media               TEXT NOT NULL CHECK (json_valid(media) AND json_type(media) = 'array'),
    -- "worldwide", or a JSON array of ISO 3166 alpha-2 codes.
    territory           TEXT NOT NULL CHECK (territory = 'worldwide' OR (json_valid(territory)
                                                                         AND json_type(territory) = 'array')),
    duration_months     INTEGER CHECK (duration_months IS NULL OR duration_months BETWEEN 1 AND 1200),
    max_units           INTEGER CHECK (max_units IS NULL OR max_units >= 1),
    max_impressions     INTEGER CHECK (max_impressions IS NULL OR max_impressions >= 1),
    attribution_required INTEGER NOT NULL DEFAULT 1 CHECK (attribution_required IN (0, 1)),
    pricing             TEXT NOT NULL CHECK (pricing IN ('flat', 'royalty')),
    fee                 INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    royalty_bps         INTEGER NOT NULL DEFAULT 0 CHECK (royalty_bps BETWEEN 0 AND 10000),
    advance             INTEGER NOT NULL DEFAULT 0 CHECK (advance >= 0),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    -- Set when the artist stops offering it: kept for the requests that name it.
    retired_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (pricing = 'flat' AND fee >= 1 AND royalty_bps = 0 AND advance = 0
           OR pricing = 'royalty' AND fee = 0 AND royalty_bps >= 1)
);
CREATE INDEX license_terms_artwork ON license_terms (artwork_id, position) WHERE retired_at IS NULL;

CREATE TABLE licenses (
    id                  TEXT PRIMARY KEY,
    term_id             TEXT REFERENCES license_terms (id) ON DELETE SET NULL,
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE SET NULL,
    licensor_id         TEXT REFERENCES artists (id) ON DELETE SET NULL,
    licensee_id         TEXT REFERENCES artists (id) ON DELETE SET NULL,
    title               TEXT NOT NULL,
    -- The terms as they were when asked for: every field of license_terms that a licence keeps.
    terms               TEXT NOT NULL CHECK (json_valid(terms) AND json_type(terms) = 'object'),
    usage               TEXT NOT NULL,
    exclusive           INTEGER NOT NULL CHECK (exclusive IN (0, 1)),
    media               TEXT NOT NULL CHECK (json_valid(media)),
    territory           TEXT NOT NULL,
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    -- What is paid at grant through an order: the flat fee, or the royalty licence's advance.
    amount_due          INTEGER NOT NULL CHECK (amount_due >= 0),
    royalty_bps         INTEGER NOT NULL DEFAULT 0,
    advance             INTEGER NOT NULL DEFAULT 0,
    purpose             TEXT,
    -- The payment provider the licensee chose for the fee or advance (market.payments).
    provider            TEXT NOT NULL DEFAULT 'manual',
    status              TEXT NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'approved', 'paid', 'active', 'expired', 'revoked',
                                          'declined', 'withdrawn', 'cancelled')),
    order_id            TEXT,
    starts_at           TEXT NOT NULL,
    ends_at             TEXT,  -- NULL: perpetual
    -- 1 when the licensee gave no start: the licence then runs from its approval.
    starts_on_approval  INTEGER NOT NULL DEFAULT 0 CHECK (starts_on_approval IN (0, 1)),
    -- Kept by the usage triggers below.
    units_reported      INTEGER NOT NULL DEFAULT 0,
    impressions_reported INTEGER NOT NULL DEFAULT 0,
    revenue_reported    INTEGER NOT NULL DEFAULT 0,
    royalties_earned    INTEGER NOT NULL DEFAULT 0,
    expiry_warned_at    TEXT,
    approved_at         TEXT,
    paid_at             TEXT,
    activated_at        TEXT,
    expired_at          TEXT,
    revoked_at          TEXT,
    declined_at         TEXT,
    withdrawn_at        TEXT,
    cancelled_at        TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX licenses_licensor ON licenses (licensor_id, created_at);
CREATE INDEX licenses_licensee ON licenses (licensee_id, created_at);
CREATE INDEX licenses_artwork_live ON licenses (artwork_id, usage) WHERE status IN ('approved', 'paid', 'active');
CREATE INDEX licenses_due ON licenses (status, ends_at) WHERE status IN ('paid', 'active');
CREATE INDEX licenses_order ON licenses (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX licenses_term ON licenses (term_id);

-- A licensee's report of use for one period (YYYY-MM), appended and never rewritten; a second
-- report for a period adds to it. earned is the royalty on this report's revenue (computed on
-- the running total, so rounding never drifts); recouped is how much of it went against the
-- advance; payable = earned - recouped.
CREATE TABLE license_usage (
    id                  INTEGER PRIMARY KEY,
    license_id          TEXT NOT NULL,
    period              TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    units               INTEGER NOT NULL DEFAULT 0 CHECK (units >= 0),
    impressions         INTEGER NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    revenue             INTEGER NOT NULL DEFAULT 0 CHECK (revenue >= 0),
    currency            TEXT NOT NULL,
    earned              INTEGER NOT NULL CHECK (earned >= 0),
    recouped            INTEGER NOT NULL CHECK (recouped >= 0 AND recouped <= earned),
    payable             INTEGER NOT NULL CHECK (payable = earned - recouped),
    note                TEXT,
    reported_by         TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX license_usage_license ON license_usage (license_id, period, id);
CREATE INDEX license_usage_period ON license_usage (period);

CREATE TRIGGER license_usage_no_update BEFORE UPDATE ON license_usage BEGIN
    SELECT RAISE(ABORT, 'usage reports are append-only');
END;

CREATE TRIGGER license_usage_no_delete BEFORE DELETE ON license_usage BEGIN
    SELECT RAISE(ABORT, 'usage reports are append-only');
END;

CREATE TRIGGER license_usage_totals AFTER INSERT ON license_usage BEGIN
    UPDATE licenses SET units_reported = units_reported + NEW.units,
                        impressions_reported = impressions_reported + NEW.impressions,
                        revenue_reported = revenue_reported + NEW.revenue,
                        royalties_earned = royalties_earned + NEW.earned
    WHERE id = NEW.license_id;
END;

CREATE TRIGGER licenses_notifications_delete AFTER DELETE ON licenses BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'license';
END;

-- Print-on-demand (issue 22): the products an artist enables per work (market.prints names the
-- catalogue of products and sizes), the print-ready files made from originals, and the queue
-- that hands paid print orders to the fulfilment provider.
CREATE TABLE print_products (
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    product             TEXT NOT NULL,
    size                TEXT NOT NULL,
    price               INTEGER NOT NULL CHECK (price >= 1),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (artwork_id, product, size)
) WITHOUT ROWID;

-- One print-ready file per original, product and size, stored by content address.
CREATE TABLE print_files (
    image_sha256        TEXT NOT NULL,
    product             TEXT NOT NULL,
    size                TEXT NOT NULL,
    path                TEXT NOT NULL,
    file_sha256         TEXT NOT NULL,
    width_px            INTEGER NOT NULL,
    height_px           INTEGER NOT NULL,
    dpi                 INTEGER NOT NULL,
    bytes               INTEGER NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (image_sha256, product, size)
) WITHOUT ROWID;
CREATE INDEX print_files_file ON print_files (file_sha256);

-- A paid print order waiting for, or handed to, the fulfilment provider. idempotency_key goes
-- with every attempt, so a provider that got a request whose answer was lost does not print twice.
CREATE TABLE fulfilment_dispatches (
    order_id            TEXT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    idempotency_key     TEXT NOT NULL UNIQUE,
    -- withdrawn: the order was refunded or cancelled before it was sent.
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT NOT NULL,
    claimed_until       TEXT,
    last_error          TEXT,
    provider_reference  TEXT,
    sent_at             TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX fulfilment_dispatches_due ON fulfilment_dispatches (next_attempt_at) WHERE status IN ('pending', 'sending');

-- Each status callback the fulfilment provider sent, once: a replay of an id changes nothing.
CREATE TABLE fulfilment_events (
    event_id            TEXT PRIMARY KEY,
    order_id            TEXT NOT NULL,
    status              TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    received_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TRIGGER fulfilment_events_no_update BEFORE UPDATE ON fulfilment_events BEGIN
    SELECT RAISE(ABORT, 'fulfilment events are append-only');
END;

CREATE TRIGGER fulfilment_events_no_delete BEFORE DELETE ON fulfilment_events BEGIN
    SELECT RAISE(ABORT, 'fulfilment events are append-only');
END;

-- Conversations, critique and mentorship (issue 23) --------------------------------------

-- A direct conversation between two or more accounts, optionally about a subject. A commission,
-- an enquiry or a mentorship has exactly one, made with it (the partial unique index).
-- to_stranger: the starter had no follow in common with, and no dealings with, someone in it;
-- such starts have a budget of their own.
CREATE TABLE conversations (
    id                  TEXT PRIMARY KEY,
    subject_kind        TEXT CHECK (subject_kind IN ('artwork', 'commission', 'enquiry', 'order', 'license',
                                                     'mentorship')),
    subject_id          TEXT,
    started_by          TEXT REFERENCES artists (id) ON DELETE SET NULL,
    to_stranger         INTEGER NOT NULL DEFAULT 0 CHECK (to_stranger IN (0, 1)),
    message_count       INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    last_message_at     TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((subject_kind IS NULL) = (subject_id IS NULL))
);
CREATE UNIQUE INDEX conversations_thread_of ON conversations (subject_kind, subject_id)
    WHERE subject_kind IN ('commission', 'enquiry', 'mentorship');
CREATE INDEX conversations_started_by ON conversations (started_by, created_at);

-- last_activity_at: the newest message this member may see (or when it joined), so an inbox
-- is one index range, newest first; unread_count is kept by the messages trigger.
CREATE TABLE conversation_members (
    conversation_id     TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account_id          TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    last_activity_at    TEXT NOT NULL,
    last_read_id        INTEGER NOT NULL DEFAULT 0,
    unread_count        INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    joined_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (conversation_id, account_id)
) WITHOUT ROWID;
CREATE INDEX conversation_members_inbox ON conversation_members (account_id, last_activity_at, conversation_id);

-- A blocked account cannot start a conversation with, or write to, its blocker; the blocker's
-- messages are hidden from it.
CREATE TABLE blocks (
    blocker_id          TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    blocked_id          TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
) WITHOUT ROWID;
CREATE INDEX blocks_blocked_id ON blocks (blocked_id, blocker_id);

-- A message: text, an image attachment (re-encoded, EXIF gone, under media/attachments), or
-- both. removed_at: moderation took it down; its text and image are no longer served.
CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    conversation_id     TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    body                TEXT CHECK (body IS NULL OR length(body) BETWEEN 1 AND 5000),
    attachment_sha256   TEXT CHECK (attachment_sha256 IS NULL OR length(attachment_sha256) = 64),
    attachment_type     TEXT,
    attachment_width    INTEGER,
    attachment_height   INTEGER,
    removed_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (body IS NOT NULL OR attachment_sha256 IS NOT NULL OR removed_at IS NOT NULL)
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_author_id ON messages (author_id);

-- Moderation reports on messages and critiques; they join copyright's disputes and held
-- uploads in the one moderation queue.
CREATE TABLE reports (
    id                  TEXT PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('message', 'critique')),
    subject_id          TEXT NOT NULL,
    reporter_id         TEXT REFERENCES artists (id) ON DELETE SET NULL,
    reason              TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'insulting', 'rating_only',
                                                        'not_constructive', 'other')),
    note                TEXT,
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'removed', 'dismissed')),
    decided_by          TEXT REFERENCES artists (id) ON DELETE SET NULL,
    decision_note       TEXT,
    decided_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (kind, subject_id, reporter_id)
);
CREATE INDEX reports_queue ON reports (status, created_at);
CREATE INDEX reports_reporter_id ON reports (reporter_id);
CREATE INDEX reports_decided_by ON reports (decided_by);

-- A critique of one version (the image's content address) of a work that asked for critique.
CREATE TABLE critiques (
    id                  TEXT PRIMARY KEY,
    artwork_id          TEXT NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    reviewer_id         TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    version             TEXT NOT NULL,
    composition         INTEGER CHECK (composition BETWEEN 1 AND 5),
    colour              INTEGER CHECK (colour BETWEEN 1 AND 5),
    technique           INTEGER CHECK (technique BETWEEN 1 AND 5),
    concept             INTEGER CHECK (concept BETWEEN 1 AND 5),
    originality         INTEGER CHECK (originality BETWEEN 1 AND 5),
    strengths           TEXT NOT NULL,
    suggestions         TEXT NOT NULL,
    answers             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(answers) AND json_type(answers) = 'array'),
    helpful_at          TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (artwork_id, reviewer_id, version)
);
CREATE INDEX critiques_reviewer_id ON critiques (reviewer_id, created_at);
CREATE INDEX critiques_artwork ON critiques (artwork_id, created_at);
-- The "needs feedback" list: works asking for critique, fewest critiques first.
CREATE INDEX artworks_critique_requests ON artworks (critique_count, critique_requested_at)
    WHERE critique_requested = 1 AND availability_status <> 'private';

CREATE TRIGGER critiques_count_insert AFTER INSERT ON critiques BEGIN
    UPDATE artworks SET critique_count = critique_count + 1 WHERE id = NEW.artwork_id;
    UPDATE artists SET critiques_given = critiques_given + 1 WHERE id = NEW.reviewer_id;
END;

CREATE TRIGGER critiques_count_delete AFTER DELETE ON critiques BEGIN
    UPDATE artworks SET critique_count = critique_count - 1 WHERE id = OLD.artwork_id;
    UPDATE artists SET critiques_given = critiques_given - 1 WHERE id = OLD.reviewer_id;
    UPDATE artists SET helpful_received = helpful_received - 1
    WHERE OLD.helpful_at IS NOT NULL AND id = OLD.reviewer_id;
END;

CREATE TRIGGER critiques_helpful AFTER UPDATE OF helpful_at ON critiques
WHEN (OLD.helpful_at IS NULL) <> (NEW.helpful_at IS NULL) BEGIN
    UPDATE artists SET helpful_received = helpful_received + CASE WHEN NEW.helpful_at IS NULL THEN -1 ELSE 1 END
    WHERE id = NEW.reviewer_id;
END;

-- An artist offering mentorship; active_count is kept by the mentorships triggers, and
-- capacity - active_count is the open slots.
CREATE TABLE mentor_profiles (
    artist_id           TEXT PRIMARY KEY REFERENCES artists (id) ON DELETE CASCADE,
    experience          TEXT NOT NULL,
    specialties         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(specialties) AND json_type(specialties) = 'array'),
    mediums             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(mediums) AND json_type(mediums) = 'array'),
    languages           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages) AND json_type(languages) = 'array'),
    capacity            INTEGER NOT NULL CHECK (capacity BETWEEN 0 AND 100),
    accepting           INTEGER NOT NULL DEFAULT 1 CHECK (accepting IN (0, 1)),
    active_count        INTEGER NOT NULL DEFAULT 0 CHECK (active_count >= 0),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE mentorships (
    id                  TEXT PRIMARY KEY,
    mentor_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    mentee_id           TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    goals               TEXT NOT NULL,
    proposed_weeks      INTEGER NOT NULL CHECK (proposed_weeks BETWEEN 1 AND 104),
    status              TEXT NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'active', 'completed', 'declined', 'cancelled')),
    started_at          TEXT,
    ended_at            TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (mentor_id <> mentee_id)
);
CREATE INDEX mentorships_mentor ON mentorships (mentor_id, status, created_at);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id, status, created_at);
-- One open request or active mentorship per pair.
CREATE UNIQUE INDEX mentorships_one_open ON mentorships (mentor_id, mentee_id)
    WHERE status IN ('requested', 'active');

CREATE TRIGGER mentorships_active_count AFTER UPDATE OF status ON mentorships
WHEN (OLD.status = 'active') <> (NEW.status = 'active') BEGIN
    UPDATE mentor_profiles SET active_count = active_count + CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END
    WHERE artist_id = NEW.mentor_id;
END;

CREATE TABLE mentorship_goals (
    id                  INTEGER PRIMARY KEY,
    mentorship_id       TEXT NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    progress            INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX mentorship_goals_mentorship_id ON mentorship_goals (mentorship_id, id);

CREATE TABLE mentorship_sessions (
    id                  INTEGER PRIMARY KEY,
    mentorship_id       TEXT NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    author_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    held_on             TEXT NOT NULL,  -- DATE
    notes               TEXT NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX mentorship_sessions_mentorship_id ON mentorship_sessions (mentorship_id, held_on);
CREATE INDEX mentorship_sessions_author_id ON mentorship_sessions (author_id);

-- A portfolio review: a critique the mentor gave one of the mentee's works, linked in.
CREATE TABLE mentorship_reviews (
    mentorship_id       TEXT NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    critique_id         TEXT NOT NULL REFERENCES critiques (id) ON DELETE CASCADE,
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (mentorship_id, critique_id)
) WITHOUT ROWID;
CREATE INDEX mentorship_reviews_critique_id ON mentorship_reviews (critique_id);

-- Each status move of a mentorship and each moderation decision on a report; append-only, with
-- plain-text ids so the record outlives what it names.
CREATE TABLE community_events (
    id                  INTEGER PRIMARY KEY,
    subject_kind        TEXT NOT NULL CHECK (subject_kind IN ('mentorship', 'report')),
    subject_id          TEXT NOT NULL,
    actor_id            TEXT,
    action              TEXT NOT NULL,
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX community_events_subject ON community_events (subject_kind, subject_id, id);

CREATE TRIGGER community_events_no_update BEFORE UPDATE ON community_events BEGIN
    SELECT RAISE(ABORT, 'community events are append-only');
END;

CREATE TRIGGER community_events_no_delete BEFORE DELETE ON community_events BEGIN
    SELECT RAISE(ABORT, 'community events are append-only');
END;

CREATE TRIGGER conversations_notifications_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'message';
END;

CREATE TRIGGER critiques_notifications_delete AFTER DELETE ON critiques BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'critique';
END;

CREATE TRIGGER mentorships_notifications_delete AFTER DELETE ON mentorships BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'mentorship';
END;

-- A message moves its conversation and each member who may see it (not one its author has
-- blocked) to the top of their inbox; an enquiry's thread also keeps the enquiry's status.
CREATE TRIGGER messages_insert AFTER INSERT ON messages BEGIN
    UPDATE conversations SET message_count = message_count + 1, last_message_at = NEW.created_at
    WHERE id = NEW.conversation_id;
    UPDATE conversation_members
    SET last_activity_at = NEW.created_at,
        unread_count = unread_count + (account_id IS NOT NEW.author_id),
        last_read_id = CASE WHEN account_id IS NEW.author_id THEN NEW.id ELSE last_read_id END
    WHERE conversation_id = NEW.conversation_id
      AND NOT EXISTS (SELECT 1 FROM blocks
                      WHERE blocker_id = NEW.author_id AND blocked_id = conversation_members.account_id);
    UPDATE enquiries
    SET message_count = message_count + 1, last_message_at = NEW.created_at,
        status = CASE WHEN status = 'closed' THEN 'closed'
                      WHEN NEW.author_id = artist_id THEN 'answered' ELSE 'open' END
    WHERE id = (SELECT subject_id FROM conversations WHERE id = NEW.conversation_id AND subject_kind = 'enquiry');
END;
