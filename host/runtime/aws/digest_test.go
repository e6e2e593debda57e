package aws

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/store"
)

// TestStagingDigest: the merger's digest step stores one digest a day, in
// DynamoDB, once staging.digest_at has passed, addressed to the digest
// output; a second sandbox trying the same day adds nothing, the next day
// gets its own, and a day with nothing staged gets none.
func TestStagingDigest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := newStore(t)
	base := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	now := base
	m, err := staging.New(ctx, st.Staging(), staging.Options{Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := embedded.StagingConfig{DigestAt: "13:30", DigestOutput: "slack:soc"}
	digests := func() []string {
		t.Helper()
		res, err := st.List(ctx, store.ListRequest{Filter: store.Filter{Rule: embedded.StagingDigestAlert}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range res.Alerts {
			if !slices.Equal(a.Outputs, []string{"slack:soc"}) {
				t.Errorf("digest %s goes to %v", a.ID, a.Outputs)
			}
			ids = append(ids, a.ID)
		}
		return ids
	}
	first := NewStagingDigest(m, st, cfg)
	run := func(d *StagingDigest, at time.Time, want bool) {
		t.Helper()
		now = at
		if _, err := m.Promote(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := d.Run(ctx, at)
		if err != nil || got != want {
			t.Fatalf("Run at %v: %v %v, want %v", at, got, err, want)
		}
	}

	run(first, base, false) // nothing staged, and not yet time
	if err := m.Ensure(ctx, "new_rule"); err != nil {
		t.Fatal(err)
	}
	if err := m.Stage(ctx, "new_rule"); err != nil {
		t.Fatal(err)
	}
	run(first, base.Add(4*time.Hour), false) // 13:00
	run(first, base.Add(4*time.Hour+30*time.Minute), true)
	run(first, base.Add(5*time.Hour), false) // this sandbox did today's
	// Another sandbox, started later the same day, stores nothing new.
	NewStagingDigest(m, st, cfg).Run(ctx, base.Add(6*time.Hour))
	if ids := digests(); len(ids) != 1 {
		t.Fatalf("digests after the first day: %v, want one", ids)
	}
	run(first, base.Add(24*time.Hour+4*time.Hour+31*time.Minute), true)
	if ids := digests(); len(ids) != 2 || ids[0] == ids[1] {
		t.Errorf("digests after the second day: %v, want two", ids)
	}
	// Once the rule is unstaged, there is nothing to digest.
	if err := m.Unstage(ctx, "new_rule"); err != nil {
		t.Fatal(err)
	}
	run(first, base.Add(48*time.Hour+5*time.Hour), false)
	if ids := digests(); len(ids) != 2 {
		t.Errorf("digests after a day with nothing staged: %v, want the first two only", ids)
	}
}
