package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Box's developer console issues the app's private key as an encrypted
// PKCS #8 PEM ("ENCRYPTED PRIVATE KEY", PBES2 with PBKDF2 and AES-CBC), which
// the Go standard library does not decrypt; this file does, for the PBES2
// schemes OpenSSL and Java produce. A key the user generated and uploaded
// may also be a plain PKCS #8 or PKCS #1 PEM.

// maxIterations bounds PBKDF2's work, so a hostile settings file cannot
// keep a gather busy for minutes.
const maxIterations = 10_000_000

// Object identifiers of PBES2 (RFC 8018) and its parts.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// errPassphrase is returned when decryption fails the padding or the
// result is not a key: almost always a wrong passphrase.
var errPassphrase = errors.New(`"privateKey" does not decrypt with "passphrase" (wrong passphrase or damaged key)`)

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// cbcCipher is a block cipher in CBC mode named by PBES2.
type cbcCipher struct {
	keyLen int
	block  func(key []byte) (cipher.Block, error)
}

var cbcCiphers = []struct {
	oid asn1.ObjectIdentifier
	c   cbcCipher
}{
	{oidAES128CBC, cbcCipher{16, aes.NewCipher}},
	{oidAES192CBC, cbcCipher{24, aes.NewCipher}},
	{oidAES256CBC, cbcCipher{32, aes.NewCipher}},
	{oidDESEDE3CBC, cbcCipher{24, des.NewTripleDESCipher}},
}

var prfs = []struct {
	oid asn1.ObjectIdentifier
	h   func() hash.Hash
}{
	{oidHMACSHA1, sha1.New},
	{oidHMACSHA224, sha256.New224},
	{oidHMACSHA256, sha256.New},
	{oidHMACSHA384, sha512.New384},
	{oidHMACSHA512, sha512.New},
}

// parsePrivateKey decodes the PEM text of an RSA private key, decrypting
// it with passphrase when it is encrypted. Errors never quote the key or
// the passphrase.
func parsePrivateKey(text, passphrase string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, errors.New(`"privateKey" is not a PEM private key`)
	}
	if _, legacy := block.Headers["Proc-Type"]; legacy {
		return nil, errors.New(`"privateKey" is a legacy encrypted PEM; convert it with "openssl pkcs8 -topk8 -v2 aes-256-cbc"`)
	}
	der := block.Bytes
	switch block.Type {
	case "ENCRYPTED PRIVATE KEY":
		var err error
		if der, err = decryptPKCS8(der, []byte(passphrase)); err != nil {
			return nil, err
		}
	case "PRIVATE KEY":
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, errors.New(`"privateKey" does not parse as a PKCS #1 RSA key`)
		}
		return k, nil
	default:
		return nil, fmt.Errorf(`"privateKey" is a PEM %q, want "ENCRYPTED PRIVATE KEY"`, block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errPassphrase
		}
		return nil, errors.New(`"privateKey" does not parse as a PKCS #8 key`)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New(`"privateKey" is not an RSA key`)
	}
	return rk, nil
}

// decryptPKCS8 returns the PKCS #8 PrivateKeyInfo inside a PBES2
// EncryptedPrivateKeyInfo.
func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New(`"privateKey" is not a well-formed encrypted PKCS #8 key`)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf(`"privateKey" is encrypted with %v; only PBES2 is supported`, info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New(`"privateKey" has malformed PBES2 parameters`)
	}
	c, iv, err := scheme(params.Scheme)
	if err != nil {
		return nil, err
	}
	key, err := deriveKey(params.KDF, passphrase, c.keyLen)
	if err != nil {
		return nil, err
	}
	block, err := c.block(key)
	if err != nil {
		return nil, fmt.Errorf(`"privateKey" cipher: %w`, err)
	}
	if len(iv) != block.BlockSize() || len(info.Data) == 0 || len(info.Data)%block.BlockSize() != 0 {
		return nil, errors.New(`"privateKey" has a malformed ciphertext`)
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	return unpad(plain, block.BlockSize())
}

// scheme resolves the encryption scheme and its IV.
func scheme(alg pkix.AlgorithmIdentifier) (cbcCipher, []byte, error) {
	for _, s := range cbcCiphers {
		if alg.Algorithm.Equal(s.oid) {
			var iv []byte
			if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &iv); err != nil {
				return cbcCipher{}, nil, errors.New(`"privateKey" has a malformed IV`)
			}
			return s.c, iv, nil
		}
	}
	return cbcCipher{}, nil, fmt.Errorf(`"privateKey" uses cipher %v; supported are AES-CBC and 3DES-CBC`, alg.Algorithm)
}

// deriveKey runs PBKDF2 as the parameters say.
func deriveKey(kdf pkix.AlgorithmIdentifier, passphrase []byte, keyLen int) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf(`"privateKey" uses key derivation %v; only PBKDF2 is supported`, kdf.Algorithm)
	}
	var p pbkdf2Params
	if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
		return nil, errors.New(`"privateKey" has malformed PBKDF2 parameters`)
	}
	if p.Iterations < 1 || p.Iterations > maxIterations {
		return nil, fmt.Errorf(`"privateKey" asks for %d PBKDF2 iterations (at most %d)`, p.Iterations, maxIterations)
	}
	if p.KeyLength != 0 && p.KeyLength != keyLen {
		return nil, errors.New(`"privateKey" has a PBKDF2 key length that does not fit its cipher`)
	}
	h := sha1.New // the default PRF of PBKDF2
	if len(p.PRF.Algorithm) > 0 {
		h = nil
		for _, f := range prfs {
			if p.PRF.Algorithm.Equal(f.oid) {
				h = f.h
			}
		}
		if h == nil {
			return nil, fmt.Errorf(`"privateKey" uses PBKDF2 PRF %v; supported are HMAC-SHA1/224/256/384/512`, p.PRF.Algorithm)
		}
	}
	key, err := pbkdf2.Key(h, string(passphrase), p.Salt, p.Iterations, keyLen)
	if err != nil {
		return nil, fmt.Errorf(`"privateKey" key derivation: %w`, err)
	}
	return key, nil
}

// unpad strips PKCS #7 padding, checking every pad byte.
func unpad(b []byte, size int) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, errPassphrase
	}
	if subtle.ConstantTimeCompare(b[len(b)-n:], bytes.Repeat([]byte{byte(n)}, n)) != 1 {
		return nil, errPassphrase
	}
	return b[:len(b)-n], nil
}
