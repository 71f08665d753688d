package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/cmd/federation/internal/seed"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

const seedUsage = `Usage: federation seed --bookings N [--citizens M] [--regions 77,78] --config FILE | --data DIR

Fills the store with N finished bookings of M citizens (1 to 40 each; the
first 1% have 40): confirmed, visited, no-show, cancelled, rejected and
failed in realistic shares, slots over the last two years and the next six
months, each with its timeline, the citizen's patient keys, the clinic
events of its visit, and the idempotency records of the last four days'
requests. It writes straight into the store in large transactions, never
through the API: nothing goes to the outbox, so nothing reaches Kafka, and
the analysts' read model (fed by events only) counts none of them; seed
nothing into a store whose analytics must add up.

Seeding the same store again needs another --seed (ids repeat with the
seed) and another --prefix (else the citizens get more bookings than 40).
Citizen i is the subject PREFIX+i (seed-0, seed-1, ...), pseudonymised
with the store's key (the config's secrets.pseudonym_key, or the demo's
keys in --data), so a token for it reads the seeded history
("federation loadgen --history"). Stop the broker first on SQLite: the
seed holds the one writer for each batch. Prints bookings/s, rows/s and
the store's size per booking. Flags:`

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", seedUsage)
	var t target
	t.storeFlags(fs)
	n := fs.Int("bookings", 0, "bookings to write")
	citizens := fs.Int("citizens", 0, "citizens sharing them (default bookings/20)")
	regions := fs.String("regions", "", "region codes to seed (default: the config's regions other than feed regions; 77,78,16,54,25 with --data)")
	prefix := fs.String("prefix", "seed-", "start of every seeded citizen's subject")
	batch := fs.Int("batch", 20000, "bookings per transaction")
	rngSeed := fs.Uint64("seed", 1, "random seed (the same seed writes the same history)")
	rebuild := fs.Bool("rebuild-indexes", false, "drop the secondary indexes of the seeded tables before and build them again after")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *n <= 0 || (t.config == "") == (t.data == "") {
		fs.Usage()
		return errors.New("give --bookings and one of --config and --data")
	}
	opts, codes, err := seedTarget(&t)
	if err != nil {
		return err
	}
	if *regions != "" {
		codes = splitCodes(*regions)
	}
	keys, err := auth.NewPseudonymizer(opts.PseudonymKey)
	if err != nil {
		return err
	}
	if err := system.Migrate(ctx, opts, newTextLogger(io.Discard)); err != nil {
		return err
	}
	db, err := sqldb.Open(system.DatabaseConfig(opts))
	if err != nil {
		return err
	}
	defer db.Close()
	bookings, err := store.New(ctx, db, store.Options{SkipMigrations: true})
	if err != nil {
		return err
	}
	defer bookings.Close()
	idem, err := idempotency.New(ctx, db, true, nil, nil)
	if err != nil {
		return err
	}
	if db.Dialect == sqldb.SQLite {
		// A page cache big enough for the indexes' hot pages: inserts into
		// indexes on random keys (ids, pseudonyms) otherwise read a page
		// from the file for nearly every row.
		if err := onWriter(ctx, db, `PRAGMA cache_size = -1048576`); err != nil {
			return err
		}
	}
	var indexes []seedIndex
	if *rebuild {
		if indexes, err = dropIndexes(ctx, db); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "seed: dropped %d indexes\n", len(indexes))
	}
	res, err := seed.Run(ctx, bookings, idem, keys, seed.Options{Bookings: *n, Citizens: *citizens, Regions: codes,
		Prefix: *prefix, Batch: *batch, Seed: *rngSeed, Progress: stderr})
	// The indexes come back even when the seed failed: a store without
	// them is no store to serve from.
	began := time.Now()
	for _, ix := range indexes {
		if _, ierr := db.W.ExecContext(context.WithoutCancel(ctx), ix.def); ierr != nil {
			err = errors.Join(err, fmt.Errorf("seed: rebuild index %s: %w", ix.name, ierr))
		}
	}
	rebuilt := time.Since(began)
	if err != nil {
		return err
	}
	size, err := storeSize(ctx, db, opts)
	if err != nil {
		return err
	}
	total := res.Elapsed + rebuilt
	fmt.Fprintf(stdout, "seeded %d bookings of %d citizens (%d with %d each; subjects %s0 to %s%d) in %s regions %s\n",
		res.Bookings, res.Citizens, res.Heavy, seed.MaxPerCitizen, *prefix, *prefix, res.Citizens-1, db.Dialect.Name, strings.Join(codes, ","))
	fmt.Fprintf(stdout, "  by status: %v\n", res.ByStatus)
	fmt.Fprintf(stdout, "  rows: %d timeline entries, %d patient keys, %d clinic events, %d idempotency records; %d in all\n",
		res.Timeline, res.PatientKeys, res.ClinicEvents, res.Idempotency, res.Rows())
	fmt.Fprintf(stdout, "  time: %s (%.0f bookings/s, %.0f rows/s)", total.Round(time.Second),
		float64(res.Bookings)/total.Seconds(), float64(res.Rows())/total.Seconds())
	if *rebuild {
		fmt.Fprintf(stdout, ", of which %s rebuilding %d indexes", rebuilt.Round(time.Second), len(indexes))
	}
	fmt.Fprintf(stdout, "\n  store: %.1f MiB, %.0f bytes per booking (%s)\n", float64(size.bytes)/(1<<20),
		float64(size.bytes)/float64(res.Bookings), size.what)
	return nil
}

