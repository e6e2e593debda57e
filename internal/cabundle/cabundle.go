// Package cabundle reads the CA bundles that HTTPS clients in sa, its
// outputs, apps and plugin installs, trust besides the system roots: a
// private CA or a TLS-inspecting proxy's.
package cabundle

import (
	"crypto/x509"
	"fmt"
	"os"
)

// RootCAs returns nil (the system roots) without a file, else the system
// roots plus the file's PEM certificates.
func RootCAs(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA bundle: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", file)
	}
	return pool, nil
}
