-- The core tables: channels, payment methods, orders, payments, their transition history,
-- the event outbox and the list counters. The SQLite and PostgreSQL migrations differ only
-- in the id column type; timestamps are UTC without a zone on both.

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    hostname TEXT,
    color TEXT,
    enabled BOOLEAN NOT NULL,
    tax_calculation_strategy TEXT NOT NULL,
    base_currency TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    instructions TEXT,
    position INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    gateway_factory TEXT NOT NULL,
    -- A JSON object.
    gateway_config TEXT NOT NULL,
    min_amount BIGINT,
    max_amount BIGINT,
    -- Space-separated ISO 4217 codes; empty accepts any currency.
    currencies TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_methods_position ON payment_methods (position, id);

CREATE TABLE payment_method_channels (
    payment_method_id BIGINT NOT NULL REFERENCES payment_methods (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (payment_method_id, channel_id)
);
CREATE INDEX payment_method_channels_channel ON payment_method_channels (channel_id);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    currency_code TEXT NOT NULL,
    total BIGINT NOT NULL CHECK (total >= 0),
    payment_state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orders_channel ON orders (channel_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    -- The order's channel, copied so that lists filter by channel through an index.
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    method_id BIGINT REFERENCES payment_methods (id),
    currency_code TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    state TEXT NOT NULL,
    description TEXT,
    -- JSON, at most 1 KiB.
    metadata TEXT,
    -- The idempotency key.
    external_ref TEXT UNIQUE,
    -- SHA-256 of the request that created the payment, to tell a replay from a misuse.
    request_fingerprint TEXT,
    -- A JSON object.
    details TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    authorized_at TIMESTAMP,
    completed_at TIMESTAMP,
    failed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    refunded_at TIMESTAMP
);
-- Every supported sort (amount, created_at, updated_at; ties by id) has an index, alone and
-- behind every single-column filter, so a list page is an index range scan, never a scan
-- plus sort.
CREATE INDEX payments_order ON payments (order_id, id);
CREATE INDEX payments_amount ON payments (amount, id);
CREATE INDEX payments_created ON payments (created_at, id);
CREATE INDEX payments_updated ON payments (updated_at, id);
CREATE INDEX payments_state_amount ON payments (state, amount, id);
CREATE INDEX payments_state_created ON payments (state, created_at, id);
CREATE INDEX payments_state_updated ON payments (state, updated_at, id);
CREATE INDEX payments_method_amount ON payments (method_id, amount, id);
CREATE INDEX payments_method_created ON payments (method_id, created_at, id);
CREATE INDEX payments_method_updated ON payments (method_id, updated_at, id);
CREATE INDEX payments_channel_amount ON payments (channel_id, amount, id);
CREATE INDEX payments_channel_created ON payments (channel_id, created_at, id);
CREATE INDEX payments_channel_updated ON payments (channel_id, updated_at, id);
CREATE INDEX payments_currency_amount ON payments (currency_code, amount, id);
CREATE INDEX payments_currency_created ON payments (currency_code, created_at, id);
CREATE INDEX payments_currency_updated ON payments (currency_code, updated_at, id);

-- Every applied transition, written in the transaction that applies it.
CREATE TABLE payment_transitions (
    id INTEGER PRIMARY KEY,
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    transition TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_transitions_payment ON payment_transitions (payment_id, id);

-- The outbox: one row per payment event, written in the transaction of the change, so no
-- event is lost and none describes a change that rolled back.
CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY,
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    event_type TEXT NOT NULL,
    payment_version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

-- Exact row counts per list filter (all, state, method, channel, currency), kept in the
-- transaction of every insert and state change so list totals never count rows. PostgreSQL
-- spreads each counter over several shards so concurrent writers do not queue on one row.
CREATE TABLE payment_counters (
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    shard INTEGER NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (dimension, value, shard)
);
