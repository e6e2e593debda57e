package cabundle

import (
	"crypto/tls"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootCAs(t *testing.T) {
	if pool, err := RootCAs(""); pool != nil || err != nil {
		t.Errorf("no file: %v %v, want the system roots (nil)", pool, err)
	}
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	pool, err := RootCAs(good)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "example.com"})
	if err != nil {
		t.Fatalf("the bundle's CA is not trusted: %v", err)
	}
	conn.Close()

	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	for file, want := range map[string]string{bad: "holds no PEM certificate", filepath.Join(dir, "none.pem"): "read CA bundle"} {
		if _, err := RootCAs(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
	}
}
