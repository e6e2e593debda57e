package dispatch

import (
	"time"
)

// lane is one output's queue and workers. Its fields are guarded by the
// dispatcher's mutex.
type lane struct {
	output  string
	queue   []*job
	running int // workers, at most PerOutput
	// latency is a moving average of the output's send time, zero until
	// the first send ends; sending holds the start of each send in
	// flight. Together they set how much the lane may queue.
	latency time.Duration
	sending map[*job]time.Time
}

func (d *Dispatcher) laneOf(output string) *lane {
	l, ok := d.lanes[output]
	if !ok {
		l = &lane{output: output, sending: map[*job]time.Time{}}
		d.lanes[output] = l
	}
	return l
}

// capacity is how many pairs the lane may queue: what its workers can
// start within a lease at the current latency, leaving time to finish the
// last send, between PerOutput and MaxQueued. A healthy output can thus
// take a whole burst, held back only by MaxHeld, which stops leasing
// without spending attempts; a slow one queues only what it can send.
func (l *lane) capacity(o Options) int {
	lat := l.slowness()
	if lat <= 0 {
		return o.MaxQueued
	}
	usable := o.Lease - o.SendTimeout
	n := int64(o.PerOutput) * int64(usable) / int64(lat)
	return int(min(max(n, int64(o.PerOutput)), int64(o.MaxQueued)))
}

// slowness is the lane's latency as it stands: the average, or the age of
// the oldest send still in flight when that is longer, so an output that
// starts hanging is noticed before any of its hung sends ends.
func (l *lane) slowness() time.Duration {
	lat := l.latency
	for _, start := range l.sending {
		lat = max(lat, time.Since(start))
	}
	return lat
}

// backlogWait estimates when the lane will have worked off its queue: the
// earliest a pair handed back is worth leasing again.
func (l *lane) backlogWait(o Options) time.Duration {
	rounds := (len(l.queue) + o.PerOutput - 1) / o.PerOutput
	return max(time.Duration(rounds)*l.slowness(), time.Second)
}

// observe folds one send's latency into the average (weight 1/8).
func (l *lane) observe(took time.Duration) {
	if l.latency == 0 {
		l.latency = took
		return
	}
	l.latency += (took - l.latency) / 8
}

// runLane works through the lane's queue until it is empty or the
// dispatcher drains; PerOutput of these run per lane at most.
func (d *Dispatcher) runLane(l *lane) {
	defer d.work.Done()
	for {
		j := d.next(l)
		if j == nil {
			return
		}
		d.attempt(l, j)
	}
}

// next pops the lane's next job, or retires the calling worker.
func (d *Dispatcher) next(l *lane) *job {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining || len(l.queue) == 0 {
		l.running--
		return nil
	}
	j := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	return j
}
