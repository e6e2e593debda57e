package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/store"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// verdict is how one attempt ended, before it becomes a store outcome.
type verdict struct {
	status     Status
	reason     string
	retryAfter time.Duration
	latency    time.Duration // zero when nothing was sent
	// config marks a configuration error, logged once per output.
	config bool
	// now makes a retry due at once: the attempt was cut short by
	// shutdown, not failed by the output.
	now bool
	// again marks a delivery recorded a second time without a send; it
	// is not an attempt to count.
	again bool
}

// attempt makes one attempt at a job and finishes it.
func (d *Dispatcher) attempt(l *lane, j *job) {
	d.mu.Lock()
	p := j.pair
	_, acked := d.acked[keyOf(p)]
	d.mu.Unlock()
	now := d.opts.Now()
	switch {
	case acked:
		// Delivered under an earlier lease whose outcome is not yet
		// committed: record it again rather than send again.
		d.finish(j, verdict{status: Delivered, again: true})
		return
	case now.Add(d.opts.SendTimeout).After(p.LeasedUntil):
		// The lease could end mid-send and the pair be sent twice.
		d.mu.Lock()
		wait := l.backlogWait(d.opts)
		d.mu.Unlock()
		d.finish(j, verdict{status: Deferred, retryAfter: wait,
			reason: fmt.Sprintf("not attempted: output %s was too busy to send it within its lease", p.Output)})
		return
	}
	d.mu.Lock()
	l.sending[j] = time.Now()
	d.mu.Unlock()
	v := d.try(p)
	d.mu.Lock()
	delete(l.sending, j)
	if v.latency > 0 {
		l.observe(v.latency)
	}
	d.mu.Unlock()
	d.finish(j, v)
}

// try composes the publication and calls the plugin.
func (d *Dispatcher) try(p store.Pair) verdict {
	service, descriptor, _ := strings.Cut(p.Output, ":")
	if err := d.ensure(service, descriptor); err != nil {
		return verdict{status: Failed, reason: err.Error(), config: true}
	}
	pub, err := d.deps.Composer.Compose(p.Alert, p.Output)
	if err != nil {
		return verdict{status: Failed, reason: err.Error()}
	}
	body, err := p.Alert.Payload()
	if err != nil {
		return verdict{status: Failed, reason: err.Error()}
	}
	if !d.acquire() {
		return interrupted()
	}
	defer d.release()
	ctx, cancel := context.WithTimeout(d.sendCtx, d.opts.SendTimeout)
	defer cancel()
	start := time.Now()
	res, err := d.deps.Sender.Send(ctx, "output."+service, descriptor, body, pub)
	took := max(time.Since(start), time.Nanosecond)
	v := d.classify(ctx, p.Output, res, err)
	v.latency = took
	return v
}

// classify maps a plugin's answer, or the host's failure to get one, to a
// verdict.
func (d *Dispatcher) classify(ctx context.Context, output string, res saplugin.SendResult, err error) verdict {
	switch {
	case err == nil:
		switch res.Status {
		case saplugin.Delivered:
			return verdict{status: Delivered}
		case saplugin.Permanent:
			return verdict{status: Failed, reason: res.Message}
		}
		return verdict{status: Retrying, reason: res.Message, retryAfter: res.RetryAfter}
	case d.sendCtx.Err() != nil:
		return interrupted()
	case errors.Is(err, pluginhost.ErrNotInstalled):
		return verdict{status: Failed, config: true,
			reason: fmt.Sprintf("output %s: plugin output.%s is not installed", output, strings.SplitN(output, ":", 2)[0])}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return verdict{status: Retrying, reason: fmt.Sprintf("no answer within %s: %s", d.opts.SendTimeout, err)}
	case pluginhost.Transient(err):
		return verdict{status: Retrying, reason: err.Error()}
	}
	// The host asked and the plugin cannot take the call: a refused
	// configuration, a plugin marked failed, a protocol error. These need
	// a person; `sa alerts retry` sends the pairs again once fixed.
	return verdict{status: Failed, reason: err.Error(), config: true}
}

func interrupted() verdict {
	return verdict{status: Retrying, reason: "interrupted: sa was shutting down", now: true}
}

// acquire takes a global send slot, or fails when sends are cancelled.
func (d *Dispatcher) acquire() bool {
	select {
	case d.slot <- struct{}{}:
		return true
	case <-d.sendCtx.Done():
		return false
	}
}

func (d *Dispatcher) release() { <-d.slot }

// ensure registers the output's instance with the host once it worked.
func (d *Dispatcher) ensure(service, descriptor string) error {
	output := service + ":" + descriptor
	d.mu.Lock()
	done := d.ensured[output]
	d.mu.Unlock()
	if done {
		return nil
	}
	if err := d.deps.Instances.Ensure(service, descriptor); err != nil {
		return fmt.Errorf("output %s: %w", output, err)
	}
	d.mu.Lock()
	d.ensured[output] = true
	d.mu.Unlock()
	return nil
}
