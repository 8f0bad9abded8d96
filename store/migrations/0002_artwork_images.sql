-- Version 2: artworks get their image pipeline (content address, EXIF, quality), image analysis
-- tables, counted views, colour tags, category kinds and the default taxonomy.

ALTER TABLE categories ADD COLUMN kind TEXT NOT NULL DEFAULT 'category' CHECK (kind IN ('category', 'medium'));

ALTER TABLE artworks ADD COLUMN image_sha256 TEXT CHECK (image_sha256 IS NULL OR length(image_sha256) = 64);
ALTER TABLE artworks ADD COLUMN image_format TEXT;
ALTER TABLE artworks ADD COLUMN image_view_count INTEGER NOT NULL DEFAULT 0 CHECK (image_view_count >= 0);
ALTER TABLE artworks ADD COLUMN exif TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(exif) AND json_type(exif) = 'object');
ALTER TABLE artworks ADD COLUMN quality TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(quality) AND json_type(quality) = 'object');
ALTER TABLE artworks ADD COLUMN quality_score REAL CHECK (quality_score IS NULL OR quality_score BETWEEN 0 AND 1);
CREATE INDEX artworks_image_sha256 ON artworks (image_sha256);
CREATE INDEX artworks_medium ON artworks (medium COLLATE NOCASE);

ALTER TABLE artwork_tags ADD COLUMN source TEXT NOT NULL DEFAULT 'artist' CHECK (source IN ('artist', 'colour'));

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

-- Views are history: pruning old rows later must not lower the totals, so there is no delete twin.
CREATE TRIGGER artwork_views_count_insert AFTER INSERT ON artwork_views BEGIN
    UPDATE artworks SET view_count = view_count + (NEW.kind = 'page'),
                        image_view_count = image_view_count + (NEW.kind = 'image')
    WHERE id = NEW.artwork_id;
END;

-- Default taxonomy: disciplines with their sub-categories, and a flat list of mediums.
-- Curators add to it through POST /api/categories.
INSERT OR IGNORE INTO categories (id, name, description, parent_id, kind) VALUES
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
