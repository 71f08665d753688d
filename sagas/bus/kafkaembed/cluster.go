package kafkaembed

import (
	"fmt"
	"net"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Cluster is a running embedded broker. It is safe for concurrent use.
type Cluster struct {
	kc        *kfake.Cluster
	addrs     []string
	closeOnce sync.Once
}

// Start starts a one-broker cluster that creates topics on first use.
func Start(cfg Config) (*Cluster, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kc, err := kfake.NewCluster(options(cfg)...)
	if err != nil {
		return nil, fmt.Errorf("kafkaembed: start broker: %w", err)
	}
	return &Cluster{kc: kc, addrs: kc.ListenAddrs()}, nil
}

func options(cfg Config) []kfake.Opt {
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ClusterID("fedhealth-embedded"),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.DefaultPartitions),
		kfake.GroupMinSessionTimeout(cfg.MinSessionTimeout),
		kfake.WithLogger(slogAdapter{cfg.Logger}),
		// kfake builds its own "127.0.0.1:<port>"; listen where the
		// config says instead.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, cfg.Listen)
		}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir), kfake.SyncWrites())
	}
	return opts
}

// Addrs returns the broker addresses ("host:port") to give to clients.
func (c *Cluster) Addrs() []string {
	return append([]string(nil), c.addrs...)
}

// Close stops the broker; with a DataDir it first saves its state there.
// Closing twice is harmless.
func (c *Cluster) Close() error {
	c.closeOnce.Do(c.kc.Close)
	return nil
}
