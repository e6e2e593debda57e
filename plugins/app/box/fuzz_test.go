package main

import (
	"testing"
)

// FuzzParsePrivateKey feeds arbitrary PEM text to the key decoder, which
// reads what a user pasted: it may refuse, never panic.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(readTestdataF(f, "key-aes256-sha256.pem"), testPassphrase)
	f.Add(readTestdataF(f, "key-des3-sha512.pem"), "x")
	f.Add(readTestdataF(f, "key-pkcs1.pem"), "")
	f.Add("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n", "")
	f.Fuzz(func(t *testing.T, text, pass string) {
		k, err := parsePrivateKey(text, pass)
		if err == nil && k == nil {
			t.Fatal("no key and no error")
		}
	})
}
