package missim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

// BenchmarkHoldBook measures hold+book pairs per second over real HTTP on
// loopback, each pair on its own slot, as the broker's load tests drive it.
func BenchmarkHoldBook(b *testing.B) {
	sunday := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // every generated slot is in the future
	srv, err := missim.New(missim.Config{Region: "77", Days: 120, Facilities: 10, PractitionersPerFacility: 10,
		Now: func() time.Time { return sunday }}, nil)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := strconv.FormatInt(next.Add(1), 10)
			var a misv2.Appointment
			if st := benchPost(b, client, hs.URL+"/Appointment/$hold", "h"+n, holdBody("S-"+n), &a); st != http.StatusOK {
				b.Errorf("hold S-%s: %d", n, st)
				return
			}
			if st := benchPost(b, client, hs.URL+"/Appointment/"+a.ID+"/$book", "b"+n, nil, nil); st != http.StatusOK {
				b.Errorf("book %s: %d", a.ID, st)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

func benchPost(b *testing.B, c *http.Client, url, key string, body, out any) int {
	var rd io.Reader = http.NoBody
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(http.MethodPost, url, rd)
	req.Header.Set(misv2.HeaderIdempotencyKey, key)
	req.Header.Set("Content-Type", misv2.ContentType)
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
