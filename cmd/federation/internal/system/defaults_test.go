package system

import "testing"

func TestTheEmbeddedBrokerDefaultsToOnePartitionAClusterToFour(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want int
	}{
		{"embedded", Options{}, 1},
		{"a cluster", Options{KafkaBrokers: []string{"kafka-0:9092"}}, 4},
		{"set", Options{Partitions: 12}, 12},
	} {
		tc.opts.setDefaults()
		if tc.opts.Partitions != tc.want {
			t.Errorf("%s: %d partitions, want %d", tc.name, tc.opts.Partitions, tc.want)
		}
	}
}
