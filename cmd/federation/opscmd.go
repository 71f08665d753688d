package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/cmd/federation/internal/ops"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

// target is where the operator tools find the broker's store and Kafka:
// from the serve config, or from --data / --brokers for a demo.
type target struct {
	config, data, brokers, namespace string
}

// storeFlags are the flags of the tools that need only the store.
func (t *target) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&t.config, "config", "", "the broker's YAML config (the store is taken from it)")
	fs.StringVar(&t.data, "data", "", "without --config: the demo's --data directory (SQLite store)")
}

// kafkaFlags are the flags of the tools that read Kafka.
func (t *target) kafkaFlags(fs *flag.FlagSet) {
	fs.StringVar(&t.config, "config", "", "the broker's YAML config (Kafka is taken from it)")
	fs.StringVar(&t.brokers, "brokers", "", "Kafka bootstrap addresses, comma-separated (overrides the config)")
	fs.StringVar(&t.namespace, "namespace", "", "Kafka namespace (overrides the config's kafka.namespace)")
}

func (t *target) options() (system.Options, error) {
	var opts system.Options
	if t.config != "" {
		cfg, err := loadConfig(t.config)
		if err != nil {
			return opts, err
		}
		pg, err := cfg.postgresURL()
		if err != nil {
			return opts, err
		}
		opts = system.Options{DataDir: cfg.DataDir, PostgresURL: pg, KafkaBrokers: cfg.Kafka.Brokers, KafkaNamespace: cfg.Kafka.Namespace}
		if len(opts.KafkaBrokers) == 0 && cfg.Kafka.Listen != "" {
			opts.KafkaBrokers = []string{cfg.Kafka.Listen} // the running broker's embedded Kafka
		}
	} else {
		opts.DataDir = t.data
	}
	if t.brokers != "" {
		opts.KafkaBrokers = strings.Split(t.brokers, ",")
	}
	if t.namespace != "" {
		opts.KafkaNamespace = t.namespace
	}
	return opts, nil
}

// database opens the broker's database. Tools never change the schema;
// "migrate" does.
func (t *target) database() (*sqldb.DB, error) {
	opts, err := t.options()
	if err != nil {
		return nil, err
	}
	if opts.DataDir == "" && opts.PostgresURL == "" {
		return nil, fmt.Errorf("give --config, or --data for a demo's store")
	}
	return sqldb.Open(system.DatabaseConfig(opts))
}

// stores are the stores an operator tool works on, over one database.
type stores struct {
	db    *sqldb.DB
	saga  *store.DB
	trail *audit.Store
}

func (t *target) stores(ctx context.Context) (*stores, error) {
	db, err := t.database()
	if err != nil {
		return nil, err
	}
	st, err := store.New(ctx, db, store.Options{SkipMigrations: true})
	if err != nil {
		db.Close()
		return nil, err
	}
	trail, err := audit.New(ctx, db, audit.Options{SkipMigrations: true})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &stores{db: db, saga: st, trail: trail}, nil
}

func (s *stores) Close() error {
	s.saga.Close()
	return s.db.Close()
}

// operatorFlags are the flags that say who acts and why, for the audit
// trail; the function returned reads them once they are parsed.
func operatorFlags(fs *flag.FlagSet) func() ops.Operator {
	var op ops.Operator
	fs.StringVar(&op.Name, "operator", "", "who runs the command, for the audit trail (default $USER)")
	fs.StringVar(&op.Reason, "reason", "", "why, for the audit trail (a ticket, the cause that was fixed); required to change anything")
	return func() ops.Operator {
		if op.Name == "" {
			op.Name = os.Getenv("USER")
		}
		return op
	}
}

func (t *target) kafkaBrokers() ([]string, error) {
	opts, err := t.options()
	if err != nil {
		return nil, err
	}
	if len(opts.KafkaBrokers) == 0 {
		return nil, fmt.Errorf("no Kafka address: set kafka.brokers or kafka.embedded_listen in the config, or give --brokers (the demo prints its embedded broker's address)")
	}
	return opts.KafkaBrokers, nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "Usage: federation migrate --config FILE\n\nMigrates the store's schema (run before a rollout whose instances set store.skip_migrations). Flags:")
	var t target
	t.storeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: federation migrate --config FILE\n\nMigrates the store's schema (run before a rollout whose instances set store.skip_migrations). Flags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	opts, err := t.options()
	if err != nil {
		return err
	}
	if err := system.Migrate(ctx, opts, newTextLogger(stderr)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "store schema is up to date")
	return nil
}

