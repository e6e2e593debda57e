package appkit

import (
	"errors"
	"strings"
	"sync"
	"time"
)

// Cache keeps the access tokens or sessions of a plugin's instances
// between polls, so one is obtained about once per lifetime rather than on
// every poll. Each is kept under a key covering the credentials it was
// obtained with, so changed credentials never use an old one. The zero
// value is ready for use, and safe for concurrent use.
type Cache[V any] struct {
	mu sync.Mutex
	m  map[string]kept[V]
}

// kept is one kept value.
type kept[V any] struct {
	v       V
	expires time.Time
}

// Get returns the value kept under key when it is still valid at usable,
// the time until which the caller will use it.
func (c *Cache[V]) Get(key string, usable time.Time) (V, bool) {
	c.mu.Lock()
	k, ok := c.m[key]
	c.mu.Unlock()
	if !ok || !usable.Before(k.expires) {
		var zero V
		return zero, false
	}
	return k.v, true
}

// Put keeps v under key until expires.
func (c *Cache[V]) Put(key string, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]kept[V]{}
	}
	c.m[key] = kept[V]{v: v, expires: expires}
}

// Forget drops the value kept under key, after the vendor refused it.
func (c *Cache[V]) Forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// BearerToken reads an OAuth 2.0 token endpoint's success answer
// (RFC 6749 §5.1): the bearer access token and its lifetime, an hour when
// the answer gives none. The token is masked in the client's messages
// from now on.
func (c *Client) BearerToken(resp *Response) (token string, life time.Duration, err error) {
	var ans struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := resp.JSON(&ans); err != nil {
		return "", 0, err
	}
	if ans.AccessToken == "" || !strings.EqualFold(ans.TokenType, "bearer") {
		return "", 0, errors.New("the answer holds no bearer token")
	}
	c.AddSecret(ans.AccessToken)
	life = time.Duration(ans.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	return ans.AccessToken, life, nil
}
