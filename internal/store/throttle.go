package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The login throttle (README, Security). Every attempt first reserves a
// failure, in one write transaction, on two counters: the account from this
// address ("pair") and the account from every address ("acct"). Only then
// is the password checked; a success gives the reservation back. So parallel
// guesses cannot all read "no failures yet" before any of them is counted.
//
//   - pair: PairFreeFailures attempts are free; from then on each attempt
//     waits 1 s, 2 s, 4 s … (at most PairMaxLock) after the previous one.
//     A pair quiet for pairForget starts again at zero.
//   - acct: at most AccountBudget failures per AccountWindow from all
//     addresses together; the attempt that spends the budget locks the
//     account for at most AccountLock (less when the window ends sooner),
//     after which a new window starts. The lock does not apply to an
//     address the account logged in from successfully within KnownFor: an
//     attacker spraying guesses from many addresses does not keep the real
//     user out of their usual place, and from a new address for at most
//     AccountLock.
const (
	PairFreeFailures = 3
	PairMaxLock      = 15 * time.Minute
	pairForget       = time.Hour
	AccountBudget    = 10
	AccountWindow    = 15 * time.Minute
	AccountLock      = 5 * time.Minute
	KnownFor         = 30 * 24 * time.Hour
	// guardForget: counters (not known addresses) untouched this long are
	// deleted now and then.
	guardForget = 24 * time.Hour
)

type guardRow struct {
	failures              int
	last, window, lockEnd int64
}

func guardKeys(username, ip string) (pair, acct, known string) {
	u := strings.ToLower(strings.TrimSpace(username))
	return "pair:" + u + "|" + ip, "acct:" + u, "known:" + u + "|" + ip
}

// BeginLogin reserves a login attempt of username from ip before its
// password is checked. When the attempt must wait, it returns how long and
// reserves nothing; otherwise the attempt is counted as a failure until
// LoginSucceeded gives it back.
func (db *DB) BeginLogin(ctx context.Context, username, ip string) (time.Duration, error) {
	pairKey, acctKey, knownKey := guardKeys(username, ip)
	now := ms(db.now())
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	defer tx.Rollback()
	if err := db.lockLoginAccount(ctx, tx, acctKey); err != nil {
		return 0, err
	}
	lock := ""
	if db.dialect == Postgres {
		// Make both rows exist, then lock them in key order ("acct:" <
		// "pair:"): concurrent attempts on one account queue here.
		if _, err := db.exec(ctx, tx, `INSERT INTO login_guard (key) VALUES (?), (?) ON CONFLICT (key) DO NOTHING`, acctKey, pairKey); err != nil {
			return 0, fmt.Errorf("login throttle: %w", err)
		}
		lock = " ORDER BY key FOR UPDATE"
	}
	// On SQLite the transaction is BEGIN IMMEDIATE: it already excludes
	// every other writer.
	rows, err := db.query(ctx, tx, `SELECT key, failures, last_at, window_at, locked_until FROM login_guard WHERE key IN (?, ?, ?)`+lock, acctKey, pairKey, knownKey)
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	got := map[string]guardRow{}
	for rows.Next() {
		var k string
		var g guardRow
		if err := rows.Scan(&k, &g.failures, &g.last, &g.window, &g.lockEnd); err != nil {
			rows.Close()
			return 0, fmt.Errorf("login throttle: %w", err)
		}
		got[k] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	pair, acct := got[pairKey], got[acctKey]
	known, isKnown := got[knownKey]
	isKnown = isKnown && now-known.last < KnownFor.Milliseconds()

	var wait int64
	if now-pair.last >= pairForget.Milliseconds() {
		pair = guardRow{}
	}
	if pair.failures >= PairFreeFailures {
		step := time.Duration(1<<min(pair.failures-PairFreeFailures, 20)) * time.Second
		if until := pair.last + min(step, PairMaxLock).Milliseconds(); until > now {
			wait = until - now
		}
	}
	if acct.window == 0 || now-acct.window >= AccountWindow.Milliseconds() || (acct.lockEnd != 0 && now >= acct.lockEnd) {
		acct = guardRow{window: now}
	}
	if !isKnown && acct.lockEnd > now {
		wait = max(wait, acct.lockEnd-now)
	}
	if wait > 0 {
		return time.Duration(wait) * time.Millisecond, nil
	}

	pair.failures++
	pair.last = now
	acct.failures++
	acct.last = now
	if acct.failures >= AccountBudget && acct.lockEnd == 0 {
		acct.lockEnd = min(acct.window+AccountWindow.Milliseconds(), now+AccountLock.Milliseconds())
	}
	for k, g := range map[string]guardRow{pairKey: pair, acctKey: acct} {
		if _, err := db.exec(ctx, tx, `INSERT INTO login_guard (key, failures, last_at, window_at, locked_until) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, window_at = excluded.window_at, locked_until = excluded.locked_until`,
			k, g.failures, g.last, g.window, g.lockEnd); err != nil {
			return 0, fmt.Errorf("login throttle: %w", err)
		}
	}
	var b [1]byte
	if _, err := rand.Read(b[:]); err == nil && b[0] == 0 {
		// Now and then (1 in 256 attempts) forget old counters, so guesses
		// at many names do not grow the table for ever.
		if _, err := db.exec(ctx, tx, `DELETE FROM login_guard WHERE last_at < ? AND key NOT LIKE 'known:%'`, now-guardForget.Milliseconds()); err != nil {
			return 0, fmt.Errorf("login throttle: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	return 0, nil
}

// LoginSucceeded gives back the attempt BeginLogin reserved: the address's
// failures of the account are cleared, the account's budget gets its slot
// back, and the address is remembered as one the account logs in from.
func (db *DB) LoginSucceeded(ctx context.Context, username, ip string) error {
	pairKey, acctKey, knownKey := guardKeys(username, ip)
	now := ms(db.now())
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	defer tx.Rollback()
	if err := db.lockLoginAccount(ctx, tx, acctKey); err != nil {
		return err
	}
	if _, err := db.exec(ctx, tx, `DELETE FROM login_guard WHERE key = ?`, pairKey); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	if _, err := db.exec(ctx, tx, `UPDATE login_guard SET failures = failures - 1 WHERE key = ? AND failures > 0`, acctKey); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	if _, err := db.exec(ctx, tx, `INSERT INTO login_guard (key, last_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at`, knownKey, now); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	return tx.Commit()
}

// lockLoginAccount serialises, on PostgreSQL, every throttle transaction of
// one account before it touches a row: BeginLogin and LoginSucceeded lock
// the account's and the address's rows in different orders, which
// deadlocked under 40 parallel attempts (SQLSTATE 40P01, answered 500).
// SQLite's BEGIN IMMEDIATE already excludes every other writer.
func (db *DB) lockLoginAccount(ctx context.Context, tx *sql.Tx, acctKey string) error {
	if db.dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/rastro-login:' || $1))`, acctKey); err != nil {
		return fmt.Errorf("login throttle: lock account: %w", err)
	}
	return nil
}