func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dlq", "Usage: federation dlq list|retry [flags]\n\nlist prints the dead-letter topic (where, why, payload) as JSON lines;\nretry republishes one dead letter to the topic it came from, and records\nwho did it and why (--operator, --reason) in the audit trail. Flags:")
	var t target
	t.kafkaFlags(fs)
	fs.StringVar(&t.data, "data", "", "without --config: the demo's --data directory (retry records itself in its audit trail)")
	op := operatorFlags(fs)
	limit := fs.Int("limit", 100, "list: at most this many dead letters")
	partition := fs.Int("partition", 0, "retry: the dead letter's partition")
	offset := fs.Int64("offset", -1, "retry: the dead letter's offset")
	verb, err := parseVerb(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	brokers, err := t.kafkaBrokers()
	if err != nil {
		return err
	}
	opts, err := t.options()
	if err != nil {
		return err
	}
	switch verb {
	case "list":
		letters, err := runner.ListDeadLetters(ctx, brokers, opts.KafkaSecurity, opts.KafkaNamespace, *limit, 2*time.Second)
		enc := json.NewEncoder(stdout)
		for _, d := range letters {
			_ = enc.Encode(d)
		}
		return err
	case "retry":
		if *offset < 0 {
			return fmt.Errorf("retry needs --partition and --offset (see dlq list)")
		}
		db, err := t.database()
		if err != nil {
			return fmt.Errorf("dlq retry records itself in the audit trail: %w", err)
		}
		defer db.Close()
		trail, err := audit.New(ctx, db, audit.Options{SkipMigrations: true})
		if err != nil {
			return err
		}
		d, err := ops.RetryDeadLetter(ctx, trail, op(), brokers, opts.KafkaSecurity, opts.KafkaNamespace, *partition, *offset)
		if err == nil {
			fmt.Fprintf(stdout, "republished %d/%d to %s\n", d.Partition, d.Offset, d.FromTopic)
		}
		return err
	}
	fs.Usage()
	return fmt.Errorf("unknown dlq command %q", verb)
}

func runSaga(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("saga", "Usage: federation saga show|retry|abandon [flags] BOOKING_ID\n\nshow prints a booking's saga state and timeline (no personal data);\nretry sends its saga a new command; abandon fails a pending booking and\nreleases whatever the clinic holds for it. Flags:")
	var t target
	t.storeFlags(fs)
	op := operatorFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: federation saga show|retry|abandon [flags] BOOKING_ID

show prints a booking's saga state and timeline (no personal data);
retry queues a new command for its saga (after a lost or dead-lettered
one); abandon fails a pending booking, and its saga then releases
whatever the clinic holds for it. retry and abandon change only the
store: the running broker's outbox relay sends the command, so no
Kafka access is needed. retry and abandon record who did it and why
(--operator, --reason) in the audit trail, and do nothing when that
record cannot be written. Flags:`)
		fs.PrintDefaults()
	}
	verb, err := parseVerb(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("give one booking id")
	}
	id := fs.Arg(0)
	s, err := t.stores(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var b *sagas.Booking
	switch verb {
	case "show":
		b, err := ops.ShowSaga(ctx, s.saga, id)
		if err != nil {
			return err
		}
		return printSaga(stdout, b)
	case "abandon":
		err := ops.Audited(ctx, s.trail, op(), audit.SagaAbandon, id, func(*audit.Record) (err error) {
			b, err = ops.AbandonSaga(ctx, s.saga, id, time.Now())
			return err
		})
		if err != nil {
			return err
		}
		return printSaga(stdout, b)
	case "retry":
		err := ops.Audited(ctx, s.trail, op(), audit.SagaRetry, id, func(*audit.Record) (err error) {
			b, err = ops.RetrySaga(ctx, s.saga, id, time.Now())
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "queued a new saga command for booking %s (%s, step %s); the running broker sends it from its outbox\n", b.ID, b.Status, b.Step)
		if b.Step == sagas.StepDone {
			fmt.Fprintln(stdout, "the saga has nothing left to do, so the command will change nothing")
		}
		return nil
	}
	fs.Usage()
	return fmt.Errorf("unknown saga command %q", verb)
}

// sagaView is what "saga show" prints: the saga's state and history, with
// the citizen only as the stored pseudonym and no patient identifiers.
type sagaView struct {
	ID            string    `json:"id"`
	Region        string    `json:"region"`
	Status        string    `json:"status"`
	Step          string    `json:"step"`
	Reason        string    `json:"reason,omitempty"`
	Slot          string    `json:"slot"`
	AppointmentID string    `json:"appointment_id,omitempty"`
	Deadline      time.Time `json:"deadline"`
	CorrelationID string    `json:"correlation_id"`
	Citizen       string    `json:"citizen_pseudonym"`
	Timeline      []string  `json:"timeline"`
}

func printSaga(w io.Writer, b *sagas.Booking) error {
	v := sagaView{ID: b.ID, Region: b.Region, Status: string(b.Status), Step: string(b.Step), Reason: b.Reason,
		Slot: b.Slot.ID, AppointmentID: b.AppointmentID, Deadline: b.Deadline, CorrelationID: b.CorrelationID, Citizen: b.Citizen}
	for _, e := range b.Timeline {
		v.Timeline = append(v.Timeline, e.At.Format(time.RFC3339Nano)+" "+string(e.Status)+": "+e.Detail)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseVerb reads "VERB [flags] [args]": the verb first, then fs's flags.
// Flags without a verb are parsed too, so that "dlq --help" is help.
func parseVerb(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], parseFlags(fs, args[1:], stdout, stderr)
	}
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return "", err
	}
	fmt.Fprintln(stderr, "a command is required")
	fs.Usage()
	return "", errUsage
}
