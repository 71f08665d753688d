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

func TestARegionWorksAsManySagasAtOnceOnOnePartitionAsOnFour(t *testing.T) {
	one, four := Options{Partitions: 1, Consumers: 1}, Options{Partitions: 4, Consumers: 1}
	if got, want := inFlightPerMember(one), inFlightPerMember(four); got != want || got != 4*sagasPerPartition {
		t.Errorf("in flight per member: %d with one partition, %d with four; want both %d", got, want, 4*sagasPerPartition)
	}
	if got := inFlightPerMember(Options{Partitions: 24, Consumers: 2}); got != 12*sagasPerPartition {
		t.Errorf("24 partitions over 2 members: %d in flight each, want %d", got, 12*sagasPerPartition)
	}
}
