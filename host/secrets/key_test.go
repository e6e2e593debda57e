package secrets_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

func TestGenerateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	path := filepath.Join(dir, "key.txt")
	k, err := secrets.GenerateKey(path)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("key file mode %04o, want 0600", m)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("key directory mode %04o, want 0700", m)
	}
	if k.Source() != path {
		t.Errorf("Source = %q, want %q", k.Source(), path)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "# public key: "+k.Recipient()) {
		t.Errorf("key file lacks age-keygen's public key comment:\n%s", data)
	}
	back, err := secrets.LoadKeyFile(path)
	if err != nil {
		t.Fatalf("LoadKeyFile: %v", err)
	}
	if back.Recipient() != k.Recipient() {
		t.Errorf("loaded key %s, generated %s", back.Recipient(), k.Recipient())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file", len(entries))
	}

	_, err = secrets.GenerateKey(path)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("GenerateKey over an existing key = %v, want fs.ErrExist naming the file", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Fatal("GenerateKey changed an existing key file")
	}
}

func TestLoadKeyFilePermissions(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o644, false},
		{0o640, false},
		{0o604, false},
		{0o620, false},
		{0o602, false},
		{0o666, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			k, path := newKeyFile(t)
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := secrets.LoadKeyFile(path)
			if tt.ok {
				if err != nil {
					t.Fatalf("LoadKeyFile: %v", err)
				}
				return
			}
			if !errors.Is(err, secrets.ErrInsecureKey) {
				t.Fatalf("LoadKeyFile = %v, want ErrInsecureKey", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "chmod 600 "+path) {
				t.Errorf("error does not name the file and the fix: %v", err)
			}
			secrettest.AssertNoLeak(t, []string{k.Secret().Reveal()}, err.Error())
		})
	}
}

func TestLoadKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	const leaky = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQZZ"
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := map[string]string{
		"missing":    filepath.Join(dir, "absent.txt"),
		"empty":      write("empty.txt", ""),
		"comments":   write("comments.txt", "# only a comment\n\n"),
		"malformed":  write("bad.txt", leaky+"\n"),
		"two keys":   write("two.txt", leaky+"\n"+leaky+"\n"),
		"directory":  dir,
		"not a key":  write("json.txt", `{"token":"`+leaky+`"}`),
		"oversize":   write("big.txt", strings.Repeat("#", 70<<10)),
		"public key": write("pub.txt", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"),
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := secrets.LoadKeyFile(path)
			if err == nil {
				t.Fatal("LoadKeyFile succeeded")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name %s: %v", path, err)
			}
			secrettest.AssertNoLeak(t, []string{leaky, leaky[16:40]}, err.Error())
		})
	}
}

func TestKeyFromEnv(t *testing.T) {
	k, path := newKeyFile(t)
	data, _ := os.ReadFile(path)
	bare := k.Secret().Reveal()
	for name, val := range map[string]string{"bare": bare, "padded": "  " + bare + "\n", "whole file": string(data)} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(secrets.EnvKey, val)
			got, err := secrets.LoadKey(filepath.Join(t.TempDir(), "absent"))
			if err != nil {
				t.Fatalf("LoadKey: %v", err)
			}
			if got.Recipient() != k.Recipient() || got.Source() != "$SA_SECRET_KEY" {
				t.Fatalf("LoadKey = %v, want %s from $SA_SECRET_KEY", got, k.Recipient())
			}
		})
	}
	t.Run("unset falls back to the file", func(t *testing.T) {
		t.Setenv(secrets.EnvKey, "")
		got, err := secrets.LoadKey(path)
		if err != nil || got.Source() != path {
			t.Fatalf("LoadKey = %v, %v; want the key from %s", got, err, path)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		t.Setenv(secrets.EnvKey, bare[:len(bare)-3]+"xyz")
		_, err := secrets.LoadKey(path)
		if err == nil || !strings.Contains(err.Error(), "$SA_SECRET_KEY") {
			t.Fatalf("LoadKey = %v, want an error naming $SA_SECRET_KEY", err)
		}
		secrettest.AssertNoLeak(t, []string{bare, bare[16:40]}, err.Error())
	})
}

func TestKeyNeverPrints(t *testing.T) {
	k, _ := newKeyFile(t)
	priv := k.Secret().Reveal()
	if !strings.HasPrefix(priv, "AGE-SECRET-KEY-1") {
		t.Fatalf("Secret().Reveal() = %d bytes, not an age identity", len(priv))
	}
	texts := secrettest.Render(k, *k, []*secrets.Key{k}, struct{ K *secrets.Key }{k}, k.Secret())
	secrettest.AssertNoLeak(t, []string{priv}, texts...)
	for _, text := range texts[:5] {
		if !strings.Contains(text, k.Recipient()) && !strings.Contains(text, "<secret>") {
			t.Errorf("%q shows neither the recipient nor a mask", text)
		}
	}
}
