package loadgen

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestEachCitizenGetsSlotsThatDoNotOverlapAndNotTooMany(t *testing.T) {
	day := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	// Five regions' doctors working the same hours: many slots at once.
	jobs := make([]job, 2000)
	for i := range jobs {
		start := day.Add(time.Duration(rng.IntN(40)) * 15 * time.Minute)
		jobs[i] = job{index: i, start: start, end: start.Add(15 * time.Minute)}
	}
	pool := 2000
	used := assignCitizens(jobs, pool)
	if used > 2000/perCitizen*3 {
		t.Errorf("the jobs used %d citizens, more than the overlap needs", used)
	}
	byCitizen := map[int][]job{}
	for _, j := range jobs {
		if j.citizen < 0 || j.citizen >= used {
			t.Fatalf("job %d got citizen %d outside the pool of %d", j.index, j.citizen, pool)
		}
		byCitizen[j.citizen] = append(byCitizen[j.citizen], j)
	}
	for c, js := range byCitizen {
		if len(js) > perCitizen {
			t.Errorf("citizen %d has %d bookings, more than %d", c, len(js), perCitizen)
		}
		for a := range js {
			for b := a + 1; b < len(js); b++ {
				if js[a].start.Before(js[b].end) && js[b].start.Before(js[a].end) {
					t.Errorf("citizen %d has overlapping slots %s and %s", c, js[a].start, js[b].start)
				}
			}
		}
	}
}

func TestAPoolTooSmallStillGivesEveryJobACitizenOfThePool(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	jobs := make([]job, 10)
	for i := range jobs {
		jobs[i] = job{index: i, start: start, end: start.Add(time.Hour)} // all at once
	}
	assignCitizens(jobs, 3)
	for _, j := range jobs {
		if j.citizen < 0 || j.citizen >= 3 {
			t.Fatalf("job %d got citizen %d outside the pool of 3", j.index, j.citizen)
		}
	}
}
