package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Config is an instance configuration that passed its schema: defaults
// applied, every value converted to its property's Go type (string, int64,
// float64, bool, []string) and secret values wrapped as Secret.
type Config map[string]any

// String returns a string property, or "" when absent.
func (c Config) String(name string) string {
	switch v := c[name].(type) {
	case string:
		return v
	case Secret:
		return v.Reveal()
	}
	return ""
}

// Secret returns a property as a Secret, whatever its declared flags.
func (c Config) Secret(name string) Secret {
	return Secret(c.String(name))
}

// Int returns an integer property, or 0 when absent.
func (c Config) Int(name string) int64 {
	v, _ := c[name].(int64)
	return v
}

// Number returns a number property, or 0 when absent.
func (c Config) Number(name string) float64 {
	switch v := c[name].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

// Bool returns a boolean property, or false when absent.
func (c Config) Bool(name string) bool {
	v, _ := c[name].(bool)
	return v
}

// Strings returns a string-list property, or nil when absent.
func (c Config) Strings(name string) []string {
	v, _ := c[name].([]string)
	return v
}

// Apply checks raw (as decoded from JSON or a protobuf Struct) against the
// schema and returns the converted Config. Problems name the field and never
// quote a value, since the value may be a credential typed in the wrong place.
func (s Schema) Apply(raw map[string]any) (Config, []Problem) {
	cfg := Config{}
	var problems []Problem
	for _, p := range s.Properties {
		v, ok := raw[p.Name]
		if !ok || v == nil || v == "" {
			if p.Default != "" {
				v, ok = p.Default, true
			} else {
				if p.Required {
					problems = append(problems, Problem{p.Name, "required"})
				}
				continue
			}
		}
		val, msg := p.convert(v)
		if msg != "" {
			problems = append(problems, Problem{p.Name, msg})
			continue
		}
		cfg[p.Name] = val
	}
	var unknown []string
	for k := range raw {
		if _, ok := s.Property(k); !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		problems = append(problems, Problem{k, "unknown property"})
	}
	return cfg, problems
}

// convert turns v into the property's Go type and checks its restrictions.
// It returns a message instead of a value when v does not fit.
func (p Property) convert(v any) (any, string) {
	var out any
	switch p.Type {
	case String:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a string"
		}
		if msg := p.checkString(s); msg != "" {
			return nil, msg
		}
		if p.Secret || p.Credential {
			return Secret(s), ""
		}
		return s, ""
	case Integer:
		n, msg := toInt(v)
		if msg != "" {
			return nil, msg
		}
		out = n
	case Number:
		f, msg := toFloat(v)
		if msg != "" {
			return nil, msg
		}
		out = f
	case Boolean:
		b, msg := toBool(v)
		if msg != "" {
			return nil, msg
		}
		out = b
	case StringList:
		l, msg := toStrings(v)
		if msg != "" {
			return nil, msg
		}
		for _, s := range l {
			if msg := p.checkString(s); msg != "" {
				return nil, msg
			}
		}
		out = l
	default:
		return nil, "unknown type"
	}
	return out, ""
}

func (p Property) checkString(s string) string {
	if p.ForbiddenChars != "" && strings.ContainsAny(s, p.ForbiddenChars) {
		return fmt.Sprintf("may not contain any of %q", p.ForbiddenChars)
	}
	if p.Pattern != "" {
		re, err := regexp.Compile(`^(?:` + p.Pattern + `)$`)
		if err != nil {
			return "schema pattern does not compile"
		}
		if !re.MatchString(s) {
			return fmt.Sprintf("does not match pattern %s", p.Pattern)
		}
	}
	return ""
}

func toInt(v any) (int64, string) {
	switch n := v.(type) {
	case int64:
		return n, ""
	case int:
		return int64(n), ""
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, "must be a whole number"
		}
		return int64(n), ""
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, "must be a whole number"
		}
		return i, ""
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil {
			return 0, "must be a whole number"
		}
		return i, ""
	}
	return 0, "must be a whole number"
}

func toFloat(v any) (float64, string) {
	switch n := v.(type) {
	case float64:
		return n, ""
	case int64:
		return float64(n), ""
	case int:
		return float64(n), ""
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, "must be a number"
		}
		return f, ""
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil {
			return 0, "must be a number"
		}
		return f, ""
	}
	return 0, "must be a number"
}

func toBool(v any) (bool, string) {
	switch b := v.(type) {
	case bool:
		return b, ""
	case string:
		switch strings.ToLower(strings.TrimSpace(b)) {
		case "true", "yes", "y", "1":
			return true, ""
		case "false", "no", "n", "0":
			return false, ""
		}
	}
	return false, "must be true or false"
}

// toStrings accepts a list of strings or one comma-separated string, as typed
// at a prompt.
func toStrings(v any) ([]string, string) {
	switch l := v.(type) {
	case []string:
		return l, ""
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, "must be a list of strings"
			}
			out = append(out, s)
		}
		return out, ""
	case string:
		var out []string
		for _, s := range strings.Split(l, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, ""
	}
	return nil, "must be a list of strings"
}
