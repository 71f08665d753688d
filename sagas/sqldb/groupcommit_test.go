package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fedhealth/federation/sagas/sqldb"
)

func openSQLite(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(t.TempDir(), "g.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.W.ExecContext(context.Background(), "CREATE TABLE g (k TEXT PRIMARY KEY, v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func keys(t *testing.T, db *sqldb.DB) map[string]bool {
	t.Helper()
	rows, err := db.R.QueryContext(context.Background(), "SELECT k FROM g")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	return out
}

// Many writers at once are committed together, each all or nothing: the
// ones that fail (an error after their first write, a duplicate key, a
// panic) leave nothing, every other one is there, and each learns its own
// outcome.
func TestConcurrentTransactionsCommitTogetherEachAllOrNothing(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	errOwn := errors.New("refused by its own rule")
	const n = 300
	var wg sync.WaitGroup
	results := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			results[i] = db.InTx(ctx, func(tx sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES (?, 1)", fmt.Sprintf("a%d", i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errOwn // after a write: the write must go
				case 5:
					_, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES (?, 2)", fmt.Sprintf("a%d", i))
					return err // a constraint violation
				case 7:
					panic(fmt.Sprintf("writer %d panicked", i))
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES (?, 1)", fmt.Sprintf("b%d", i))
				return err
			})
		}()
	}
	wg.Wait()
	got := keys(t, db)
	for i := range n {
		a, b := got[fmt.Sprintf("a%d", i)], got[fmt.Sprintf("b%d", i)]
		switch i % 10 {
		case 3:
			if !errors.Is(results[i], errOwn) || a || b {
				t.Errorf("writer %d: %v, rows %v %v; want its own error and nothing kept", i, results[i], a, b)
			}
		case 5:
			if results[i] == nil || a || b {
				t.Errorf("writer %d: %v, rows %v %v; want the constraint error and nothing kept", i, results[i], a, b)
			}
		case 7:
			if panics[i] != fmt.Sprintf("writer %d panicked", i) || a || b {
				t.Errorf("writer %d: panic %v, rows %v %v; want its panic in its own goroutine and nothing kept", i, panics[i], a, b)
			}
		default:
			if results[i] != nil || !a || !b {
				t.Errorf("writer %d: %v, rows %v %v; want both rows", i, results[i], a, b)
			}
		}
	}
}

func TestACallerThatLeftBeforeItsTurnWritesNothing(t *testing.T) {
	db := openSQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.InTx(ctx, func(tx sqldb.Tx) error {
		_, err := tx.ExecContext(context.Background(), "INSERT INTO g (k, v) VALUES ('late', 1)")
		return err
	})
	if !errors.Is(err, context.Canceled) || keys(t, db)["late"] {
		t.Fatalf("err %v, rows %v; want context.Canceled and nothing written", err, keys(t, db))
	}
}

func TestAfterCloseATransactionIsRefused(t *testing.T) {
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.InTx(context.Background(), func(sqldb.Tx) error { return nil }); err == nil {
		t.Fatal("InTx after Close succeeded")
	}
}

// One writer at a time (each alone in its batch, a plain transaction)
// keeps the same promises: its error or panic leaves nothing, success
// keeps all.
func TestATransactionAloneInItsBatchIsAllOrNothing(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	insert := func(tx sqldb.Tx, k string) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES (?, 1)", k)
		return err
	}
	errOwn := errors.New("refused")
	if err := db.InTx(ctx, func(tx sqldb.Tx) error { _ = insert(tx, "e"); return errOwn }); !errors.Is(err, errOwn) {
		t.Fatalf("err %v, want its own", err)
	}
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("panic %v, want boom in the caller", p)
			}
		}()
		_ = db.InTx(ctx, func(tx sqldb.Tx) error { _ = insert(tx, "p"); panic("boom") })
	}()
	if err := db.InTx(ctx, func(tx sqldb.Tx) error { return errors.Join(insert(tx, "ok1"), insert(tx, "ok2")) }); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, db); len(got) != 2 || !got["ok1"] || !got["ok2"] {
		t.Fatalf("rows %v, want ok1 and ok2 only", got)
	}
}

// Lone statements on the writer pool join the batches, each atomic on its
// own: of concurrent inserts, the duplicates fail with their own error,
// every other lands and reports its row, and an InTx beside them is
// committed too.
func TestLoneWritesJoinTheGroupCommitEachOnItsOwn(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	affected := make([]int64, n)
	for i := range n {
		wg.Go(func() {
			res, err := db.W.ExecContext(ctx, "INSERT INTO g (k, v) VALUES (?, ?)", fmt.Sprint("k", i%150), i)
			errs[i] = err
			if err == nil {
				affected[i], _ = res.RowsAffected()
			}
		})
	}
	wg.Go(func() {
		if err := db.InTx(ctx, func(tx sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES ('tx', 0)")
			return err
		}); err != nil {
			t.Errorf("the transaction beside them: %v", err)
		}
	})
	wg.Wait()
	failed := 0
	for i, err := range errs {
		switch {
		case err != nil && !sqldb.IsUniqueViolation(err):
			t.Errorf("insert %d: %v, want nil or a unique violation", i, err)
		case err != nil:
			failed++
		case affected[i] != 1:
			t.Errorf("insert %d reports %d rows", i, affected[i])
		}
	}
	if got := keys(t, db); failed != n-150 || len(got) != 151 || !got["tx"] {
		t.Errorf("%d inserts failed and %d keys landed; want the 50 duplicates refused, 150 keys and the transaction's", failed, len(got))
	}
}

// A caller whose context ends while its transaction runs does not
// interrupt the batch's statements: SQLite would roll back the whole
// shared transaction. What its fn returns decides, as for any other.
func TestACallerCancelledMidTransactionDoesNotInterruptTheBatch(t *testing.T) {
	db := openSQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.InTx(ctx, func(tx sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES ('before', 1)"); err != nil {
			return err
		}
		cancel() // the caller hangs up mid-transaction
		_, err := tx.ExecContext(ctx, "INSERT INTO g (k, v) VALUES ('after', 2)")
		return err
	})
	if got := keys(t, db); err != nil || !got["before"] || !got["after"] {
		t.Fatalf("InTx: %v, rows %v; want both writes committed", err, got)
	}
	if _, err := db.W.ExecContext(ctx, "INSERT INTO g (k, v) VALUES ('late', 3)"); err == nil {
		t.Error("a lone write whose context had ended before its turn ran anyway")
	}
}
