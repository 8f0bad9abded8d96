-- Licensing and print-on-demand (issue 22). Orders gain a kind (the work, a print of it, a
-- licence's fee), sales_events a licence id and the licensing and fulfilment roles, and
-- notifications the kind 'license'. SQLite cannot change a CHECK in place, so those three tables
-- are rebuilt; the triggers that name them are dropped first and made again after.

DROP TRIGGER commissions_notifications_delete;
DROP TRIGGER exhibitions_notifications_delete;
DROP TRIGGER artworks_edition_size_update;
DROP TRIGGER artworks_privacy_orders;
DROP TRIGGER artworks_delete_orders;
DROP TRIGGER enquiries_notifications_delete;
DROP TRIGGER offers_notifications_delete;

CREATE TABLE notifications_v12 (
    id                  TEXT PRIMARY KEY,
    recipient_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'reply', 'follow', 'commission',
                                                      'exhibition', 'copy_alert', 'enquiry', 'offer',
                                                      'order', 'license')),
    actor_id            TEXT REFERENCES artists (id) ON DELETE CASCADE,
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE CASCADE,
    comment_id          TEXT REFERENCES artwork_comments (id) ON DELETE CASCADE,
    subject_id          TEXT,
    data                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object'),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    read_at             TEXT
);

CREATE TABLE orders_v12 (
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

CREATE TABLE sales_events_v12 (
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

INSERT INTO notifications_v12 (id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at, read_at)
SELECT id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v12 RENAME TO notifications;

INSERT INTO orders_v12 (id, artwork_id, artist_id, buyer_id, offer_id, title, medium, category_id, is_edition, quantity, currency, unit_price, subtotal, tax, shipping, total, total_base, base_currency, rate_as_of, provider, status, shipping_address, carrier, tracking_number, note, synthetic, public, expires_at, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, refunded_at, created_at, updated_at)
SELECT id, artwork_id, artist_id, buyer_id, offer_id, title, medium, category_id, is_edition, quantity, currency, unit_price, subtotal, tax, shipping, total, total_base, base_currency, rate_as_of, provider, status, shipping_address, carrier, tracking_number, note, synthetic, public, expires_at, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, refunded_at, created_at, updated_at FROM orders;
DROP TABLE orders;
ALTER TABLE orders_v12 RENAME TO orders;

INSERT INTO sales_events_v12 (id, order_id, offer_id, actor_id, actor_role, kind, amount, currency, provider, reference, note, created_at)
SELECT id, order_id, offer_id, actor_id, actor_role, kind, amount, currency, provider, reference, note, created_at FROM sales_events;
DROP TABLE sales_events;
ALTER TABLE sales_events_v12 RENAME TO sales_events;

CREATE INDEX notifications_recipient_inbox ON notifications (recipient_id, read_at IS NULL, created_at);

CREATE INDEX notifications_actor_id ON notifications (actor_id);

CREATE INDEX notifications_artwork_id ON notifications (artwork_id);

CREATE INDEX notifications_comment_id ON notifications (comment_id);

CREATE INDEX notifications_subject_id ON notifications (subject_id) WHERE subject_id IS NOT NULL;

CREATE UNIQUE INDEX orders_one_holder_per_original ON orders (artwork_id)
    WHERE kind = 'artwork' AND is_edition = 0
          AND status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed');

CREATE INDEX orders_artwork ON orders (artwork_id, status);

CREATE INDEX orders_buyer ON orders (buyer_id, created_at);

CREATE INDEX orders_artist ON orders (artist_id, created_at);

CREATE INDEX orders_artist_paid ON orders (artist_id, paid_at) WHERE paid_at IS NOT NULL;

CREATE INDEX orders_offer ON orders (offer_id);

CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending_payment';

CREATE INDEX orders_market ON orders (medium, category_id, paid_at, total_base, synthetic)
    WHERE paid_at IS NOT NULL AND status NOT IN ('cancelled', 'refunded') AND public = 1
          AND total_base IS NOT NULL AND kind = 'artwork';

CREATE INDEX sales_events_order ON sales_events (order_id, id) WHERE order_id IS NOT NULL;

CREATE INDEX sales_events_offer ON sales_events (offer_id, id) WHERE offer_id IS NOT NULL;

CREATE INDEX sales_events_license ON sales_events (license_id, id) WHERE license_id IS NOT NULL;

CREATE TRIGGER sales_events_no_update BEFORE UPDATE ON sales_events BEGIN
    SELECT RAISE(ABORT, 'sales events are append-only');
END;

CREATE TRIGGER sales_events_no_delete BEFORE DELETE ON sales_events BEGIN
    SELECT RAISE(ABORT, 'sales events are append-only');
END;

CREATE TRIGGER orders_edition_hold AFTER INSERT ON orders WHEN NEW.is_edition = 1 BEGIN
    UPDATE artworks SET editions_remaining = editions_remaining - NEW.quantity WHERE id = NEW.artwork_id;
END;

CREATE TRIGGER orders_edition_release AFTER UPDATE OF status ON orders
WHEN NEW.is_edition = 1 AND NEW.status IN ('cancelled', 'refunded')
     AND OLD.status NOT IN ('cancelled', 'refunded') BEGIN
    UPDATE artworks SET editions_remaining = editions_remaining + NEW.quantity WHERE id = NEW.artwork_id;
END;

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

CREATE TRIGGER commissions_notifications_delete AFTER DELETE ON commissions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'commission';
END;

CREATE TRIGGER exhibitions_notifications_delete AFTER DELETE ON exhibitions BEGIN
    DELETE FROM notifications WHERE subject_id = OLD.id AND kind = 'exhibition';
END;

CREATE TRIGGER artworks_edition_size_update AFTER UPDATE OF edition_size ON artworks BEGIN
    UPDATE artworks
    SET editions_remaining = CASE WHEN NEW.edition_size IS NULL THEN NULL ELSE NEW.edition_size - (
            SELECT coalesce(sum(quantity), 0) FROM orders
            WHERE artwork_id = NEW.id AND is_edition = 1
              AND status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed')) END
    WHERE id = NEW.id;
END;

CREATE TRIGGER artworks_privacy_orders AFTER UPDATE OF availability_status ON artworks
WHEN (OLD.availability_status = 'private') <> (NEW.availability_status = 'private') BEGIN
    UPDATE orders SET public = (NEW.availability_status <> 'private') WHERE artwork_id = NEW.id;
END;

CREATE TRIGGER artworks_delete_orders BEFORE DELETE ON artworks BEGIN
    UPDATE orders SET public = 0 WHERE artwork_id = OLD.id;
END;

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
