package apptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// ca is the kit's certificate authority, made once per test process.
var ca struct {
	once sync.Once
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	err  error
}

func authority() (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	ca.once.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ca.err = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "sa apptest CA"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			ca.err = err
			return
		}
		ca.cert, _ = x509.ParseCertificate(der)
		ca.key = key
		ca.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	return ca.cert, ca.key, ca.pem, ca.err
}

// leaf issues a server certificate for hosts (names or IPs).
func leaf(hosts []string) (tls.Certificate, error) {
	caCert, caKey, _, err := authority()
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Server is a TLS stand-in for a vendor API.
type Server struct {
	*httptest.Server
	// Addr is the host:port to set as the plugin's connect_to.
	Addr string
	// CAFile is a PEM bundle of the kit's CA, for the plugin's ca_file.
	CAFile string
}

// NewServer starts a TLS server answering with h, whose certificate names
// hosts (the vendor's real host names, wildcards allowed). It stops when
// the test ends.
func NewServer(t testing.TB, h http.Handler, hosts ...string) *Server {
	t.Helper()
	cert, err := leaf(append(hosts, "127.0.0.1"))
	if err != nil {
		t.Fatalf("apptest: certificate: %v", err)
	}
	_, _, caPEM, _ := authority()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "apptest-ca.pem")
	if err := os.WriteFile(path, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return &Server{Server: srv, Addr: srv.Listener.Addr().String(), CAFile: path}
}

// Transport returns settings for the plugin's configuration that reach
// this server: connect_to and ca_file.
func (s *Server) Transport() map[string]any {
	return map[string]any{"connect_to": s.Addr, "ca_file": s.CAFile}
}
