// Package storetest is the behaviour every secrets.Store must have, as a
// test any store's package runs against its own implementation: values
// round-trip whole, Put replaces, List is sorted and filtered by prefix,
// Delete removes, and absent names match secrets.ErrNotFound.
package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
)

// Values are distinctive secrets the suite puts, so a store's own test can
// look for them in its backing storage or in logs.
var Values = map[string]secrets.Value{
	"output/slack/soc": {"url": "https://hooks.slack.example/services/T000/B000/storetest-webhook-0xC0FFEE"},
	"app/duo_auth/prod_collector": {
		"api_hostname":    "api-deadbeef.duosecurity.example",
		"integration_key": "DIWJ8X6AEYOR5OMC6TQ1-storetest-ikey",
		"secret_key":      "Zh5eGmUq9zYk1x2w3v4u5t6s7r8q9p0o-storetest-skey\n\"quoted\" \\ ü <&>",
	},
	"output/pagerduty/empty": {},
	"top":                    {"multi\nline key": "line1\nline2\x00\x01"},
}

// RoundTrip runs the suite on s, which must be empty. After every Put it
// calls stored, when set, with the name and value just put, so the store's
// test can check how the value was kept.
func RoundTrip(t *testing.T, s secrets.Store, stored func(t *testing.T, name string, v secrets.Value)) {
	t.Helper()
	ctx := context.Background()
	put := func(t *testing.T, name string, v secrets.Value) {
		t.Helper()
		if err := s.Put(ctx, name, v); err != nil {
			t.Fatalf("Put(%s): %v", name, err)
		}
		if stored != nil {
			stored(t, name, v)
		}
	}
	names := slices.Sorted(maps.Keys(Values))
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			put(t, name, Values[name])
			got, err := s.Get(ctx, name)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !maps.Equal(got, Values[name]) {
				t.Fatalf("Get returned %d properties, not the %d put", len(got), len(Values[name]))
			}
		})
	}
	if got, err := s.List(ctx, ""); err != nil || !slices.Equal(got, names) {
		t.Fatalf("List = %q, %v; want %q", got, err, names)
	}
	want := []string{"output/pagerduty/empty", "output/slack/soc"}
	if got, _ := s.List(ctx, "output/"); !slices.Equal(got, want) {
		t.Fatalf("List(output/) = %q, want %q", got, want)
	}

	// Put replaces the whole value.
	put(t, "output/slack/soc", secrets.Value{"url": "https://other.example/x"})
	if got, _ := s.Get(ctx, "output/slack/soc"); len(got) != 1 || got["url"].Reveal() != "https://other.example/x" {
		t.Fatalf("Get after overwrite returned the old value")
	}

	if err := s.Delete(ctx, "output/slack/soc"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, err := range []error{
		s.Delete(ctx, "output/slack/soc"),
		func() error { _, err := s.Get(ctx, "output/slack/soc"); return err }(),
		func() error { _, err := s.Get(ctx, "never/was"); return err }(),
	} {
		if !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("after Delete: %v, want ErrNotFound", err)
		}
	}
}
