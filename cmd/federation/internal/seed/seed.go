// Package seed fills a broker's store with history in bulk, for "federation
// seed": finished bookings of many citizens (confirmed, visited, no-show,
// cancelled, rejected, failed, in realistic shares, their slots spread over
// the last two years and the next six months), each with the timeline its
// saga would have written, the citizen's patient keys, the clinic events
// that marked visits, and the idempotency records of the requests of the
// last few days. It writes straight into the store (sagas/store Import,
// broker/idempotency Import), never through the API: nothing goes to the
// outbox, so nothing reaches Kafka, and the analytics read model (fed only
// by events) never counts a seeded booking.
//
// Bookings are built by the sagas' own transitions (sagas.NewBooking, Held,
// Confirm, ApplyClinic...), so their rows are the rows the broker writes.
// Citizen i's subject is Prefix+i, pseudonymised with the broker's key, so
// a token for that subject (the test identity provider's, the demo's) reads
// the seeded history; the first Heavy citizens have MaxPerCitizen bookings
// each, the history bench's readers.
package seed

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

// MaxPerCitizen is the most bookings a seeded citizen has.
const MaxPerCitizen = 40

// idempotencyWindow: requests made this long before the seed keep their
// idempotency records (a day more than the default TTL of 72 h, so a
// broker started on the store has expired records to sweep at once).
const idempotencyWindow = 96 * time.Hour

// Options is what to seed.
type Options struct {
	// Bookings is how many bookings to write.
	Bookings int
	// Citizens is how many citizens share them (1 to MaxPerCitizen each);
	// 0 means Bookings/20.
	Citizens int
	// Regions are the region codes bookings go to, round-robin by citizen
	// (a citizen books in their own region).
	Regions []string
	// Prefix starts every seeded citizen's subject ("seed-").
	Prefix string
	// Batch is how many bookings one transaction writes (20,000).
	Batch int
	// Seed makes the run reproducible.
	Seed uint64
	// Now is the end of the past the history covers (default time.Now).
	Now time.Time
	// Progress receives a line every ProgressEvery (nil: none).
	Progress      io.Writer
	ProgressEvery time.Duration
}

// Result is what a run wrote.
type Result struct {
	Bookings, Citizens, Heavy int
	Timeline, PatientKeys     int
	ClinicEvents, Idempotency int
	ByStatus                  map[sagas.Status]int
	Elapsed                   time.Duration
}

// Rows is every row written.
func (r Result) Rows() int {
	return r.Bookings + r.Timeline + r.PatientKeys + r.ClinicEvents + r.Idempotency
}

