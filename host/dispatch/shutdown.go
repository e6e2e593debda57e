package dispatch

import (
	"time"
)

// drain ends the work after leasing stopped: queued pairs go back to the
// store due at once (their attempt never started), sends in flight get
// DrainTimeout to finish and are then cancelled, and every lane worker has
// returned when drain does.
func (d *Dispatcher) drain() {
	d.rec.shutdown()
	d.mu.Lock()
	d.draining = true
	var queued []*job
	for _, l := range d.lanes {
		queued = append(queued, l.queue...)
		l.queue = nil
	}
	d.mu.Unlock()
	for _, j := range queued {
		d.finish(j, verdict{status: Deferred, reason: "not attempted: sa was shutting down"})
	}
	done := make(chan struct{})
	go func() {
		d.work.Wait()
		close(done)
	}()
	t := time.NewTimer(d.opts.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	d.mu.Lock()
	inFlight := len(d.active)
	d.mu.Unlock()
	d.log.Warn("shutdown: cancelling sends still in flight", "sends", inFlight, "waited", d.opts.DrainTimeout)
	d.stop()
	<-done
}
