-- Category counts over public works only: GET /api/categories shows them to everybody, and a count
-- that includes private works tells anyone that they exist. artwork_count (every work) stays for
-- the checks that need it, such as whether a category is in use.

ALTER TABLE categories ADD COLUMN public_artwork_count INTEGER NOT NULL DEFAULT 0 CHECK (public_artwork_count >= 0);

UPDATE categories SET public_artwork_count = (
    SELECT count(*) FROM artworks a WHERE a.category_id = categories.id AND a.availability_status <> 'private');

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