// Run seeds bookings into bookings and their requests' records into idem,
// in transactions of opts.Batch bookings, built while the previous batch
// is written.
func Run(ctx context.Context, bookings *store.DB, idem *idempotency.Store, keys *auth.Pseudonymizer, opts Options) (Result, error) {
	if opts.Bookings <= 0 {
		return Result{}, errors.New("seed: the number of bookings must be positive")
	}
	if len(opts.Regions) == 0 {
		return Result{}, errors.New("seed: no region to seed bookings in")
	}
	if opts.Citizens == 0 {
		opts.Citizens = max(1, opts.Bookings/20)
	}
	if opts.Citizens > opts.Bookings || opts.Bookings > opts.Citizens*MaxPerCitizen {
		return Result{}, fmt.Errorf("seed: %d bookings over %d citizens: each citizen has 1 to %d", opts.Bookings, opts.Citizens, MaxPerCitizen)
	}
	if opts.Batch <= 0 {
		opts.Batch = 20000
	}
	if opts.Prefix == "" {
		opts.Prefix = "seed-"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 10 * time.Second
	}
	g := newGenerator(keys, opts)
	res := Result{Citizens: opts.Citizens, Heavy: g.heavy, ByStatus: map[sagas.Status]int{}}
	started := time.Now()

	type batch struct {
		bs   []*sagas.Booking
		recs []idempotency.Imported
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 1) // one built ahead while one is written
	go func() {
		defer close(batches)
		for left := opts.Bookings; left > 0; {
			n := min(left, opts.Batch)
			var b batch
			b.bs = make([]*sagas.Booking, 0, n)
			for range n {
				bk, rec := g.next()
				b.bs = append(b.bs, bk)
				if rec != nil {
					b.recs = append(b.recs, *rec)
				}
			}
			left -= n
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	lastLine := started
	for b := range batches {
		if err := bookings.Import(ctx, b.bs); err != nil {
			return res, err
		}
		if err := idem.Import(ctx, b.recs); err != nil {
			return res, err
		}
		for _, bk := range b.bs {
			res.Bookings++
			res.Timeline += len(bk.Timeline)
			res.PatientKeys += len(bk.PatientKeys)
			if bk.ClinicEvent() != "" {
				res.ClinicEvents++
			}
			res.ByStatus[bk.Status]++
		}
		res.Idempotency += len(b.recs)
		if opts.Progress != nil && time.Since(lastLine) >= opts.ProgressEvery {
			lastLine = time.Now()
			el := time.Since(started)
			fmt.Fprintf(opts.Progress, "seed: %d/%d bookings, %.0f bookings/s, %.0f rows/s\n", res.Bookings, opts.Bookings,
				float64(res.Bookings)/el.Seconds(), float64(res.Rows())/el.Seconds())
		}
	}
	res.Elapsed = time.Since(started)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// generator makes the bookings, citizen after citizen.
type generator struct {
	keys *auth.Pseudonymizer
	opts Options
	rnd  *rand.Rand
	ids  io.Reader // uuids, reproducibly
	// heavy citizens have MaxPerCitizen bookings each.
	heavy int

	citizen, left, made int // current citizen, its bookings still to make, all made
	key                 string
	patientKeys         []string
	region              string
}

func newGenerator(keys *auth.Pseudonymizer, opts Options) *generator {
	g := &generator{keys: keys, opts: opts, rnd: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), citizen: -1}
	g.ids = rand.NewChaCha8([32]byte{byte(opts.Seed), byte(opts.Seed >> 8), byte(opts.Seed >> 16), 0x5e})
	g.heavy = max(1, opts.Citizens/100)
	// The heavy citizens must leave each other citizen at least one.
	for g.heavy > 1 && g.heavy*MaxPerCitizen+(opts.Citizens-g.heavy) > opts.Bookings {
		g.heavy /= 2
	}
	if g.heavy*MaxPerCitizen+(opts.Citizens-g.heavy) > opts.Bookings {
		g.heavy = 0
	}
	return g
}

// nextCitizen moves to the next citizen and decides how many bookings it
// has: MaxPerCitizen for the heavy ones, else what keeps the rest's mean
// on track for exactly Bookings over Citizens.
func (g *generator) nextCitizen() {
	g.citizen++
	i, o := g.citizen, g.opts
	switch rest := o.Citizens - i; {
	case i < g.heavy:
		g.left = MaxPerCitizen
	case rest <= 1:
		g.left = o.Bookings - g.made
	default:
		mean := float64(o.Bookings-g.made) / float64(rest)
		n := 1 + g.rnd.IntN(max(1, int(2*mean)-1))
		// Never leave the others fewer than one each, or more than the cap.
		n = max(n, o.Bookings-g.made-(rest-1)*MaxPerCitizen)
		n = min(n, MaxPerCitizen, o.Bookings-g.made-(rest-1))
		g.left = max(1, n)
	}
	subject := o.Prefix + strconv.Itoa(i)
	g.key = g.keys.Pseudonym("citizen", subject)
	g.patientKeys = g.keys.PatientKeys(snilsOf(i), fmt.Sprintf("77%014d", i))
	g.region = o.Regions[i%len(o.Regions)]
}

// snilsOf is a valid SNILS for citizen i (above the checksum floor).
func snilsOf(i int) string {
	n := fmt.Sprintf("%09d", 100000000+i%899999999)
	return n + auth.SNILSChecksum(n)
}

func (g *generator) uuid() string {
	u, err := uuid.NewRandomFromReader(g.ids)
	if err != nil {
		panic(err) // ChaCha8 never fails to read
	}
	return u.String()
}

// bookingID is a random UUID whose first 48 bits count the bookings made:
// ids in ascending order, so each batch appends to the indexes on booking
// ids (the bookings' key, the timeline's, the patient keys by booking)
// instead of touching a random page of each for every row, which made the
// seed slow down as the store grew (3 indexes spread over gigabytes,
// rewritten at every commit). The broker's own ids are random; a read
// by id is the same B-tree lookup either way.
func (g *generator) bookingID() string {
	u, err := uuid.NewRandomFromReader(g.ids)
	if err != nil {
		panic(err)
	}
	n := uint64(g.made) + g.opts.Seed<<40
	for i := range 6 {
		u[i] = byte(n >> (8 * (5 - i)))
	}
	return u.String()
}

// Shares of outcomes (per mille): past slots, then future ones.
var (
	pastShares   = []share{{visited, 560}, {noShow, 40}, {confirmed, 80}, {cancelled, 150}, {rejected, 120}, {failed, 50}}
	futureShares = []share{{confirmed, 800}, {cancelled, 120}, {rejected, 60}, {failed, 20}}
)

type outcome int

const (
	confirmed outcome = iota
	visited
	noShow
	cancelled
	rejected
	failed
)

type share struct {
	o      outcome
	permil int
}

func (g *generator) pick(shares []share) outcome {
	r := g.rnd.IntN(1000)
	for _, s := range shares {
		if r < s.permil {
			return s.o
		}
		r -= s.permil
	}
	return shares[0].o
}

var specialties = []struct{ code, name string }{
	{"109", "Терапевт"}, {"27", "Врач общей практики"}, {"76", "Педиатр"}, {"122", "Хирург"},
	{"49", "Невролог"}, {"29", "Офтальмолог"}, {"62", "Оториноларинголог"}, {"20", "Кардиолог"},
}

var rejectCodes = []string{sagas.CodeSlotTaken, sagas.CodeHoldExpired, sagas.CodeNotAttached, sagas.CodeReferralRequired}

// next is the next booking, and the idempotency record of its request when
// it was made within idempotencyWindow.
func (g *generator) next() (*sagas.Booking, *idempotency.Imported) {
	if g.left == 0 {
		g.nextCitizen()
	}
	g.left--
	g.made++
	now := g.opts.Now
	// Slots over the last two years and the next six months, on whole
	// quarter hours; the request came 1 hour to 3 weeks before.
	from, to := now.AddDate(-2, 0, 0), now.AddDate(0, 6, 0)
	start := from.Add(time.Duration(g.rnd.Int64N(int64(to.Sub(from))))).Truncate(15 * time.Minute).UTC()
	created := start.Add(-time.Hour - time.Duration(g.rnd.Int64N(int64(21*24*time.Hour))))
	if created.After(now) { // a far-off slot, booked some time in the last month
		created = now.Add(-time.Duration(g.rnd.Int64N(int64(30 * 24 * time.Hour))))
	}
	sp := specialties[g.rnd.IntN(len(specialties))]
	misSlot := strconv.FormatInt(g.rnd.Int64N(1e12), 36)
	practitioner := g.rnd.IntN(5000)
	facility := practitioner / 25
	slot := sagas.SlotSnapshot{
		ID: g.region + ":" + misSlot, MISSlotID: misSlot, Start: start, End: start.Add(15 * time.Minute),
		Specialty: sp.code, SpecialtyName: sp.name,
		PractitionerID: "p" + strconv.Itoa(practitioner), PractitionerName: "Врач " + strconv.Itoa(practitioner),
		FacilityID: "f" + strconv.Itoa(facility), FacilityName: "Поликлиника № " + strconv.Itoa(facility),
		FacilityAddress: "ул. Ленина, д. " + strconv.Itoa(1+facility%200),
	}
	id, idemKey := g.bookingID(), g.uuid()
	b := sagas.NewBooking(id, g.key, slot, g.region, nil, g.uuid(), created, 2*time.Minute)
	b.PatientKeys = g.patientKeys
	t := created
	step := func() time.Time { t = t.Add(time.Duration(5+g.rnd.IntN(400)) * time.Millisecond); return t }
	shares := futureShares
	if start.Before(now) {
		shares = pastShares
	}
	appt := contracts.Appointment{ID: g.uuid()}
	switch o := g.pick(shares); o {
	case rejected:
		b.Reject(sagas.Text(rejectCodes[g.rnd.IntN(len(rejectCodes))], sagas.LangEN), false, step())
	case failed:
		b.Fail(sagas.Text(sagas.CodeDeadline, sagas.LangEN), created.Add(2*time.Minute))
		b.Released(sagas.Text(sagas.CodeNothingLeft, sagas.LangEN), created.Add(2*time.Minute+time.Second))
	default:
		appt.HoldExpires = step().Add(10 * time.Minute)
		b.Held(appt, t)
		b.Confirm(appt, step())
		switch o {
		case cancelled:
			// Cancelled some time before the appointment, never after now.
			at := created.Add(time.Duration(g.rnd.Int64N(int64(max(time.Minute, start.Sub(created))))))
			at = minTime(at, now.Add(-time.Minute))
			_ = b.RequestCancel(maxTime(at, t.Add(time.Second)))
			b.Cancelled(b.UpdatedAt.Add(time.Duration(50+g.rnd.IntN(500)) * time.Millisecond))
		case visited, noShow:
			change := contracts.ClinicVisited
			if o == noShow {
				change = contracts.ClinicNoShow
			}
			at := start.Add(20 * time.Minute)
			ev := contracts.ClinicEvent{Version: contracts.MessageVersion, EventID: g.uuid(), Region: g.region,
				AppointmentID: appt.ID, Change: change, At: at}
			if _, err := b.ApplyClinic(ev, at.Add(time.Duration(g.rnd.IntN(3600))*time.Second)); err != nil {
				panic(err) // a confirmed booking past its start takes a visit
			}
		}
	}
	var rec *idempotency.Imported
	if now.Sub(created) < idempotencyWindow {
		resp, _ := json.Marshal(map[string]any{"id": id, "status": sagas.StatusPending, "region": g.region,
			"slot": map[string]any{"id": slot.ID, "start": slot.Start, "end": slot.End}, "created_at": created})
		hash := make([]byte, 32)
		_, _ = g.ids.Read(hash)
		rec = &idempotency.Imported{Owner: g.key, Key: idemKey, CreatedAt: created,
			Record: idempotency.Record{RequestHash: hex.EncodeToString(hash), StatusCode: 202, Response: resp}}
	}
	return b, rec
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
