package secrets

import (
	"context"
	"errors"
	"fmt"
)

// Rotate re-encrypts every secret to next and makes next the store's key.
// Each secret is rewritten atomically on its own; there is no moment at
// which the store as a whole is half-written, because until Rotate
// completes the store decrypts with the old and the new keys alike. An
// interrupted or failed Rotate (a damaged secret, a full disk, a cancelled
// ctx) is therefore finished by calling it again with the same next key,
// in this process or after a restart with both keys at hand. The package
// documentation gives the whole procedure, key files included.
//
// Rotate excludes every other call on this FileStore while it runs. Other
// processes using the directory must be stopped: one that still holds the
// old key would write secrets only the old key can read.
func (s *FileStore) Rotate(ctx context.Context, next *Key) error {
	if next == nil || next.id == nil {
		return errors.New("rotate secrets: no new key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = withFirst(next, s.keys)
	names, err := s.list("")
	if err != nil {
		return fmt.Errorf("rotate secrets: %w", err)
	}
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return rotateError(next, i, len(names), err)
		}
		v, err := s.get(name)
		if err == nil {
			err = s.put(name, v)
		}
		if err != nil {
			return rotateError(next, i, len(names), err)
		}
	}
	s.keys = s.keys[:1]
	return nil
}

// withFirst returns keys with k first and no other key of k's recipient.
func withFirst(k *Key, keys []*Key) []*Key {
	out := []*Key{k}
	for _, o := range keys {
		if o.Recipient() != k.Recipient() {
			out = append(out, o)
		}
	}
	return out
}

func rotateError(next *Key, done, total int, err error) error {
	return fmt.Errorf("rotate secrets to key %s: stopped after %d of %d, the rest still readable with either key; fix the cause and run rotate again with the same new key: %w",
		next.Recipient(), done, total, err)
}
