package regionstatus_test

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestSlotOffsetMismatchesAddUpAcrossInstancesAndKeepTheLatestExample(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		ctx := context.Background()
		shared := newStore(t, open)
		a := regionstatus.New(shared, regionstatus.Config{Instance: "instance-a"})
		b := regionstatus.New(shared, regionstatus.Config{Instance: "instance-b"})
		later := regionstatus.SlotOffsets{SlotID: "S-9", Got: "+00:00", Want: "+10:00", SeenAt: t0}
		earlier := regionstatus.SlotOffsets{SlotID: "S-1", Got: "+07:00", Want: "+10:00", SeenAt: t0.Add(-time.Minute)}
		if err := a.AddSlotOffsets(ctx, "25", 3, later); err != nil {
			t.Fatal(err)
		}
		if err := b.AddSlotOffsets(ctx, "25", 2, earlier); err != nil {
			t.Fatal(err)
		}
		if err := b.AddSlotOffsets(ctx, "54", 1, earlier); err != nil {
			t.Fatal(err)
		}
		got, err := shared.SlotOffsets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want25 := regionstatus.SlotOffsets{Mismatches: 5, SlotID: "S-9", Got: "+00:00", Want: "+10:00", Instance: "instance-a", SeenAt: t0}
		if r := got["25"]; r.Mismatches != want25.Mismatches || r.SlotID != want25.SlotID || r.Got != want25.Got ||
			r.Want != want25.Want || r.Instance != want25.Instance || !r.SeenAt.Equal(t0) {
			t.Errorf("region 25 = %+v, want %+v (the sum, and the later example)", r, want25)
		}
		if r := got["54"]; r.Mismatches != 1 || r.SlotID != "S-1" || r.Instance != "instance-b" {
			t.Errorf("region 54 = %+v", r)
		}
		if len(got) != 2 {
			t.Errorf("records for %d regions, want 2", len(got))
		}
	})
}
