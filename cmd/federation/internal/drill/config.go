package drill

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Names lists the drills in the order "all" runs them.
var Names = []string{"kill", "mis-down", "mis-errors", "commit-timeout", "duplicates", "poison", "isolation", "stall", "reconcile"}

// ClusterNames are the drills that need a real cluster and are not in
// "all": kafka-kill (a three-node Kafka from deploy/local) and
// instance-kill (PostgreSQL and Kafka shared by two instances).
var ClusterNames = []string{"kafka-kill", "instance-kill"}

// Config describes one "federation drill" run.
type Config struct {
	// issuer is the identity provider's URL the broker trusts; setup sets it.
	issuer string
	// Drills to run, from Names.
	Drills []string
	// Short keeps each drill to well under a minute (CI); otherwise drills
	// run at full length (mis-down lasts 60 s, the kill drill kills more).
	Short bool
	// Bookings caps the bookings one drill makes; 0 means as many as the
	// load rate allows in the drill's time.
	Bookings int
	// Rate is the bookings per second offered to each region; default 5.
	Rate float64
	// Seed makes fault timing, the faulted region and slot choice
	// reproducible; default 1.
	Seed int64
	// Binary is the federation executable run as the broker; empty builds
	// it once from the module that contains the working directory.
	Binary string
	// Brokers, when set, points the broker at that Kafka cluster instead of
	// its embedded one.
	Brokers []string
	// DatabaseURL, when set, stores in that PostgreSQL instead of SQLite.
	DatabaseURL string
	// KeepDir keeps each drill's directory (config, data, broker log).
	KeepDir bool
	// KafkaDir is the state directory of the three-node cluster that
	// deploy/local/kafka-start.sh started, for the kafka-kill drill.
	KafkaDir string
}

func (c *Config) setDefaults() {
	if c.Rate == 0 {
		c.Rate = 5
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if slices.Contains(c.Drills, "all") {
		c.Drills = Names
	}
}

// Validate reports an unknown drill or a meaningless number.
func (c Config) Validate() error {
	if len(c.Drills) == 0 {
		return errors.New("drill: name at least one drill (or all)")
	}
	for _, d := range c.Drills {
		if !slices.Contains(Names, d) && !slices.Contains(ClusterNames, d) {
			return fmt.Errorf("drill: unknown drill %q (known: %v, all)", d, Names)
		}
	}
	if c.Bookings < 0 || c.Rate <= 0 || c.Rate > 200 {
		return errors.New("drill: --bookings must be ≥ 0 and --rate within (0, 200]")
	}
	return nil
}

// timing is how long each phase of a drill lasts.
type timing struct {
	baseline  time.Duration // load without faults, for the latency baseline
	fault     time.Duration // load while the fault is in force
	deadline  time.Duration // the broker's booking deadline
	settle    time.Duration // after the load, until the invariants must hold
	kills     int
	killEvery [2]time.Duration // random pause between kills, within
	stall     stallTiming
}

func (c Config) timing() timing {
	if c.Short {
		return timing{baseline: 4 * time.Second, fault: 10 * time.Second, deadline: 30 * time.Second,
			settle: 45 * time.Second, kills: 5, killEvery: [2]time.Duration{time.Second, 3 * time.Second},
			stall: stallTiming{warmUp: 20 * time.Second, baseline: 10 * time.Second, stall: 20 * time.Second, after: 40 * time.Second}}
	}
	return timing{baseline: 15 * time.Second, fault: 60 * time.Second, deadline: 60 * time.Second,
		settle: 90 * time.Second, kills: 10, killEvery: [2]time.Duration{2 * time.Second, 8 * time.Second},
		stall: stallTiming{warmUp: 30 * time.Second, baseline: 30 * time.Second, stall: 20 * time.Second, after: 60 * time.Second}}
}
