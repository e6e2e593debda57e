package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/host/secrets/storetest"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Distinctive values, so that finding one anywhere is a leak and not chance.
var (
	slackSOC = secrets.Value{"url": "https://hooks.slack.example/services/T000/B000/XyZzy-slack-webhook-0xC0FFEE"}
	duoProd  = secrets.Value{
		"api_hostname":    "api-deadbeef.duosecurity.example",
		"integration_key": "DIWJ8X6AEYOR5OMC6TQ1-duo-ikey",
		"secret_key":      "Zh5eGmUq9zYk1x2w3v4u5t6s7r8q9p0o-duo-skey\n\"quoted\" \\ ü",
	}
)

// valuesOf is every value of vs, for leak checks.
func valuesOf(vs ...secrets.Value) []string {
	var out []string
	for _, v := range vs {
		out = append(out, secrettest.Reveal(v)...)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	s, _ := newStore(t)
	storetest.RoundTrip(t, s, nil)
}

func TestPermissions(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "output/slack/soc", slackSOC)
	mustPut(t, s, "output/slack/soc", slackSOC) // a rewrite keeps them too
	if m := mode(t, s.Dir()); m != 0o700 {
		t.Errorf("store directory mode %04o, want 0700", m)
	}
	if m := mode(t, storeFile(s, "output/slack/soc")); m != 0o600 {
		t.Errorf("secret file mode %04o, want 0600", m)
	}

	// An existing directory open to others is tightened.
	dir := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	k, _ := secrets.NewKey()
	openStore(t, dir, k)
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("existing store directory left at %04o, want 0700", m)
	}
}

// TestNoPlaintextOnDisk scans every byte of every file under the store for
// the values and property names put, in any common encoding.
func TestNoPlaintextOnDisk(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "output/slack/soc", slackSOC)
	mustPut(t, s, "app/duo_auth/prod_collector", duoProd)
	mustPut(t, s, "app/duo_auth/prod_collector", duoProd)
	mustPut(t, s, "output/tmp/gone", secrets.Value{"token": "deleted-but-never-plain-0451"})
	if err := s.Delete(context.Background(), "output/tmp/gone"); err != nil {
		t.Fatal(err)
	}
	var contents []string
	err := filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		contents = append(contents, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(contents) != 2 {
		t.Errorf("store holds %d files, want 2 (no temporary files left)", len(contents))
	}
	leaks := append(valuesOf(slackSOC, duoProd), "deleted-but-never-plain-0451", "integration_key", "api_hostname")
	secrettest.AssertNoLeak(t, leaks, contents...)
}

// TestValuesPrintMasked checks every usual way of printing, marshalling
// and logging what Get returns.
func TestValuesPrintMasked(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "app/duo_auth/prod_collector", duoProd)
	v, err := s.Get(context.Background(), "app/duo_auth/prod_collector")
	if err != nil {
		t.Fatal(err)
	}
	texts := secrettest.Render(v, v["secret_key"], map[string]schema.Secret(v), []secrets.Value{v},
		struct{ Creds secrets.Value }{v})
	texts = append(texts, fmt.Sprintf("%v %+v %#v %s", v, v, v, v))
	secrettest.AssertNoLeak(t, valuesOf(duoProd), texts...)
	for _, text := range texts {
		// json.Marshal escapes '<' and '>' as HTML-safe \u003c and \u003e.
		if !strings.Contains(text, schema.Masked) && !strings.Contains(text, `\u003csecret\u003e`) {
			t.Errorf("%q does not show %s", text, schema.Masked)
		}
	}
	log := secrettest.Logger(t, valuesOf(duoProd))
	log.Info("fetched", "creds", v, "key", v["secret_key"])
	log.Debug("fetched", slog.Any("creds", v))
}

func TestInvalidNamesRejected(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	k, _ := secrets.NewKey()
	s := openStore(t, filepath.Join(parent, "secrets"), k)
	names := []string{"../escape", "../../etc/passwd", "a/../../escape", "/abs", "a//b", ".hidden", "UPPER", `a\..\b`, "a\x00b", ""}
	for _, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			_, gerr := s.Get(ctx, name)
			perr := s.Put(ctx, name, slackSOC)
			derr := s.Delete(ctx, name)
			for op, err := range map[string]error{"Get": gerr, "Put": perr, "Delete": derr} {
				if !errors.Is(err, secrets.ErrInvalidName) {
					t.Errorf("%s = %v, want ErrInvalidName", op, err)
				}
			}
		})
	}
	entries, _ := os.ReadDir(parent)
	files, _ := os.ReadDir(s.Dir())
	if len(entries) != 1 || len(files) != 0 {
		t.Fatalf("invalid names created files: %d beside the store, %d in it", len(entries)-1, len(files))
	}
}

func TestContextCancelled(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %v, want context.Canceled", err)
	}
	if err := s.Put(ctx, "a", slackSOC); !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v, want context.Canceled", err)
	}
	if _, err := s.List(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("List = %v, want context.Canceled", err)
	}
}

// TestListSkipsStrays checks that files which are not secrets, such as a
// temporary file left by a crash, are not listed.
func TestListSkipsStrays(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "output/slack/soc", slackSOC)
	for _, f := range []string{".tmp-123456", "README", "Bad+Name.age", "x.age.bak"} {
		os.WriteFile(filepath.Join(s.Dir(), f), []byte("x"), 0o600)
	}
	os.Mkdir(filepath.Join(s.Dir(), "dir.age"), 0o700)
	names, err := s.List(context.Background(), "")
	if err != nil || !slices.Equal(names, []string{"output/slack/soc"}) {
		t.Fatalf("List = %q, %v", names, err)
	}
}

func TestConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Go(func() {
			own := fmt.Sprintf("output/worker/w%d", w)
			for r := range rounds {
				v := secrets.Value{"token": schema.Secret(fmt.Sprintf("w%d-r%d", w, r))}
				if err := s.Put(ctx, own, v); err != nil {
					errs <- err
				}
				if err := s.Put(ctx, "output/shared/one", v); err != nil {
					errs <- err
				}
				got, err := s.Get(ctx, own)
				if err != nil || !maps.Equal(got, v) {
					errs <- fmt.Errorf("%s round %d: read back %d properties: %w", own, r, len(got), err)
				}
				got, err = s.Get(ctx, "output/shared/one")
				if err != nil || !strings.HasPrefix(got["token"].Reveal(), "w") {
					errs <- fmt.Errorf("shared round %d: %w", r, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	names, err := s.List(ctx, "")
	if err != nil || len(names) != workers+1 {
		t.Fatalf("List = %d names, %v; want %d", len(names), err, workers+1)
	}
}
