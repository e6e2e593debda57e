package streamquery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// fields maps the keys of an object to their decoders.
type fields map[string]func(v json.RawMessage, path string)

// decoder collects the problems of one file.
type decoder struct {
	errs []error
}

func (d *decoder) errorf(path, format string, args ...any) {
	if path == "" {
		path = "(top level)"
	}
	d.errs = append(d.errs, fmt.Errorf("%s %s: %s", ConfigFile, path, fmt.Sprintf(format, args...)))
}

func (d *decoder) members(raw json.RawMessage, p string) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		d.errorf(p, "want an object, got %s", kindOf(raw))
		return nil, false
	}
	return m, true
}

// object decodes an object whose keys are all known.
func (d *decoder) object(raw json.RawMessage, p string, fs fields) {
	members, ok := d.members(raw, p)
	if !ok {
		return
	}
	for _, k := range sortedKeys(members) {
		f, known := fs[k]
		if !known {
			d.errorf(join(p, k), "unknown key (want one of %s)", strings.Join(sortedKeys(fs), ", "))
			continue
		}
		f(members[k], join(p, k))
	}
}

func (d *decoder) toBool(dst *bool) func(json.RawMessage, string) {
	return func(v json.RawMessage, p string) {
		if err := json.Unmarshal(v, dst); err != nil || kindOf(v) != "boolean" {
			d.errorf(p, "want true or false, got %s", kindOf(v))
		}
	}
}

func (d *decoder) toString(dst *string) func(json.RawMessage, string) {
	return func(v json.RawMessage, p string) {
		if err := json.Unmarshal(v, dst); err != nil || kindOf(v) != "string" {
			d.errorf(p, "want a string, got %s", kindOf(v))
		}
	}
}

func (d *decoder) toInt(dst *int) func(json.RawMessage, string) {
	return func(v json.RawMessage, p string) {
		var n json.Number
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var x any
		if dec.Decode(&x) == nil {
			n, _ = x.(json.Number)
		}
		i, err := n.Int64()
		if err != nil || i < 0 || i > 1<<31 {
			d.errorf(p, "want a whole number of at least 0, got %s", strings.TrimSpace(string(v)))
			return
		}
		*dst = int(i)
	}
}

func (d *decoder) toSeconds(dst *time.Duration) func(json.RawMessage, string) {
	return func(v json.RawMessage, p string) {
		n := -1
		d.toInt(&n)(v, p)
		if n >= 0 {
			*dst = time.Duration(n) * time.Second
		}
	}
}

// kindOf names the JSON type of v for messages.
func kindOf(v json.RawMessage) string {
	s := bytes.TrimSpace(v)
	if len(s) == 0 {
		return "nothing"
	}
	switch s[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
