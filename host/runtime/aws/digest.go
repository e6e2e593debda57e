package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/store"
)

// StagingDigest raises the daily digest of staged rules on AWS, as sa
// serve does at staging.digest_at UTC. The merger runs it every minute,
// after promoting: once the day's digest time has passed, the digest alert
// goes into the store, and the processor sends it to
// staging.digest_output. Its id derives from the date, so a sandbox that
// tries after another succeeded stores nothing more; each sandbox tries at
// most once a day.
type StagingDigest struct {
	manager *staging.Manager
	store   store.Writer
	at      time.Duration
	output  string
	done    time.Time // the day whose digest this sandbox stored
}

// NewStagingDigest returns the digest step over m's table, storing into st
// at the time and to the output sa.yaml's staging section names.
func NewStagingDigest(m *staging.Manager, st store.Writer, cfg embedded.StagingConfig) *StagingDigest {
	return &StagingDigest{manager: m, store: st, at: cfg.DigestTime(), output: cfg.DigestOutput}
}

// Run stores today's digest if it is due and not yet stored; it reports
// whether it stored one. The manager's states must be current (Promote
// and Flush read the table).
func (d *StagingDigest) Run(ctx context.Context, now time.Time) (bool, error) {
	day := now.UTC().Truncate(24 * time.Hour)
	if now.Before(day.Add(d.at)) || d.done.Equal(day) {
		return false, nil
	}
	a, ok, err := embedded.DigestAlert(d.manager, day.Add(d.at), d.output)
	if err != nil {
		return false, fmt.Errorf("staging digest: %w", err)
	}
	if ok {
		if err := d.store.Insert(ctx, a); err != nil {
			return false, fmt.Errorf("staging digest: %w", err)
		}
	}
	d.done = day
	return ok, nil
}
