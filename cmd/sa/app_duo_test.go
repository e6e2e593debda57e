package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/testbin"
)

const duoHost = "api-1234abcd.duosecurity.com"

// fakeDuo is Duo's Admin API authentication log over TLS, with a
// certificate for duoHost from a CA written to caFile.
func fakeDuo(t *testing.T, events []map[string]any) (addr, caFile string, calls *int) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), DNSNames: []string{duoHost},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)

	n := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		auth := r.Header.Get("Authorization")
		if r.Method != http.MethodGet || r.URL.Path != "/admin/v1/logs/authentication" || r.Host != duoHost ||
			!strings.HasPrefix(auth, "Basic ") || r.Header.Get("Date") == "" || r.URL.Query().Get("mintime") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"stat": "FAIL", "code": 40101, "message": "Missing request credentials"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"stat": "OK", "response": events})
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).String(), caFile, &n
}

// installPlugin builds the plugin at pkg into dir, registered.
func installPlugin(t *testing.T, dir, pkg string) {
	t.Helper()
	bin := testbin.Build(t, pkg)
	dst := filepath.Join(dir, filepath.Base(filepath.Dir(pkg)), filepath.Base(pkg), filepath.Base(bin))
	os.MkdirAll(filepath.Dir(dst), 0o755)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dst, data, 0o755)
	if out, _, err := run(t, "--home", t.TempDir(), "plugin", "register", dst); err != nil {
		t.Fatalf("register %s: %v %s", pkg, err, out)
	}
}

// TestAppDuo is the check of the apps issue: sa app new for duo_auth, then
// sa app run against a local Duo API, feeds records that classify as
// duo:authentication. The conf is StreamAlert's, copied for the test.
func TestAppDuo(t *testing.T) {
	compat := filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf")
	if _, err := os.Stat(compat); err != nil {
		t.Skipf("compat conf not found: %v", err)
	}
	plugins := t.TempDir()
	installPlugin(t, plugins, "plugins/app/duo")
	now := time.Now().Add(-10 * time.Minute)
	var events []map[string]any
	for i, user := range []string{"alice", "bob", "carol"} {
		ts := now.Add(time.Duration(i) * time.Second)
		events = append(events, map[string]any{
			"access_device": map[string]any{"browser": "Chrome", "browser_version": "120.0", "flash_version": "uninstalled",
				"java_version": "uninstalled", "os": "Mac OS X", "os_version": "14.1", "trusted_endpoint_status": "not trusted"},
			"alias": "", "device": "555-123-4567", "factor": "Duo Push", "integration": "VPN", "ip": "198.51.100.7",
			"location": map[string]any{"city": "Place", "country": "US", "state": "State"}, "new_enrollment": false,
			"reason": "User approved", "result": "SUCCESS", "timestamp": ts.Unix(), "username": user + "@example.com",
			"isotimestamp": ts.UTC().Format("2006-01-02T15:04:05.000Z"),
		})
	}
	addr, caFile, calls := fakeDuo(t, events)

	home := t.TempDir()
	sa := func(args ...string) (string, error) {
		t.Helper()
		out, errOut, err := run(t, append([]string{"--home", home, "--plugin-dir", plugins}, args...)...)
		return out + errOut, err
	}
	if out, err := sa("init"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	conf := filepath.Join(home, "conf")
	os.RemoveAll(conf)
	if err := os.CopyFS(conf, os.DirFS(compat)); err != nil {
		t.Fatal(err)
	}
	const skey = "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXzAa"
	values := filepath.Join(t.TempDir(), "duo.json")
	v, _ := json.Marshal(map[string]any{"api_hostname": duoHost, "integration_key": "DIWJ8X6AEYOR5OMC6TQ1",
		"secret_key": skey, "ca_file": caFile, "connect_to": addr})
	os.WriteFile(values, v, 0o600)

	out, err := sa("app", "new", "--type", "duo_auth", "--cluster", "prod", "--name", "duo_prod_collector",
		"--interval", "rate(2 hours)", "--timeout", "80", "--memory", "128", "--from-file", values)
	if err != nil || !strings.Contains(out, "Added app duo_prod_collector (duo_auth, plugin duo)") ||
		!strings.Contains(out, "log family duo") {
		t.Fatalf("app new: %v\n%s", err, out)
	}
	out, err = sa("app", "run", "duo_prod_collector")
	if err != nil || !strings.Contains(out, "3 log(s) gathered") || !strings.Contains(out, "classified as duo:authentication: 3") {
		t.Fatalf("app run: %v\n%s", err, out)
	}
	if *calls == 0 {
		t.Error("the Duo API was never called")
	}
	secrettest.AssertNoLeak(t, []string{skey}, out)
	cfg, _ := os.ReadFile(filepath.Join(home, "sa.yaml"))
	secrettest.AssertNoLeak(t, []string{skey, "DIWJ8X6AEYOR5OMC6TQ1"}, string(cfg))

	// update-auth replaces the secret key and keeps the rest; a value that
	// breaks the schema's pattern is refused without being quoted.
	const newKey = "Qq9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXzBb"
	os.WriteFile(values, []byte(`{"secret_key": "`+newKey+`"}`), 0o600)
	if out, err := sa("app", "update-auth", "--cluster", "prod", "--name", "duo_prod_collector", "--from-file", values); err != nil ||
		!strings.Contains(out, "Updated the auth of app duo_prod_collector") {
		t.Fatalf("update-auth: %v\n%s", err, out)
	}
	os.WriteFile(values, []byte(`{"secret_key": "short-and-wrong"}`), 0o600)
	_, err = sa("app", "update-auth", "--cluster", "prod", "--name", "duo_prod_collector", "--from-file", values)
	if err == nil || !strings.Contains(err.Error(), "secret_key") {
		t.Errorf("a bad secret key was accepted: %v", err)
	} else {
		secrettest.AssertNoLeak(t, []string{"short-and-wrong"}, err.Error())
	}
	out, err = sa("app", "run", "duo_prod_collector")
	if err != nil || !strings.Contains(out, "1 poll(s)") {
		t.Errorf("run after update-auth: %v\n%s", err, out)
	}
	if out, _ := sa("app", "list"); !strings.Contains(out, "Cluster: prod") || strings.Contains(out, newKey) {
		t.Errorf("list:\n%s", out)
	}
}
