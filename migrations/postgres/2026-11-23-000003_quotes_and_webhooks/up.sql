-- Payment quotes (the methods usable for a currency, country, channel and amount, for a
-- while) and webhooks: subscriptions, the fan-out of outbox events to them, deliveries with
-- their retry schedule, and every attempt.

CREATE TABLE payment_quotes (
    -- An opaque random id, not a counter: quotes are fetched by id without a token scope.
    id TEXT PRIMARY KEY,
    currency_code TEXT NOT NULL,
    country_code TEXT NOT NULL,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    amount BIGINT,
    -- The usable method codes, by position, space-separated.
    methods TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    -- Space-separated event types; empty means every type.
    events TEXT NOT NULL,
    -- Kept as given: deliveries are signed with it.
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- How far the outbox has been fanned out to subscriptions: one row, locked by the worker
-- that advances it.
CREATE TABLE webhook_dispatch (
    id INTEGER PRIMARY KEY,
    last_event_id BIGINT NOT NULL
);
INSERT INTO webhook_dispatch (id, last_event_id) VALUES (1, 0);

CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES payment_events (id),
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- pending, delivered or failed.
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- Retries stop here (7 days after the event, or after a replay).
    deadline TIMESTAMP NOT NULL,
    -- While a worker delivers, no other may take the delivery.
    lease_until TIMESTAMP,
    lease_owner TEXT,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    -- The receiver's HTTP status, or NULL when there was none (then see error).
    status_code INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
