-- Version 11 (issue 21): sales. Artworks gain editions, accounts a directory setting, and
-- notifications three kinds (enquiry, offer, order), which means rebuilding that table: SQLite
-- cannot change a CHECK in place. The two triggers that name it are dropped first, so the
-- rebuild's RENAME does not trip over them, and made again after.

ALTER TABLE artworks ADD COLUMN edition_size INTEGER CHECK (edition_size IS NULL OR edition_size BETWEEN 1 AND 1000000);
ALTER TABLE artworks ADD COLUMN editions_remaining INTEGER CHECK (editions_remaining IS NULL OR editions_remaining >= 0);
ALTER TABLE portfolio_settings ADD COLUMN listed_in_directory INTEGER NOT NULL DEFAULT 1 CHECK (listed_in_directory IN (0, 1));

DROP TRIGGER commissions_notifications_delete;
DROP TRIGGER exhibitions_notifications_delete;

CREATE TABLE notifications_v11 (
    id                  TEXT PRIMARY KEY,
    recipient_id        TEXT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'reply', 'follow', 'commission',
                                                      'exhibition', 'copy_alert', 'enquiry', 'offer',
                                                      'order')),
    actor_id            TEXT REFERENCES artists (id) ON DELETE CASCADE,
    artwork_id          TEXT REFERENCES artworks (id) ON DELETE CASCADE,
    comment_id          TEXT REFERENCES artwork_comments (id) ON DELETE CASCADE,
    subject_id          TEXT,
    data                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object'),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    read_at             TEXT
);

INSERT INTO notifications_v11 (id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at,
                               read_at)
SELECT id, recipient_id, kind, actor_id, artwork_id, comment_id, subject_id, data, created_at, read_at
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v11 RENAME TO notifications;
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

CREATE TABLE enquiry_messages (
    id                  INTEGER PRIMARY KEY,
    enquiry_id          TEXT NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
    author_id           TEXT REFERENCES artists (id) ON DELETE SET NULL,
    body                TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX enquiry_messages_enquiry ON enquiry_messages (enquiry_id, id);
CREATE INDEX enquiry_messages_author ON enquiry_messages (author_id);

CREATE TRIGGER enquiry_messages_count AFTER INSERT ON enquiry_messages BEGIN
    UPDATE enquiries
    SET message_count = message_count + 1, last_message_at = NEW.created_at,
        status = CASE WHEN status = 'closed' THEN 'closed'
                      WHEN NEW.author_id = artist_id THEN 'answered' ELSE 'open' END
    WHERE id = NEW.enquiry_id;
END;

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
    CHECK (subtotal = unit_price * quantity AND total = subtotal + tax + shipping),
    CHECK (is_edition = 1 OR quantity = 1)
);
-- An original is held by one live order at a time: the second buyer's INSERT fails here.
CREATE UNIQUE INDEX orders_one_holder_per_original ON orders (artwork_id)
    WHERE is_edition = 0 AND status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'completed');
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
          AND total_base IS NOT NULL;

-- Every money and status change of offers and orders, appended and never rewritten. actor_role
-- says on whose authority: buyer, artist, payment (a provider or the artist for a manual one),
-- or system (expiry). Ids are plain text, not foreign keys: the log outlives what it logs.
CREATE TABLE sales_events (
    id                  INTEGER PRIMARY KEY,
    order_id            TEXT,
    offer_id            TEXT,
    actor_id            TEXT,
    actor_role          TEXT NOT NULL CHECK (actor_role IN ('buyer', 'artist', 'payment', 'system')),
    kind                TEXT NOT NULL,
    amount              INTEGER,
    currency            TEXT,
    provider            TEXT,
    reference           TEXT,
    note                TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (order_id IS NOT NULL OR offer_id IS NOT NULL)
);
CREATE INDEX sales_events_order ON sales_events (order_id, id) WHERE order_id IS NOT NULL;
CREATE INDEX sales_events_offer ON sales_events (offer_id, id) WHERE offer_id IS NOT NULL;

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
WHEN NEW.status = 'paid' AND OLD.status = 'pending_payment' AND NEW.category_id IS NOT NULL BEGIN
    INSERT INTO market_demand (day, category_id, kind, count) VALUES (substr(NEW.paid_at, 1, 10), NEW.category_id,
                                                                      'order', 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER market_demand_order_recorded AFTER INSERT ON orders
WHEN NEW.paid_at IS NOT NULL AND NEW.category_id IS NOT NULL BEGIN
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
