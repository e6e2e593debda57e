package pluginhost

import (
	"sort"
	"strings"
	"sync"

	"github.com/streamalert-go/sa/sdk/schema"
)

// minSecretLen is the shortest value redacted; shorter values would mask
// ordinary words in messages and are poor secrets anyway.
const minSecretLen = 4

// Redactor replaces known secret values in text with "<secret>". The host
// passes every message that comes from a plugin (errors, problems, send
// results, stderr lines) through the plugin's Redactor, because a plugin may
// quote a credential back, and the host promises none reaches a log.
type Redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	r       *strings.Replacer
}

// Add registers secret values.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	changed := false
	for _, v := range values {
		if len(v) >= minSecretLen && !r.secrets[v] {
			r.secrets[v] = true
			changed = true
		}
	}
	if changed {
		r.rebuild()
	}
}

func (r *Redactor) rebuild() {
	// Longest first, so a secret that contains another is replaced whole.
	vals := make([]string, 0, len(r.secrets))
	for v := range r.secrets {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, schema.Masked)
	}
	r.r = strings.NewReplacer(pairs...)
}

// Redact returns s with every registered secret masked.
func (r *Redactor) Redact(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// secretValues returns the values of a configuration's secret and
// credential properties, as the schema marks them.
func secretValues(s schema.Schema, cfg map[string]any) []string {
	var out []string
	for _, p := range s.Properties {
		if !p.Secret && !p.Credential {
			continue
		}
		switch v := cfg[p.Name].(type) {
		case string:
			out = append(out, v)
		case schema.Secret:
			out = append(out, v.Reveal())
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
