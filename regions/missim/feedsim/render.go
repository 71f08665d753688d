package feedsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim"
)

// file is one published NDJSON file with its strong validator.
type file struct {
	kind string
	body []byte
	etag string
}

// publication is one version of the data set, rendered once and served
// until the data or a content fault changes.
type publication struct {
	version     int
	published   time.Time // second precision: Last-Modified has no more
	paths       []string  // manifest order
	files       map[string]*file
	brokenLines int
}

// publish renders the world into a new publication; s.mu is held.
func (s *Server) publish(f Faults) {
	prev := s.pub
	p := &publication{files: map[string]*file{}, published: s.cfg.Now().UTC().Truncate(time.Second)}
	if prev != nil {
		p.version = prev.version + 1
		if !p.published.After(prev.published) {
			p.published = prev.published.Add(time.Second) // every change must move Last-Modified
		}
	}
	broken := rand.New(rand.NewPCG(uint64(s.cfg.Seed), uint64(p.version)))
	add := func(path, kind string, lines [][]byte) {
		var buf bytes.Buffer
		for _, line := range lines {
			if kind == wire.TypeSlot && f.BrokenLineRate > 0 && broken.Float64() < f.BrokenLineRate {
				line = line[:len(line)/2] // a line cut short, as a crashed writer leaves it
				p.brokenLines++
			}
			buf.Write(line)
			buf.WriteByte('\n')
		}
		p.files[path] = &file{kind: kind, body: buf.Bytes(), etag: etagOf(buf.Bytes())}
		p.paths = append(p.paths, path)
	}
	q := s.cfg.Quirks
	add("/data/locations.ndjson", wire.TypeLocation, lines(publishedLocations(q, s.world.locations)))
	add("/data/schedules.ndjson", wire.TypeSchedule, lines(publishedSchedules(q, s.world.schedules)))
	for i, l := range s.world.locations {
		slots := lines(s.world.byFac[l.ID])
		if i == 0 && len(slots) > 0 && q.Has(missim.QuirkBadNDJSON) {
			last := slots[len(slots)-1]
			slots[len(slots)-1] = last[:len(last)/2] // every version, not a fault's chance
		}
		add("/data/slots-"+l.ID+".ndjson", wire.TypeSlot, slots)
	}
	s.pub = p
}

// publishedLocations are the Location lines as published: without
// telecom under missim.QuirkMissingRequired.
func publishedLocations(q missim.Quirks, locs []wire.Location) []wire.Location {
	if !q.Has(missim.QuirkMissingRequired) {
		return locs
	}
	out := slices.Clone(locs)
	for i := range out {
		out[i].Telecom = nil
	}
	return out
}

// publishedSchedules are the Schedule lines as published: without actors
// under missim.QuirkNoScheduleActor, the first left out under
// missim.QuirkDanglingReference (its slots still point to it).
func publishedSchedules(q missim.Quirks, scheds []wire.Schedule) []wire.Schedule {
	out := slices.Clone(scheds)
	if q.Has(missim.QuirkNoScheduleActor) {
		for i := range out {
			out[i].Actor = nil
		}
	}
	if q.Has(missim.QuirkDanglingReference) && len(out) > 0 {
		out = out[1:]
	}
	return out
}

func lines[T any](xs []T) [][]byte {
	out := make([][]byte, len(xs))
	for i, x := range xs {
		out[i], _ = json.Marshal(x) // plain structs: cannot fail
	}
	return out
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// manifest renders the manifest of p for the given base URL: without
// transactionTime under missim.QuirkBadManifest, without the Location
// file under missim.QuirkIncompleteManifest.
func (p *publication) manifest(base, fileBase string, q missim.Quirks) []byte {
	m := wire.Manifest{
		TransactionTime: p.published.Format(time.RFC3339),
		Request:         base + wire.ManifestPath,
		Output:          []wire.Output{},
		Error:           []wire.Output{},
	}
	for _, path := range p.paths {
		if p.files[path].kind == wire.TypeLocation && q.Has(missim.QuirkIncompleteManifest) {
			continue
		}
		m.Output = append(m.Output, wire.Output{Type: p.files[path].kind, URL: fileBase + path})
	}
	if q.Has(missim.QuirkBadManifest) {
		m.TransactionTime = ""
	}
	b, _ := json.Marshal(m) // plain struct: cannot fail
	return b
}
