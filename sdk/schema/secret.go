package schema

import "log/slog"

// Secret is a credential value. It prints, formats, marshals and logs as
// "<secret>", so passing one to a logger or an error by mistake reveals
// nothing; Reveal returns the value for the one call that needs it.
type Secret string

// Masked is what a Secret shows instead of its value.
const Masked = "<secret>"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (Secret) String() string { return Masked }

// GoString implements fmt.GoStringer, so %#v masks too.
func (Secret) GoString() string { return Masked }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Masked + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(Masked), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(Masked) }
