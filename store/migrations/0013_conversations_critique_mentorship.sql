-- Conversations, structured critique and mentorship (issue 23). Enquiry threads become
-- conversations (one message store, so an enquiry's messages are its conversation's), every
-- commission gets its conversation, and notifications gain the kinds 'message', 'critique' and
-- 'mentorship' (SQLite cannot change a CHECK in place, so that table is rebuilt; the triggers that
-- name it are dropped first and made again after).

ALTER TABLE portfolio_settings ADD COLUMN message_previews INTEGER NOT NULL DEFAULT 0
    CHECK (message_previews IN (0, 1));
ALTER TABLE artworks ADD COLUMN critique_requested INTEGER NOT NULL DEFAULT 0 CHECK (critique_requested IN (0, 1));
ALTER TABLE artworks ADD COLUMN critique_questions TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(critique_questions) AND json_type(critique_questions) = 'array');
ALTER TABLE artworks ADD COLUMN critique_requested_at TEXT;
ALTER TABLE artworks ADD COLUMN critique_count INTEGER NOT NULL DEFAULT 0 CHECK (critique_count >= 0);
ALTER TABLE artists ADD COLUMN critiques_given INTEGER NOT NULL DEFAULT 0 CHECK (critiques_given >= 0);
ALTER TABLE artists ADD COLUMN helpful_received INTEGER NOT NULL DEFAULT 0 CHECK (helpful_received >= 0);

DROP TRIGGER commissions_notifications_delete;
DROP TRIGGER exhibitions_notifications_delete;
DROP TRIGGER enquiries_notifications_delete;
DROP TRIGGER offers_notifications_delete;
DROP TRIGGER licenses_notifications_delete;

CREATE TABLE notifications_v13 (
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
INSERT INTO notifications_v13 (id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at, read_at)
SELECT id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v13 RENAME TO notifications;

CREATE INDEX notifications_recipient_inbox ON notifications (recipient_id, read_at IS NULL, created_at);

CREATE INDEX notifications_actor_id ON notifications (actor_id);

CREATE INDEX notifications_artwork_id ON notifications (artwork_id);

CREATE INDEX notifications_comment_id ON notifications (comment_id);

CREATE INDEX notifications_subject_id ON notifications (subject_id) WHERE subject_id IS NOT NULL;

CREATE TRIGGER commissions_notifications_delete AFTER DELETE ON commissions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'commission';
END;

CREATE TRIGGER exhibitions_notifications_delete AFTER DELETE ON exhibitions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'exhibition';
END;

CREATE TRIGGER enquiries_notifications_delete AFTER DELETE ON enquiries BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'enquiry';
END;

CREATE TRIGGER offers_notifications_delete AFTER DELETE ON offers BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'offer';
END;

CREATE TRIGGER licenses_notifications_delete AFTER DELETE ON licenses BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'license';
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

-- Each enquiry's thread becomes its conversation (same id), each commission gets one; members
-- start with everything read (the notifications already told them of the old messages).
INSERT INTO conversations (id, subject_kind, subject_id, started_by, message_count, last_message_at, created_at)
SELECT id, 'enquiry', id, collector_id, message_count, last_message_at, created_at FROM enquiries;
INSERT INTO conversations (id, subject_kind, subject_id, started_by, created_at)
SELECT id, 'commission', id, client_id, created_at FROM commissions;
INSERT INTO messages (conversation_id, author_id, body, created_at)
SELECT enquiry_id, author_id, body, created_at FROM enquiry_messages ORDER BY id;
INSERT INTO conversation_members (conversation_id, account_id, last_activity_at, last_read_id, joined_at)
SELECT e.id, party.account_id, coalesce(e.last_message_at, e.created_at),
       coalesce((SELECT max(m.id) FROM messages m WHERE m.conversation_id = e.id), 0), e.created_at
FROM enquiries e JOIN (SELECT id, collector_id AS account_id FROM enquiries
                       UNION ALL SELECT id, artist_id FROM enquiries) party ON party.id = e.id;
INSERT INTO conversation_members (conversation_id, account_id, last_activity_at, joined_at)
SELECT c.id, party.account_id, c.created_at, c.created_at
FROM commissions c JOIN (SELECT id, client_id AS account_id FROM commissions WHERE client_id IS NOT NULL
                         UNION ALL SELECT id, artist_id FROM commissions) party ON party.id = c.id;

DROP TRIGGER enquiry_messages_count;
DROP TABLE enquiry_messages;

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
