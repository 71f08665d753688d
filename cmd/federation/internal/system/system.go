// Package system assembles the whole federation broker in one process: the
// store, Kafka (embedded or a cluster), the region registry, the saga
// runtime with its outbox relay, and the federal API. The demo, serve and
// the component tests all start the system through Start, so they run the
// same code path.
package system

import (
	"context"
	"errors"
	"fmt"
	"github.com/fedhealth/federation/broker/analytics"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/broker/web"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
	"go.opentelemetry.io/otel/trace"
)

// Options is everything Start needs; cmd builds it from flags or YAML.
type Options struct {
	// Listen is the API's address; "127.0.0.1:0" picks a free port.
	Listen string
	// InternalListen is the address of the internal listener: /metrics,
	// /healthz and /readyz for monitoring, never the citizens' API. Default
	// "127.0.0.1:0", a free loopback port (System.InternalURL names it).
	InternalListen string
	// Pprof serves Go's profiles at /debug/pprof/ on the internal listener
	// (benchmarks and incidents); off by default.
	Pprof bool
	// CallbackListen, when set, serves the regions' status callbacks on a
	// listener of its own (the one operators expose to the MIS networks),
	// and the API listener then does not; empty: the API listener serves
	// them.
	CallbackListen string
	// CallbackSecrets are the signing secrets (whsec_ base64) of each region
	// that sends callbacks, by region code; several while one rotates. A
	// region without secrets takes no callbacks (404).
	CallbackSecrets map[string][]string
	// CallbackReplayTTL is how long the answer to a callback's webhook-id
	// is kept; default 72h.
	CallbackReplayTTL time.Duration
	// TLSCertFile and TLSKeyFile (PEM), when set, serve the API over TLS
	// instead of plain HTTP. They are read once at start.
	TLSCertFile string
	TLSKeyFile  string
	// DataDir holds the SQLite file and the embedded broker's data.
	DataDir string
	// PostgresURL, when set, stores everything in PostgreSQL instead of
	// SQLite; several instances may then share one database.
	PostgresURL string
	// SkipMigrations: this instance must not migrate the schema at start
	// ("federation migrate" does it before a rollout).
	SkipMigrations bool
	// KafkaBrokers, when empty, starts the embedded Kafka-protocol broker.
	KafkaBrokers []string
	// EmbeddedKafkaListen fixes the embedded broker's address (so a restart
	// finds the same one); default a free loopback port.
	EmbeddedKafkaListen string
	// Partitions per topic; default 1 with the embedded broker, 4 with a
	// cluster. Partitions spread a region's sagas over the instances of a
	// cluster; within one, a member works many bookings of a partition side
	// by side (Consumers; a region's concurrency is sized for at least four
	// partitions), so the embedded broker gains nothing from more and pays
	// a write and an fsync per partition in each produce request: with 4,
	// the bench's saga throughput was a fifth lower.
	Partitions int
	// Consumers is the number of consumer-group members per region in
	// this instance; default 1. Each member reads several partitions and
	// works up to 32 messages per partition it may hold at once (different
	// bookings side by side; at least four partitions' worth), so one
	// member keeps a region's concurrency while every extra member costs
	// the broker a coordinator connection and a heartbeat loop: with 85
	// regions, 4 members each made the embedded broker spend most of its
	// time on heartbeats.
	Consumers int
	// SlotIndex sizes and paces the slot index behind the search across
	// regions; zero fields take bookings.IndexConfig's defaults.
	SlotIndex bookings.IndexConfig
	// SessionTimeout, HeartbeatInterval and RebalanceTimeout tune the saga
	// consumer groups; defaults 6s, 500ms and 6s. A killed instance's
	// partitions move after SessionTimeout (6s is Apache Kafka's smallest,
	// group.min.session.timeout.ms), the survivors notice the rebalance at
	// their next heartbeat, and RebalanceTimeout bounds how long a
	// rebalance waits for a member that does not rejoin. Shorter sessions
	// move partitions sooner but expire a member that a GC pause or a
	// saturated machine keeps from heartbeating, and each expiry is a
	// rebalance of that region.
	SessionTimeout, HeartbeatInterval, RebalanceTimeout time.Duration
	// Replication factor of the topics the system creates; default (0 or
	// -1) the cluster's default.
	Replication int
	// KafkaNamespace prefixes every topic and consumer group ("staging.");
	// empty in production.
	KafkaNamespace string
	// KafkaSecurity is how every Kafka client connects to KafkaBrokers (TLS,
	// SASL); the zero value is plaintext, as the embedded broker speaks.
	KafkaSecurity kafka.Security
	Regions       []regions.Config
	// Auth: either DevIssuer (demo: the API serves its own issuer) or an
	// external OIDC issuer and audience.
	DevIssuer bool
	// DevIssuerKeyFile, with DevIssuer, keeps the development issuer's
	// signing key across restarts (created 0600 when missing), so demo
	// tokens survive one; empty means a fresh key each start.
	DevIssuerKeyFile string
	Issuer           string
	Audience         string
	// OperatorClaim and RegionClaim name the claims of a regional
	// operator's token; empty means auth's defaults (operator_id, region).
	OperatorClaim, RegionClaim string
	// AnalystClaim names the claim of a ministry analyst's token; empty
	// means no analysts (the dev issuer's own claim when it is on).
	AnalystClaim string
	// IssuerCAFile (PEM), when set, is the only CA trusted for the
	// issuer's discovery and keys (a private identity provider); default
	// the system pool.
	IssuerCAFile string
	// PseudonymKey (≥32 bytes) and SealKey (32 bytes) protect citizens'
	// identifiers; see broker/auth.
	PseudonymKey []byte
	SealKey      []byte
	// BookingDeadline: how long a booking may stay pending; default 2m.
	BookingDeadline time.Duration
	// KindDeadlines overrides BookingDeadline by region kind; feed's
	// default is 24h (bookings.DefaultFeedDeadline): an operator answers.
	KindDeadlines map[contracts.RegionKind]time.Duration
	// MaxActivePerCitizen caps a citizen's active bookings across all
	// regions; 0 means bookings.DefaultMaxActivePerCitizen (10), a
	// negative value no cap.
	MaxActivePerCitizen int
	// AllowOverlappingBookings lifts the rule that a citizen's live
	// bookings never overlap in time: for tests and drills that book many
	// slots as one synthetic citizen, never in production.
	AllowOverlappingBookings bool
	// IdempotencyTTL: how long a citizen's Idempotency-Key is remembered;
	// default 72h.
	IdempotencyTTL time.Duration
	// Limits are the API's rate limits per citizen and per client address
	// and its cap on long-polls; the zero value is the defaults.
	Limits ratelimit.Config
	// TracerProvider receives the spans of the API, the sagas and the MIS
	// calls; nil records them with an always-sampling provider and no
	// exporter, so trace ids still reach the logs and the Kafka headers.
	TracerProvider trace.TracerProvider
	Logger         *slog.Logger
	// Reconcile schedules the reconciliation passes (default every 15
	// minutes per readable region).
	Reconcile ReconcileOptions
	// WebOIDC, with an external Issuer, is the pages' client at it (the
	// authorization-code flow with PKCE); without it (and without
	// DevIssuer) the pages are not served, only the API.
	WebOIDC *web.OIDCConfig
	// WebPlainHTTP drops the Secure flag of the pages' session cookie:
	// only for the demo and tests served over plain HTTP on loopback.
	WebPlainHTTP bool
	// Probes schedule the live conformance probes (default every 10
	// minutes per region).
	Probes ProbeOptions
}

