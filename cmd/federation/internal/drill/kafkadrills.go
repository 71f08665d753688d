package drill

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// consumersFor is how many consumers per region each broker instance runs:
// the instance-kill drill runs two instances on four partitions.
func consumersFor(drill string) int {
	if drill == "instance-kill" {
		return 2
	}
	return 4
}

// tuning is what one drill changes in the broker's config.
type tuning struct {
	deadline    time.Duration // of a booking
	consumers   int           // per region topic
	callTimeout time.Duration // of one MIS call
	places      int           // MIS calls in flight per region (breaker max_concurrent)
}

// callTimeout is the drills' MIS call timeout: short, so that faults show
// quickly.
const callTimeout = time.Second

// tuningFor gives drill its broker's settings: MIS calls time out after
// callTimeout, except in the stall drill, whose MIS answer after a second.
func tuningFor(drill string, t timing) tuning {
	tune := tuning{deadline: t.deadline, consumers: consumersFor(drill), callTimeout: callTimeout, places: 32}
	if drill == "stall" {
		tune.deadline, tune.callTimeout, tune.places = stallDeadline, 3*stallLatency, stallPlaces
	}
	return tune
}

// kafkaKillDrill kills one node of a three-node Kafka cluster (started by
// deploy/local/kafka-start.sh --brokers 3) with SIGKILL under load, brings it
// back, then does the same to another node. With replication 3 and
// min.insync.replicas 2 nothing acknowledged may be lost: every accepted
// booking must still reach its final state with the MIS agreeing.
func kafkaKillDrill(ctx context.Context, e *env, r *Result) error {
	if e.cfg.KafkaDir == "" || len(e.cfg.Brokers) < 3 {
		return errors.New("drill kafka-kill needs --brokers of a three-node cluster and --kafka-dir (deploy/local/kafka-start.sh --brokers 3 --dir DIR)")
	}
	defer e.loadInBackground(ctx)()
	for _, node := range []int{1, 2} {
		sleep(ctx, e.t.baseline)
		if err := kafkaScript(ctx, e.cfg.KafkaDir, "kafka-stop.sh", node); err != nil {
			return fmt.Errorf("kill Kafka node %d: %w", node, err)
		}
		sleep(ctx, e.t.baseline)
		if err := kafkaScript(ctx, e.cfg.KafkaDir, "kafka-start.sh", node); err != nil {
			return fmt.Errorf("restart Kafka node %d: %w", node, err)
		}
	}
	sleep(ctx, e.t.baseline)
	r.extra("kafka_nodes_killed", 2)
	return nil
}

// kafkaScript runs deploy/local/<script> --dir dir --node node.
func kafkaScript(ctx context.Context, dir, script string, node int) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "deploy", "local", script), "--dir", dir, "--node", strconv.Itoa(node))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// instanceKillDrill runs a second broker instance beside the first, on the
// same PostgreSQL and Kafka, and kills it with SIGKILL under load. Its
// partitions move to the first instance once its consumer-group session
// times out; the disruption shows as the p99 of bookings made meanwhile.
func instanceKillDrill(ctx context.Context, e *env, r *Result) error {
	if e.cfg.DatabaseURL == "" || len(e.cfg.Brokers) == 0 {
		return errors.New("drill instance-kill needs --database-url and --brokers (instances share a store and a Kafka cluster)")
	}
	second, err := newBroker(e.broker.binary, filepath.Join(e.dir, "second"), e.run, e.cfg, e.regs, tuningFor("instance-kill", e.t))
	if err != nil {
		return err
	}
	second.env = e.broker.env // the instances must share the keys that protect citizens' identifiers
	if err := second.start(ctx); err != nil {
		return err
	}
	// The second instance joining makes every group rebalance; its
	// bookings are not the baseline.
	e.load.phase(ctx, "warm-up", e.codes, e.cfg.Rate, e.t.baseline)
	e.load.wait(e.t.deadline)
	e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, e.t.baseline)
	if err := second.kill(); err != nil {
		return fmt.Errorf("kill the second instance: %w", err)
	}
	e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.fault)
	e.load.wait(e.t.deadline + 30*time.Second) // the disrupted bookings are the slow ones: wait for them
	r.Isolation = true                         // printed as healthy_p99 (during the kill) against baseline_p99
	r.HealthyP99 = p99(e.load.bookings(), func(b *accepted) bool { return b.Phase == "fault" })
	r.BaselineP99 = p99(e.load.bookings(), func(b *accepted) bool { return b.Phase == "baseline" })
	r.extra("disruption_p99", r.HealthyP99.Round(time.Millisecond))
	return nil
}
