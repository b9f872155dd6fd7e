-- Login throttle, reserved before the password is checked (store/throttle.go).
-- One row per key: "pair:USER|IP" (failures of one account from one address),
-- "acct:USER" (failures of one account from every address in a window) and
-- "known:USER|IP" (last successful login of the account from the address).
-- The old per-(username, IP) counters are dropped: they start again at zero.
DROP TABLE login_throttle;
CREATE TABLE login_guard (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_at {{bigint}} NOT NULL DEFAULT 0,
    window_at {{bigint}} NOT NULL DEFAULT 0,
    locked_until {{bigint}} NOT NULL DEFAULT 0
);
