package secrets_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

func TestWrongKey(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	mustPut(t, s, "output/slack/soc", slackSOC)

	other, otherPath := newKeyFile(t)
	wrong := openStore(t, s.Dir(), other)
	_, err := wrong.Get(ctx, "output/slack/soc")
	if !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("Get with another key = %v, want ErrWrongKey", err)
	}
	want := "cannot decrypt output/slack/soc: the key in " + otherPath + " is not the one it was written with"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}

	t.Setenv(secrets.EnvKey, other.Secret().Reveal())
	envKey, err := secrets.LoadKey("")
	if err != nil {
		t.Fatal(err)
	}
	_, err = openStore(t, s.Dir(), envKey).Get(ctx, "output/slack/soc")
	if !errors.Is(err, secrets.ErrWrongKey) || !strings.Contains(err.Error(), "the key in $SA_SECRET_KEY is not") {
		t.Errorf("Get with a wrong $SA_SECRET_KEY = %v", err)
	}
	secrettest.AssertNoLeak(t, append(valuesOf(slackSOC), other.Secret().Reveal()), err.Error())
}

// TestCorrupted damages a stored file in each way a disk, a crash or a
// careless hand can, and expects an error naming the file, matching
// ErrCorrupt, and quoting nothing of what the file holds.
func TestCorrupted(t *testing.T) {
	const plainSecret = "plaintext-token-8c1f5e0b7d"
	tests := map[string]func(ct []byte) []byte{
		"empty":            func([]byte) []byte { return nil },
		"truncated half":   func(ct []byte) []byte { return ct[:len(ct)/2] },
		"truncated tail":   func(ct []byte) []byte { return ct[:len(ct)-1] },
		"header only":      func(ct []byte) []byte { return ct[:bytes.Index(ct, []byte("\n---"))+1] },
		"payload bit flip": func(ct []byte) []byte { ct[len(ct)-5] ^= 0x01; return ct },
		"header MAC":       func(ct []byte) []byte { ct[bytes.Index(ct, []byte("\n--- "))+6] ^= 0x01; return ct },
		"trailing data":    func(ct []byte) []byte { return append(ct, "more"...) },
		"plaintext JSON":   func([]byte) []byte { return []byte(`{"token":"` + plainSecret + `"}`) },
		"plaintext lines":  func([]byte) []byte { return []byte("age-encryption.org/v1\n-> " + plainSecret + "\n") },
		"garbage":          func([]byte) []byte { return bytes.Repeat([]byte{0xff, 0x00}, 500) },
		"too large":        func(ct []byte) []byte { return append(ct, make([]byte, 1<<20)...) },
	}
	for name, damage := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t)
			mustPut(t, s, "output/slack/soc", slackSOC)
			path := storeFile(s, "output/slack/soc")
			ct, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, damage(ct), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = s.Get(context.Background(), "output/slack/soc")
			if !errors.Is(err, secrets.ErrCorrupt) {
				t.Fatalf("Get = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "output/slack/soc") {
				t.Errorf("error does not name the secret and its file: %v", err)
			}
			secrettest.AssertNoLeak(t, append(valuesOf(slackSOC), plainSecret), err.Error())
			// Other secrets are unaffected.
			mustPut(t, s, "output/slack/other", slackSOC)
			if _, err := s.Get(context.Background(), "output/slack/other"); err != nil {
				t.Errorf("a damaged secret broke another: %v", err)
			}
		})
	}
}

// TestPutErrorsDoNotLeak covers the errors Put makes from a value itself.
func TestPutErrorsDoNotLeak(t *testing.T) {
	s, _ := newStore(t)
	bad := secrets.Value{"token": "valid-prefix-3e8a7c\xffinvalid-utf8"}
	err := s.Put(context.Background(), "output/x/y", bad)
	if err == nil {
		t.Fatal("Put of invalid UTF-8 succeeded")
	}
	secrettest.AssertNoLeak(t, []string{"valid-prefix-3e8a7c"}, err.Error())
}
