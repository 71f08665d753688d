-- +goose Up
-- The pages' sessions (broker/web), shared by every broker instance behind
-- a balancer. token_hash is the SHA-256 of the session's cookie value, so
-- whoever reads this table cannot present a session; data is scs's
-- encoded session (the signed-in bearer token and the CSRF token); expiry
-- is Unix nanoseconds (UTC).
CREATE TABLE web_sessions (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    data       BLOB   NOT NULL,
    expiry     BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expiry);

-- +goose Down
DROP TABLE web_sessions;
