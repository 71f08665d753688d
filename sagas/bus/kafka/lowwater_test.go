package kafka

import (
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestTheLowWaterMarkSurvivesOffsetsFetchedTwiceAfterARebalance(t *testing.T) {
	w := newLowWaterMarks()
	var commits []int64
	commit := func(m kafka.Message) { commits = append(commits, m.Offset) }
	km := func(o int64) kafka.Message { return kafka.Message{Partition: 0, Offset: o} }
	first := []*inFlightEntry{w.started(0, 10), w.started(0, 11), w.started(0, 12)}
	again := []*inFlightEntry{w.started(0, 10), w.started(0, 11), w.started(0, 12)} // fetched again after a rebalance

	w.commitFinished(km(11), first[1], commit)
	w.commitFinished(km(12), first[2], commit)
	w.commitFinished(km(11), again[1], commit)
	if len(commits) != 0 {
		t.Fatalf("committed %v while offset 10 is unfinished", commits)
	}
	w.commitFinished(km(10), first[0], commit)
	w.commitFinished(km(12), again[2], commit)
	w.commitFinished(km(10), again[0], commit)
	if len(commits) != 1 || commits[0] != 12 {
		t.Errorf("commits %v, want one commit up to 12 and none going backwards", commits)
	}
	if n := len(w.inFlight[0]); n != 0 {
		t.Errorf("%d entries left in flight, want none", n)
	}
}
