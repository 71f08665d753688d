package loadgen

import (
	"io"
	"strings"
	"testing"
)

func TestFlagValidation(t *testing.T) {
	cases := []struct {
		name    string
		args    string
		wantErr string // "" means valid
	}{
		{"the defaults aim at the local demo", "", ""},
		{"a rate and regions are accepted", "--bookings 10 --concurrency 4 --rate 50 --regions 77,78", ""},
		{"direct mode with MIS URLs is accepted", "--direct --mis 77=http://127.0.0.1:9077,78=http://localhost:9078", ""},
		{"zero bookings are refused", "--bookings 0", "--bookings"},
		{"too many bookings are refused", "--bookings 2000000", "--bookings"},
		{"a negative concurrency is refused", "--concurrency -1", "--concurrency"},
		{"a negative rate is refused", "--rate -1", "--rate"},
		{"a long-poll beyond the API's cap is refused", "--wait 1m", "--wait"},
		{"a remote target is refused", "--target http://example.org", "not a loopback"},
		{"a remote target is allowed when asked", "--target http://example.org --allow-remote", ""},
		{"a target that is not http is refused", "--target ftp://127.0.0.1", "not an http"},
		{"direct mode needs MIS URLs", "--direct", "--mis"},
		{"direct mode needs a URL for every region", "--direct --mis 77=http://127.0.0.1:1 --regions 77,78", "region 78"},
		{"a malformed MIS pair is refused", "--mis 77", "REGION=URL"},
		{"a fault needs its region's MIS", `--fault 25={"down":true}`, "needs its --mis"},
		{"a fault must be JSON", "--fault 25=down --mis 25=http://127.0.0.1:1", "JSON"},
		{"a fault with its MIS is accepted", `--fault 25={"latency_ms":3000} --mis 25=http://127.0.0.1:1`, ""},
		{"stray arguments are refused", "extra", "unexpected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := validate(c.args)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("want an error mentioning %q, got %v", c.wantErr, err)
			}
		})
	}
}

func validate(args string) error {
	o, err := parseFlags(strings.Fields(args), io.Discard)
	if err != nil {
		return err
	}
	o.cfg.setDefaults()
	return o.cfg.Validate()
}

func TestThePoolOfCitizensIsBoundedBy2000ByDefault(t *testing.T) {
	cfg := Config{Bookings: 100000, Concurrency: 64}
	cfg.setDefaults()
	if cfg.Citizens != 2000 {
		t.Fatalf("citizens %d, want 2000", cfg.Citizens)
	}
}

func TestPlanSpreadsBookingsOverRegions(t *testing.T) {
	jobs, need := plan(7, []string{"77", "78", "16"})
	if need["77"] != 3 || need["78"] != 2 || need["16"] != 2 {
		t.Fatalf("need %v, want 3/2/2", need)
	}
	if jobs[3].region != "77" || jobs[4].region != "78" {
		t.Fatalf("jobs %+v", jobs)
	}
}
