package testbin

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fingerprint is a golden test for output derived from the StreamAlert
// compat corpus, which is not copied into the repository: the golden file
// at path holds only the sha256 of the expected output. With update it is
// rewritten; on a mismatch the output is written to a temporary file for
// review and the test fails naming it.
func Fingerprint(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	sum := sha256.Sum256(got)
	hexSum := hex.EncodeToString(sum[:])
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(hexSum+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if strings.TrimSpace(string(want)) == hexSum {
		return
	}
	f, err := os.CreateTemp("", "sa-fingerprint-*.out")
	if err == nil {
		f.Write(got)
		f.Close()
	}
	t.Errorf("output no longer matches %s (sha256 %.12s…); it is in %s for review; run with -update if the change is intended",
		path, hexSum, f.Name())
}
