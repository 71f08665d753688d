package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestAStoreThatRefusesWritesIsUnavailable(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		ctx := context.Background()
		db, _ := open(t)
		if err := db.WriteProbe(ctx); err != nil {
			t.Fatalf("probe of a writable store: %v", err)
		}
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		// Read-only as a full disk or a standby would make it.
		readOnly := map[string]string{"sqlite": "PRAGMA query_only = 1", "postgres": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"}
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, readOnly[db.Dialect.Name]); err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(ctx, `INSERT INTO t (id) VALUES (1)`)
		if err == nil {
			t.Fatal("the insert went through a read-only connection")
		}
		if got := sqldb.Classify(err); !errors.Is(got, contracts.ErrStoreUnavailable) || contracts.KindOf(got) != contracts.KindUnavailable {
			t.Errorf("Classify(%v) = %v, want the store unavailable", err, got)
		}
		if got := sqldb.Classify(errors.New("UNIQUE constraint failed")); errors.Is(got, contracts.ErrStoreUnavailable) {
			t.Error("a statement's own error is not the store's unavailability")
		}
		lost := fmt.Errorf("store: commit: %w", &net.OpError{Op: "read", Net: "tcp", Err: io.ErrUnexpectedEOF})
		if got := sqldb.Classify(lost); !errors.Is(got, contracts.ErrStoreUnavailable) {
			t.Errorf("a connection lost mid-statement: %v, want the store unavailable", got)
		}
		if got := sqldb.Classify(fmt.Errorf("store: begin: %w", context.Canceled)); errors.Is(got, contracts.ErrStoreUnavailable) {
			t.Error("the caller's own cancellation is not the store's unavailability")
		}
	})
}