func (o *Options) setDefaults() {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.InternalListen == "" {
		o.InternalListen = "127.0.0.1:0"
	}
	if o.Partitions == 0 {
		o.Partitions = 4
		if len(o.KafkaBrokers) == 0 {
			o.Partitions = 1
		}
	}
	if o.Consumers == 0 {
		o.Consumers = 1
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 6 * time.Second
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = 500 * time.Millisecond
	}
	if o.RebalanceTimeout == 0 {
		o.RebalanceTimeout = 6 * time.Second
	}
	if o.Replication == 0 {
		o.Replication = -1
	}
	if o.Audience == "" {
		o.Audience = "federation"
	}
	if o.CallbackReplayTTL == 0 {
		o.CallbackReplayTTL = defaultCallbackReplayTTL
	}
	if o.IdempotencyTTL == 0 {
		o.IdempotencyTTL = 72 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports what is missing.
func (o Options) Validate() error {
	switch {
	case o.DataDir == "" && (o.PostgresURL == "" || len(o.KafkaBrokers) == 0):
		return errors.New("system: a data directory is required for SQLite or the embedded Kafka broker")
	case len(o.Regions) == 0:
		return errors.New("system: at least one region is required")
	case !o.DevIssuer && o.Issuer == "":
		return errors.New("system: an OIDC issuer is required (or the demo's development issuer)")
	case (o.TLSCertFile == "") != (o.TLSKeyFile == ""):
		return errors.New("system: tls cert_file and key_file go together")
	case o.WebPlainHTTP && (o.TLSCertFile != "" || !loopbackListen(o.Listen)):
		return errors.New("system: plain-HTTP session cookies are for a loopback listener without TLS only")
	case o.SessionTimeout < 0 || o.HeartbeatInterval < 0 || o.RebalanceTimeout < 0:
		return errors.New("system: kafka session_timeout, heartbeat_interval and rebalance_timeout must not be negative")
	case 3*o.HeartbeatInterval > o.SessionTimeout:
		// Kafka's own advice: two late heartbeats must not expire a member.
		return fmt.Errorf("system: kafka heartbeat_interval %s is more than a third of session_timeout %s", o.HeartbeatInterval, o.SessionTimeout)
	}
	return nil
}

// System is a running broker. Close stops it.
type System struct {
	// URL is the API's base URL, e.g. http://127.0.0.1:8080 (https with
	// TLS).
	URL string
	// CallbackURL is the base URL of the listener serving the status
	// callbacks: the callback listener's, else URL. A region's callback URL
	// is CallbackURL + "/api/v1/callbacks/" + its code.
	CallbackURL string
	// InternalURL is the internal listener's base URL: /metrics, /healthz
	// and /readyz, e.g. http://127.0.0.1:9090.
	InternalURL string
	// SQL is the database every store of this process shares.
	SQL *sqldb.DB
	// Store keeps bookings and the outbox.
	Store *store.DB
	// Audit is the audit trail of citizens' data accesses and operators'
	// actions.
	Audit    *audit.Store
	Registry *regions.Registry
	// Clinic publishes the clinics' changes of appointments through the
	// outbox (status callbacks and reconciliation call it).
	Clinic *clinic.Publisher
	// KafkaAddrs are the Kafka bootstrap addresses the system uses (the
	// embedded Kafka-protocol broker's when none were given).
	KafkaAddrs []string
	Dev        *auth.DevIssuer

	regionStatus *regionstatus.View
	// gates hold an unavailable region's saga commands until its breaker
	// changes state (runner.RegionGates).
	gates       *runner.RegionGates
	reconcile   *reconcile.Pass
	statusStore *regionstatus.Store // the shared records behind regionStatus (callback refusals too)
	// analytics is the analysts' read model; analyticsFeed feeds it from
	// the events topic.
	analytics     *analytics.Store
	analyticsFeed *analytics.Consumer
	leadTimes     *leadTimes // the searches' earliest free slots, sampled for analytics
	ledger        *ledger.Store
	probes        *probes.Store // the live conformance probes' results
	idempotency   *idempotency.Store
	callbacks     *callbacks.Store
	embedded      *kafkaembed.Cluster
	server        *http.Server
	internal      *http.Server
	pprof         bool // Options.Pprof
	// callbackServer serves the callback listener, when there is one.
	callbackServer *http.Server
	cancel         context.CancelFunc
	wg             sync.WaitGroup
	closers        []func() error
	logger         *slog.Logger

	// sessions are the pages' sessions, in the shared database so that
	// any instance serves any signed-in reader.
	sessions *web.SessionStore

	// sagaGroups maps every saga consumer group to the topic it consumes,
	// for WaitConsumersAssigned; kafkaSecurity is how to ask the broker.
	sagaGroups    map[string]string
	kafkaSecurity kafka.Security
}

// Start brings the whole system up and returns once the API answers and
// every region's consumer runs.
func Start(ctx context.Context, opts Options) (*System, error) {
	opts.setDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	startTracing(opts.TracerProvider)
	s := &System{logger: WithTraceIDs(opts.Logger), pprof: opts.Pprof}
	if err := s.start(ctx, opts); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *System) start(ctx context.Context, opts Options) error {
	if err := prepareDataDir(opts.DataDir); err != nil {
		return err
	}
	tlsCfg, err := serverTLS(opts.TLSCertFile, opts.TLSKeyFile)
	if err != nil {
		return err
	}
	ln, err := s.listen(opts.Listen)
	if err != nil {
		return err
	}
	s.URL = baseURL(ln.Addr(), tlsCfg != nil)
	internal, err := s.listen(opts.InternalListen)
	if err != nil {
		return err
	}
	s.InternalURL = baseURL(internal.Addr(), false)
	s.CallbackURL = s.URL
	var callbackLn net.Listener
	if opts.CallbackListen != "" {
		if callbackLn, err = s.listen(opts.CallbackListen); err != nil {
			return err
		}
		s.CallbackURL = baseURL(callbackLn.Addr(), false) // plain HTTP behind the operators' TLS terminator
	}
	if err := s.openStores(ctx, opts); err != nil {
		return err
	}
	if err := s.startKafka(opts); err != nil {
		return err
	}
	tel, err := newTelemetry()
	if err != nil {
		return err
	}
	s.gates = runner.NewRegionGates(func(region string) contracts.RegionStatus { return s.Registry.Status(region) })
	statusHook := func(region string, to contracts.RegionStatus) {
		s.regionStatus.Record(region, to)
		s.recordTransition(region, to)
		s.gates.Changed(region, to)
	}
	calls, err := s.recordMISCalls()
	if err != nil {
		return err
	}
	if s.Registry, err = regions.NewRegistry(opts.Regions, s.logger, regions.WithMeterProvider(tel.provider),
		regions.WithStatusHook(statusHook), regions.WithCallObserver(calls), regions.WithLedger(s.ledger)); err != nil {
		return err
	}
	s.regionStatus.UseLocal(s.Registry)
	s.closers = append(s.closers, s.Registry.Close)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	rt, err := s.startSagas(runCtx, opts, tel)
	if err != nil {
		return err
	}
	if err := s.startReconciling(runCtx, opts, tel.provider); err != nil {
		return err
	}
	pm, err := newProbeMetrics(tel.provider, s.probes, s.logger)
	if err != nil {
		return err
	}
	s.startProbing(runCtx, opts, pm)
	return s.serve(runCtx, listeners{public: ln, internal: internal, callbacks: callbackLn, tls: tlsCfg}, opts, tel, rt)
}

// listen opens a TCP listener that Close closes.
func (s *System) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("system: listen %s: %w", addr, err)
	}
	s.closers = append(s.closers, func() error { return ignoreClosed(ln.Close()) })
	return ln, nil
}

