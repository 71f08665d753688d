package loadgen

import (
	"container/heap"
	"slices"
	"time"
)

// perCitizen is the most bookings one citizen of the pool makes: below the
// broker's default cap on a citizen's active bookings (10), which a run
// must not hit, since it measures the sagas, not the guards.
const perCitizen = 8

// assignCitizens gives each job a citizen of the pool so that no citizen
// has two bookings whose slots overlap in time, nor more than perCitizen:
// what a real population looks like, and what the broker's citizen guards
// allow. It is interval partitioning: jobs in order of start, each given
// the citizen who became free earliest, if free by then, else a citizen
// not used yet. Only when the pool is too small for that (a run far
// larger than its pool) does a citizen get an overlapping slot, which the
// broker then refuses and the report counts. It returns how many citizens
// of the pool the jobs use.
func assignCitizens(jobs []job, pool int) int {
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return jobs[a].start.Compare(jobs[b].start) })
	free := &byFreeAt{}
	unused := 0
	for _, i := range order {
		j := &jobs[i]
		end := j.end
		if !end.After(j.start) {
			end = j.start.Add(time.Minute) // a slot without an end still takes its start
		}
		var c *citizenLoad
		switch {
		case free.Len() > 0 && !(*free)[0].freeAt.After(j.start):
			c = heap.Pop(free).(*citizenLoad)
		case unused < pool:
			c = &citizenLoad{id: unused}
			unused++
		case free.Len() > 0:
			c = heap.Pop(free).(*citizenLoad) // the pool is exhausted: the earliest free
		default:
			c = &citizenLoad{id: 0}
		}
		j.citizen = c.id
		c.freeAt, c.bookings = end, c.bookings+1
		if c.bookings < perCitizen {
			heap.Push(free, c)
		}
	}
	return max(unused, 1)
}

// citizenLoad is one citizen of the pool while jobs are assigned.
type citizenLoad struct {
	id       int
	freeAt   time.Time // end of the latest slot given
	bookings int
}

// byFreeAt is a min-heap of citizens by the time they become free.
type byFreeAt []*citizenLoad

func (h byFreeAt) Len() int           { return len(h) }
func (h byFreeAt) Less(i, j int) bool { return h[i].freeAt.Before(h[j].freeAt) }
func (h byFreeAt) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *byFreeAt) Push(x any)        { *h = append(*h, x.(*citizenLoad)) }
func (h *byFreeAt) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
