package drill

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// broker is the federation broker running as a child process on a fixed
// config and data directory, so that it can be killed and started again on
// the same state.
type broker struct {
	binary, config, logPath string
	url                     string   // the API's base URL
	kafka                   []string // the Kafka the broker uses
	namespace               string   // prefix of its topics and groups
	env                     []string
	cmd                     *exec.Cmd
	exited                  chan struct{} // closed when the process has gone
	exitErr                 error
	log                     *os.File
}

// newBroker prepares (but does not start) a broker in dir.
func newBroker(binary, dir, run string, cfg Config, regions []regionEntry, tune tuning) (*broker, error) {
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	kafkaAddr := ""
	brokers := cfg.Brokers
	if len(brokers) == 0 {
		if kafkaAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		brokers = []string{kafkaAddr}
	}
	namespace := ""
	if len(cfg.Brokers) > 0 {
		// A shared cluster: this drill's topics and groups are its own.
		namespace = "drill-" + run + "."
	}
	b := &broker{binary: binary, config: filepath.Join(dir, "federation.yaml"), logPath: filepath.Join(dir, "broker.log"),
		url: "http://" + listen, kafka: brokers, namespace: namespace, env: childEnv(cfg.DatabaseURL)}
	yaml := renderConfig(configData{Listen: listen, DataDir: filepath.Join(dir, "data"), KafkaListen: kafkaAddr,
		Brokers: cfg.Brokers, Namespace: namespace, Postgres: cfg.DatabaseURL != "", Deadline: tune.deadline, Regions: regions, Issuer: cfg.issuer,
		Consumers: tune.consumers, CallTimeout: tune.callTimeout, Places: tune.places})
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		return nil, fmt.Errorf("drill: data directory: %w", err)
	}
	if err := os.WriteFile(b.config, []byte(yaml), 0o600); err != nil {
		return nil, fmt.Errorf("drill: write broker config: %w", err)
	}
	if b.log, err = os.Create(b.logPath); err != nil {
		return nil, fmt.Errorf("drill: broker log: %w", err)
	}
	return b, nil
}

// childEnv is this process's environment without DATABASE_URL (the broker
// would pick it up), plus fresh keys for this drill. The keys stay the same
// across restarts: the stored pseudonyms and sealed identifiers need them.
func childEnv(databaseURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "FEDERATION_") {
			env = append(env, kv)
		}
	}
	// The simulators demand no token; serve demands that every region has
	// credentials, so the broker sends one they ignore.
	env = append(env, "FEDERATION_PSEUDONYM_KEY="+randomHex(), "FEDERATION_SEAL_KEY="+randomHex(), "FEDERATION_DRILL_MIS_TOKEN="+randomHex())
	if databaseURL != "" {
		env = append(env, "FEDERATION_DRILL_DATABASE_URL="+databaseURL)
	}
	return env
}

func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// start runs the broker and waits until it reports ready.
func (b *broker) start(ctx context.Context) error {
	cmd := exec.Command(b.binary, "serve", "--config", b.config)
	cmd.Env, cmd.Stdout, cmd.Stderr = b.env, b.log, b.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("drill: start broker: %w", err)
	}
	exited := make(chan struct{})
	b.cmd, b.exited = cmd, exited
	go func() { b.exitErr = cmd.Wait(); close(exited) }()
	return b.waitReady(ctx, 90*time.Second)
}

func (b *broker) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		if resp, err := client.Get(b.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-b.exited:
			return fmt.Errorf("drill: broker exited before it was ready (%v); see %s", b.exitErr, b.logPath)
		case <-ctx.Done():
			return fmt.Errorf("drill: broker not ready within %s; see %s: %w", limit, b.logPath, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL, as a crash would, and waits for the process to go.
func (b *broker) kill() error {
	if b.cmd == nil {
		return nil
	}
	err := b.cmd.Process.Kill()
	<-b.exited
	b.cmd = nil
	return err
}

// freeze stops the broker with SIGSTOP, as a long GC pause, a frozen VM or
// a starved container would: it holds its connections and state but does
// nothing until thaw.
func (b *broker) freeze() error {
	if b.cmd == nil {
		return errors.New("drill: no broker to freeze")
	}
	return b.cmd.Process.Signal(syscall.SIGSTOP)
}

// thaw resumes a frozen broker with SIGCONT.
func (b *broker) thaw() error {
	if b.cmd == nil {
		return errors.New("drill: no broker to thaw")
	}
	return b.cmd.Process.Signal(syscall.SIGCONT)
}

// stop asks the broker to shut down, killing it if it does not in time.
func (b *broker) stop() error {
	if b.cmd == nil {
		return nil
	}
	defer b.log.Close()
	_ = b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.exited:
		b.cmd = nil
		return nil
	case <-time.After(15 * time.Second):
		return errors.Join(errors.New("drill: broker ignored SIGINT for 15s"), b.kill())
	}
}

// logTail is the last n lines of the broker's log, headed by its path.
func (b *broker) logTail(n int) string {
	data, err := os.ReadFile(b.logPath)
	if err != nil {
		return fmt.Sprintf("(broker log %s: %v)", b.logPath, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	return fmt.Sprintf("--- the last %d lines of %s ---\n%s", len(lines), b.logPath, strings.Join(lines, "\n"))
}