// StoreConfig is the store the options describe: PostgreSQL when a URL is
// given, else SQLite in the data directory.
func StoreConfig(opts Options) store.Config {
	db := DatabaseConfig(opts)
	return store.Config{Path: db.Path, PostgresURL: db.PostgresURL, SkipMigrations: opts.SkipMigrations}
}

// DatabaseConfig is the database the options describe: PostgreSQL when a
// URL is given, else SQLite in the data directory.
func DatabaseConfig(opts Options) sqldb.Config {
	if opts.PostgresURL != "" {
		return sqldb.Config{PostgresURL: opts.PostgresURL}
	}
	return sqldb.Config{Path: filepath.Join(opts.DataDir, "federation.db")}
}

func (s *System) startKafka(opts Options) error {
	s.KafkaAddrs = opts.KafkaBrokers
	if len(s.KafkaAddrs) > 0 {
		return nil
	}
	cluster, err := kafkaembed.Start(kafkaembed.Config{
		Listen: opts.EmbeddedKafkaListen, DataDir: filepath.Join(opts.DataDir, "kafka"),
		DefaultPartitions: opts.Partitions, Logger: s.logger,
	})
	if err != nil {
		return err
	}
	s.embedded = cluster
	s.KafkaAddrs = cluster.Addrs()
	return nil
}

// Close stops the API, lets in-flight saga steps finish or go back to Kafka
// uncommitted, and closes everything in reverse order of start.
func (s *System) Close() error {
	var errs []error
	if s.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.server.Shutdown(ctx))
		cancel()
	}
	if s.callbackServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.callbackServer.Shutdown(ctx))
		cancel()
	}
	if s.internal != nil {
		errs = append(errs, s.internal.Close()) // scrapes and probes: nothing worth draining
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	if s.embedded != nil {
		errs = append(errs, s.embedded.Close())
	}
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// baseURL is how this process reaches its own listener: one on every
// address (0.0.0.0, [::]) is reached on loopback.
func baseURL(addr net.Addr, tls bool) string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return scheme + addr.String()
	}
	return scheme + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
