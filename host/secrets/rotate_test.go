package secrets_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
)

var rotated = map[string]secrets.Value{
	"output/slack/soc":            slackSOC,
	"app/duo_auth/prod_collector": duoProd,
	"output/pagerduty/oncall":     {"service_key": "pd-7f3a9c1e5b-integration"},
}

// expectAll checks that a store opened on dir with only k reads every
// secret of want.
func expectAll(t *testing.T, dir string, k *secrets.Key, want map[string]secrets.Value) {
	t.Helper()
	s := openStore(t, dir, k)
	for name, v := range want {
		got, err := s.Get(context.Background(), name)
		if err != nil || !maps.Equal(got, v) {
			t.Errorf("with %s only, Get(%s) = %d properties, %v", k.Source(), name, len(got), err)
		}
	}
}

func putAll(t *testing.T, s secrets.Store, vs map[string]secrets.Value) {
	for name, v := range vs {
		mustPut(t, s, name, v)
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	s, old := newStore(t)
	putAll(t, s, rotated)
	next, _ := secrets.NewKey()
	if err := s.Rotate(ctx, next); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	expectAll(t, s.Dir(), next, rotated)
	_, err := openStore(t, s.Dir(), old).Get(ctx, "output/slack/soc")
	if !errors.Is(err, secrets.ErrWrongKey) {
		t.Errorf("old key after Rotate: %v, want ErrWrongKey", err)
	}
	// The rotated store writes with the new key.
	mustPut(t, s, "output/new/one", slackSOC)
	expectAll(t, s.Dir(), next, map[string]secrets.Value{"output/new/one": slackSOC})
}

// TestRotateResumes models a rotation cut short: some secrets already
// under the new key, the rest under the old.
func TestRotateResumes(t *testing.T) {
	s, _ := newStore(t)
	putAll(t, s, rotated)
	next, _ := secrets.NewKey()
	mustPut(t, openStore(t, s.Dir(), next), "output/done/already", slackSOC)
	if err := s.Rotate(context.Background(), next); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	all := maps.Clone(rotated)
	all["output/done/already"] = slackSOC
	expectAll(t, s.Dir(), next, all)
}

// TestRotateFailure checks that a failed Rotate loses nothing, keeps
// everything readable, and completes when run again.
func TestRotateFailure(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	putAll(t, s, rotated)
	bad := storeFile(s, "output/zz/damaged")
	if err := os.WriteFile(bad, []byte("not age"), 0o600); err != nil {
		t.Fatal(err)
	}
	next, _ := secrets.NewKey()
	err := s.Rotate(ctx, next)
	if !errors.Is(err, secrets.ErrCorrupt) {
		t.Fatalf("Rotate over a damaged secret = %v, want ErrCorrupt", err)
	}
	for name, v := range rotated {
		if got, err := s.Get(ctx, name); err != nil || !maps.Equal(got, v) {
			t.Errorf("after a failed Rotate, Get(%s): %v", name, err)
		}
	}
	os.Remove(bad)
	if err := s.Rotate(ctx, next); err != nil {
		t.Fatalf("Rotate again: %v", err)
	}
	expectAll(t, s.Dir(), next, rotated)

	ctx, cancel := context.WithCancel(ctx)
	cancel()
	last, _ := secrets.NewKey()
	if err := s.Rotate(ctx, last); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate with a cancelled context = %v", err)
	}
	if _, err := s.Get(context.Background(), "output/slack/soc"); err != nil {
		t.Fatalf("after a cancelled Rotate: %v", err)
	}
}

// TestRotateProcedure follows the documented procedure with key files.
func TestRotateProcedure(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	keyPath, dir := filepath.Join(home, "key.txt"), filepath.Join(home, "secrets")
	if _, err := secrets.GenerateKey(keyPath); err != nil {
		t.Fatal(err)
	}
	old, err := secrets.LoadKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, openStore(t, dir, old), rotated)

	next, err := secrets.GenerateKey(keyPath + ".new")
	if err != nil {
		t.Fatal(err)
	}
	if err := openStore(t, dir, old).Rotate(ctx, next); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if err := os.Rename(keyPath, keyPath+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(keyPath+".new", keyPath); err != nil {
		t.Fatal(err)
	}
	k, err := secrets.LoadKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	expectAll(t, dir, k, rotated)
}
