package sqldb

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
)

// Dialect is everything that differs between SQLite and PostgreSQL, kept in
// one place so the queries of every store are written once, with "?"
// placeholders.
type Dialect struct {
	// Name is "sqlite" or "postgres"; stores keep their migrations in a
	// folder of that name.
	Name  string
	goose goose.Dialect
	// numbered placeholders ($1, $2, ...) instead of "?".
	numbered bool
	// ForUpdate is appended to a read that precedes an update of the same
	// row: PostgreSQL locks the row so concurrent updates queue instead of
	// failing a version check; SQLite's immediate transactions already
	// serialise writers.
	ForUpdate string
	// rebound caches queries rewritten to numbered placeholders: the query
	// texts are constants, so each is rewritten once per process.
	rebound sync.Map // string -> string
}

// The two dialects.
var (
	SQLite   = &Dialect{Name: "sqlite", goose: goose.DialectSQLite3}
	Postgres = &Dialect{Name: "postgres", goose: goose.DialectPostgres, numbered: true, ForUpdate: " FOR UPDATE"}
)

// Bind returns query in the dialect's placeholder style. Only constant
// query texts may pass here (the cache keeps every text it sees); variable
// lists of values use List.
func (d *Dialect) Bind(query string) string {
	if !d.numbered {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	q := numberPlaceholders(query)
	d.rebound.Store(query, q)
	return q
}

// numberPlaceholders rewrites each "?" outside string literals to $1, $2, ...
func numberPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// List returns n placeholders separated by commas, for "IN (...)", as the
// only parameters of the query.
func (d *Dialect) List(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if d.numbered {
			b.WriteString("$" + strconv.Itoa(i+1))
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique or primary-key
// violation, in either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