// seedTarget is the store and keys seed writes with, and the regions it
// seeds by default: the config's (feed regions' bookings are answered by
// operators, a history this seed does not write), or the bench's five.
func seedTarget(t *target) (system.Options, []string, error) {
	if t.config == "" {
		keys, err := demoKeys(t.data + "/demo-keys.json")
		if err != nil {
			return system.Options{}, nil, err
		}
		return system.Options{DataDir: t.data, PseudonymKey: keys.Pseudonym}, splitCodes("77,78,16,54,25"), nil
	}
	cfg, err := loadConfig(t.config)
	if err != nil {
		return system.Options{}, nil, err
	}
	opts, err := cfg.options(newTextLogger(io.Discard))
	if err != nil {
		return system.Options{}, nil, err
	}
	var codes []string
	for _, r := range cfg.Regions {
		if r.Kind != "feed" {
			codes = append(codes, r.Code)
		}
	}
	return opts, codes, nil
}

func splitCodes(v string) []string {
	var out []string
	for _, c := range strings.Split(v, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// seededTables are the tables seed writes.
var seededTables = []string{"bookings", "booking_timeline", "booking_patient_keys", "clinic_events_applied", "idempotency_records"}

type seedIndex struct{ name, def string }

// dropIndexes drops the secondary indexes of the seeded tables (never a
// primary key's or a unique constraint's) and returns their definitions.
func dropIndexes(ctx context.Context, db *sqldb.DB) ([]seedIndex, error) {
	in := "'" + strings.Join(seededTables, "', '") + "'"
	query := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (` + in + `) ORDER BY name`
	if db.Dialect == sqldb.Postgres {
		query = `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename IN (` + in + `)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname`
	}
	rows, err := db.W.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("seed: list indexes: %w", err)
	}
	var out []seedIndex
	for rows.Next() {
		var ix seedIndex
		if err := rows.Scan(&ix.name, &ix.def); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ix)
	}
	rows.Close()
	for _, ix := range out {
		if _, err := db.W.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			return nil, fmt.Errorf("seed: drop index %s: %w", ix.name, err)
		}
	}
	return out, rows.Err()
}

type sizeOf struct {
	bytes int64
	what  string
}

// storeSize is the database's size: on SQLite the file's after a
// checkpoint (the whole database: other stores' tables too, a few pages);
// on PostgreSQL the seeded tables' pg_total_relation_size (indexes and
// TOAST included).
func storeSize(ctx context.Context, db *sqldb.DB, opts system.Options) (sizeOf, error) {
	if db.Dialect == sqldb.Postgres {
		var n int64
		q := `SELECT COALESCE(SUM(pg_total_relation_size(quote_ident(t))), 0) FROM unnest($1::text[]) t`
		if err := db.W.QueryRowContext(ctx, q, "{"+strings.Join(seededTables, ",")+"}").Scan(&n); err != nil {
			return sizeOf{}, fmt.Errorf("seed: table sizes: %w", err)
		}
		return sizeOf{n, "pg_total_relation_size of " + strings.Join(seededTables, ", ")}, nil
	}
	if err := onWriter(ctx, db, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return sizeOf{}, fmt.Errorf("seed: checkpoint: %w", err)
	}
	path := system.DatabaseConfig(opts).Path
	fi, err := os.Stat(path)
	if err != nil {
		return sizeOf{}, err
	}
	return sizeOf{fi.Size(), "file size of " + path + " after a checkpoint"}, nil
}

// onWriter runs a pragma on SQLite's one writing connection itself, outside
// any transaction (the writer pool's statements join the group commit's,
// where a checkpoint cannot run).
func onWriter(ctx context.Context, db *sqldb.DB, pragma string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, pragma)
	return err
}
