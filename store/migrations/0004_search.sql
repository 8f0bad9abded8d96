-- Version 4: full-text search (FTS5) of artworks and accounts, the change log that per-process
-- rankers follow, and the TF-IDF model's tables. Existing rows are indexed at the end.

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

-- Index what is already there; the document triggers above fill the FTS tables.
INSERT INTO search_documents (artwork_id) SELECT id FROM artworks ORDER BY created_at, id;
INSERT INTO artist_search_documents (artist_id) SELECT id FROM artists ORDER BY created_at, id;
