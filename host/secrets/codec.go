package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"unicode/utf8"

	"filippo.io/age"
)

// maxValueSize bounds a secret's encoded plaintext. Credentials are small
// (SSM caps a parameter at 8 KiB; a GCP service-account JSON is ~2 KiB);
// the bound keeps a stray or hostile file from costing much memory.
const maxValueSize = 64 << 10

// maxFileSize bounds the encrypted file read back: the plaintext bound
// plus age's header and per-chunk overhead, with room to spare.
const maxFileSize = maxValueSize + 4<<10

// ageMagic begins every binary age file; its absence means the file is
// not one, rather than a damaged one.
var ageMagic = []byte("age-encryption.org/v1\n")

// encodeValue writes v as a JSON object of strings with sorted keys: the
// format StreamAlert keeps in SSM, so `age -d` shows familiar JSON. It is
// written by hand into one exact-size buffer, which the caller zeroes,
// because encoding/json would leave the plaintext in its pooled buffers.
func encodeValue(v Value) ([]byte, error) {
	keys := slices.Sorted(maps.Keys(v))
	size := 2 + max(len(keys)-1, 0) // braces and commas
	for _, k := range keys {
		if k == "" {
			return nil, errors.New("a property has an empty name")
		}
		// The property is named, never the value.
		if !utf8.ValidString(k) || !utf8.ValidString(string(v[k])) {
			return nil, fmt.Errorf("property %q is not valid UTF-8", k)
		}
		size += quotedLen(k) + 1 + quotedLen(string(v[k]))
	}
	if size > maxValueSize {
		return nil, fmt.Errorf("encoded value is %d bytes, over the limit of %d", size, maxValueSize)
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendQuoted(buf, k)
		buf = append(buf, ':')
		buf = appendQuoted(buf, string(v[k]))
	}
	return append(buf, '}'), nil
}

// quotedLen is the length of s as appendQuoted writes it.
func quotedLen(s string) int {
	n := 2
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			n += 2
		case c < 0x20:
			n += 6
		default:
			n++
		}
	}
	return n
}

// appendQuoted appends s as a JSON string. s is valid UTF-8, so only the
// quote, the backslash and control characters need escapes.
func appendQuoted(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c == '\n':
			buf = append(buf, '\\', 'n')
		case c == '\r':
			buf = append(buf, '\\', 'r')
		case c == '\t':
			buf = append(buf, '\\', 't')
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}

// decodeValue parses what encodeValue wrote. encoding/json's messages can
// quote the input, which is plaintext here, so they are replaced, not
// wrapped.
func decodeValue(plain []byte) (Value, error) {
	var v Value
	if err := json.Unmarshal(plain, &v); err != nil || v == nil {
		return nil, errors.New("its decrypted content is not a JSON object of strings")
	}
	return v, nil
}

// encrypt seals plain to k's recipient.
func encrypt(plain []byte, k *Key) ([]byte, error) {
	var ct bytes.Buffer
	ct.Grow(len(plain) + 256)
	w, err := age.Encrypt(&ct, k.id.Recipient())
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return ct.Bytes(), nil
}

// decrypt opens ct with any of keys into a buffer the caller must zero. A
// key that does not fit is ErrWrongKey; any other failure is a reason the
// file is damaged, in words of this package, since age's messages may
// quote the file's bytes, and a file that is not age-encrypted at all may
// be a plaintext secret someone put there.
func decrypt(ct []byte, keys []*Key) ([]byte, error) {
	ids := make([]age.Identity, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		switch {
		case errors.As(err, &noMatch):
			return nil, ErrWrongKey
		case len(ct) == 0:
			return nil, errors.New("it is empty")
		case !bytes.HasPrefix(ct, ageMagic):
			return nil, errors.New("it is not an age-encrypted file")
		}
		return nil, errors.New("its age header is damaged or truncated")
	}
	// The plaintext is shorter than the ciphertext, so one buffer of that
	// size never grows: no stray copies are left for the collector.
	plain := make([]byte, len(ct))
	n, err := io.ReadFull(r, plain)
	if err == nil || (err != io.ErrUnexpectedEOF && err != io.EOF) {
		clear(plain)
		return nil, errors.New("its content fails authentication: damaged, truncated or tampered with")
	}
	return plain[:n], nil
}
