package install

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// keyPrefix marks a public key's algorithm in config and indexes.
const keyPrefix = "ed25519:"

// ParsePublicKey reads "ed25519:<base64>".
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), keyPrefix)
	if !ok {
		return nil, fmt.Errorf("%q: want ed25519:<base64 public key>, as sa plugin keygen prints", s)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%q: not a base64 ed25519 public key of %d bytes", s, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// FormatPublicKey writes a public key as config and indexes take it.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return keyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// KeyID names a public key: the first 16 hex digits of its sha256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// GenerateKey writes a new signing key to path (PKCS #8 PEM, mode 0600)
// and its public key to path.pub, and returns the public key. It never
// overwrites a key.
func GenerateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", []byte(FormatPublicKey(pub)+"\n"), 0o644); err != nil {
		return nil, err
	}
	return pub, nil
}

// ReadPrivateKey reads a signing key written by GenerateKey. A key file
// others can read is refused: anyone who can read it can sign as you.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s is readable by others (mode %o); chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not an ed25519 key", path)
	}
	return priv, nil
}

// Statement is what a publisher signs for one archive: the checksums of
// the archive and of the plugin it unpacks to, bound to the plugin's
// address, version and platform, so a signed archive cannot be passed off
// as another plugin, version or platform.
type Statement struct {
	Address  string
	Version  string
	Platform string
	// SHA256 is the archive's hex sha256.
	SHA256 string
	// Hash is the tree hash of the unpacked plugin (lockfile.HashPrefix).
	Hash string
}

// statementHeader starts every statement; it names the format.
const statementHeader = "sa-plugin-archive-v1\n"

// Bytes is the exact text that is signed.
func (s Statement) Bytes() []byte {
	return []byte(statementHeader + "plugin " + s.Address + "\nversion " + s.Version + "\nplatform " + s.Platform +
		"\nsha256 " + s.SHA256 + "\nhash " + s.Hash + "\n")
}

// Signature is an ed25519 signature over a Statement.
type Signature struct {
	KeyID string `json:"key_id"`
	// Value is the base64 signature.
	Value string `json:"value"`
}

// Sign signs a statement.
func Sign(priv ed25519.PrivateKey, st Statement) *Signature {
	pub := priv.Public().(ed25519.PublicKey)
	return &Signature{KeyID: KeyID(pub), Value: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, st.Bytes()))}
}

// Trust is how far an archive's publisher is known.
type Trust int

// The trust tiers, weakest first.
const (
	Unsigned Trust = iota
	Untrusted
	Trusted
)

// Verification is the outcome of checking an archive's signature.
type Verification struct {
	Trust Trust
	KeyID string
	// Publisher names the trusted key that signed.
	Publisher string
	// Checked says the signature was verified cryptographically: always
	// for trusted keys, and for unknown keys the index publishes.
	Checked bool
}

func (v Verification) String() string {
	switch {
	case v.Trust == Trusted:
		return fmt.Sprintf("signed by trusted publisher %s (key %s)", v.Publisher, v.KeyID)
	case v.Trust == Untrusted && v.Checked:
		return fmt.Sprintf("signed by unknown key %s (valid signature, but the key is not in plugins.trusted_keys)", v.KeyID)
	case v.Trust == Untrusted:
		return fmt.Sprintf("signed by unknown key %s (not in plugins.trusted_keys, and the index does not publish it, so the signature is unchecked)", v.KeyID)
	}
	return "unsigned"
}

// Errors of signature checking.
var (
	// ErrSignature is a signature that does not verify. No flag accepts it.
	ErrSignature = errors.New("bad signature")
	ErrUnsigned  = errors.New("unsigned")
	ErrUntrusted = errors.New("signed by an unknown key")
)

// Keyring holds the keys signatures are checked against.
type Keyring struct {
	trusted map[string]namedKey
	known   map[string]ed25519.PublicKey
}

type namedKey struct {
	name string
	pub  ed25519.PublicKey
}

// NewKeyring trusts the configured keys.
func NewKeyring(keys []TrustedKey) (*Keyring, error) {
	k := &Keyring{trusted: map[string]namedKey{}, known: map[string]ed25519.PublicKey{}}
	for _, tk := range keys {
		pub, err := ParsePublicKey(tk.Key)
		if err != nil {
			return nil, fmt.Errorf("trusted key %s: %w", tk.Name, err)
		}
		k.trusted[KeyID(pub)] = namedKey{name: tk.Name, pub: pub}
	}
	return k, nil
}

// Publisher returns the name of the trusted key with id, if any.
func (k *Keyring) Publisher(id string) (string, bool) {
	nk, ok := k.trusted[id]
	return nk.name, ok
}

// Learn adds keys an index publishes. They let an unknown key's signature
// be checked; they never make it trusted.
func (k *Keyring) Learn(keys []IndexKey) {
	for _, ik := range keys {
		if pub, err := ParsePublicKey(ik.Key); err == nil && KeyID(pub) == ik.ID {
			k.known[ik.ID] = pub
		}
	}
}

// Verify checks sig over st. A signature that fails to verify is always
// an error; whether an unsigned or untrusted archive may be installed is
// the Policy's decision.
func (k *Keyring) Verify(st Statement, sig *Signature) (Verification, error) {
	if sig == nil || sig.Value == "" {
		return Verification{Trust: Unsigned}, nil
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return Verification{}, fmt.Errorf("%w: the signature by key %s is not a base64 ed25519 signature", ErrSignature, sig.KeyID)
	}
	if nk, ok := k.trusted[sig.KeyID]; ok {
		if !ed25519.Verify(nk.pub, st.Bytes(), raw) {
			return Verification{}, fmt.Errorf("%w: the signature of %s %s (%s) by trusted publisher %s does not verify; the archive's checksums or its index entry were altered",
				ErrSignature, st.Address, st.Version, st.Platform, nk.name)
		}
		return Verification{Trust: Trusted, KeyID: sig.KeyID, Publisher: nk.name, Checked: true}, nil
	}
	if pub, ok := k.known[sig.KeyID]; ok {
		if !ed25519.Verify(pub, st.Bytes(), raw) {
			return Verification{}, fmt.Errorf("%w: the signature of %s %s (%s) by key %s does not verify; the archive's checksums or its index entry were altered",
				ErrSignature, st.Address, st.Version, st.Platform, sig.KeyID)
		}
		return Verification{Trust: Untrusted, KeyID: sig.KeyID, Checked: true}, nil
	}
	return Verification{Trust: Untrusted, KeyID: sig.KeyID}, nil
}

// Policy says which trust tiers may be installed.
type Policy struct {
	AllowUnsigned  bool
	AllowUntrusted bool
}

// Check refuses what the policy does not allow, saying how to allow it.
func (p Policy) Check(what string, v Verification) error {
	switch {
	case v.Trust == Unsigned && !p.AllowUnsigned:
		return fmt.Errorf("%s is %w: nothing vouches for who built it; install it anyway with --allow-unsigned", what, ErrUnsigned)
	case v.Trust == Untrusted && !p.AllowUntrusted:
		return fmt.Errorf("%s is %w %s: add the publisher's key to plugins.trusted_keys, or install it anyway with --allow-untrusted", what, ErrUntrusted, v.KeyID)
	}
	return nil
}
