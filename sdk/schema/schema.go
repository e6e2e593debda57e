// Package schema describes the configuration a plugin's instances take: typed
// properties, which of them are secrets or credentials, and how values are
// validated. The host builds prompts, validation and help text from a Schema
// alone, and the SDK checks every configuration against it before a plugin
// sees it.
package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Type is the value type of a property.
type Type int

// The property types. The zero Type is String.
const (
	String Type = iota
	Integer
	Number
	Boolean
	StringList
)

var typeNames = [...]string{"string", "integer", "number", "boolean", "string list"}

// MarshalText implements encoding.TextMarshaler.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Type) UnmarshalText(b []byte) error {
	for i, n := range typeNames {
		if n == string(b) {
			*t = Type(i)
			return nil
		}
	}
	return fmt.Errorf("unknown property type %q", b)
}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", int(t))
}

// Property describes one configuration or credential field.
type Property struct {
	Name        string `json:"name"`
	Type        Type   `json:"type"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	// Secret values are masked at prompts and never shown or logged.
	Secret bool `json:"secret,omitempty"`
	// Credential values are kept in the secret store, not in plain config.
	Credential bool `json:"credential,omitempty"`
	// Pattern is an RE2 expression a string value must match in full.
	Pattern string `json:"pattern,omitempty"`
	// ForbiddenChars lists characters a string value may not contain.
	ForbiddenChars string `json:"forbidden_chars,omitempty"`
	// Default is used when the property is absent, written as typed.
	Default string `json:"default,omitempty"`
	// Example is a plausible value for help text and conformance tests.
	Example string `json:"example,omitempty"`
	// Descriptor marks the property that names the instance.
	Descriptor bool `json:"descriptor,omitempty"`
}

// Schema is the list of properties an instance configuration may carry.
type Schema struct {
	Properties []Property
}

// Property returns the property with the given name.
func (s Schema) Property(name string) (Property, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// Check reports mistakes in the schema itself: empty or duplicate names,
// patterns that do not compile, defaults and examples that fail their own
// property, more than one descriptor. Plugin authors run it in tests; the
// conformance harness runs it on every plugin.
func (s Schema) Check() error {
	var errs []error
	seen := map[string]bool{}
	descriptors := 0
	for i, p := range s.Properties {
		if p.Name == "" {
			errs = append(errs, fmt.Errorf("property %d: empty name", i))
			continue
		}
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("property %q: declared twice", p.Name))
		}
		seen[p.Name] = true
		if p.Descriptor {
			descriptors++
		}
		if p.Type > StringList || p.Type < String {
			errs = append(errs, fmt.Errorf("property %q: unknown type %d", p.Name, int(p.Type)))
			continue
		}
		if p.Pattern != "" {
			if _, err := regexp.Compile(p.Pattern); err != nil {
				errs = append(errs, fmt.Errorf("property %q: pattern: %w", p.Name, err))
				continue
			}
		}
		if p.Secret && p.Default != "" {
			errs = append(errs, fmt.Errorf("property %q: a secret cannot have a default", p.Name))
		}
		for _, v := range []struct{ what, val string }{{"default", p.Default}, {"example", p.Example}} {
			if v.val == "" {
				continue
			}
			if _, msg := p.convert(v.val); msg != "" {
				errs = append(errs, fmt.Errorf("property %q: %s %s", p.Name, v.what, msg))
			}
		}
	}
	if descriptors > 1 {
		errs = append(errs, errors.New("more than one descriptor property"))
	}
	return errors.Join(errs...)
}

// Problem is one field-precise configuration error.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// ProblemsError joins problems into one error, or returns nil for none.
func ProblemsError(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.String()
	}
	return errors.New(strings.Join(msgs, "; "))
}
