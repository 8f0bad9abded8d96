-- Copies in the wild (issue 20): each work's ORB keypoints for geometric verification, and
-- their visual words for the image index's candidate stage.

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
