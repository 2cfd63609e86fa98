-- Bearer tokens of the HTTP API. Only the SHA-256 of a token is stored; the token itself
-- is shown once, when it is created.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    -- Lower-case hex SHA-256 of the token.
    token_hash TEXT NOT NULL UNIQUE,
    -- 'read' (GET) or 'write' (everything).
    scope TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
