package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// FirstKey finds key at any depth of doc the way StreamAlert's get_first_key
// does: breadth first, objects' members in document order, looking into
// arrays too, and taking the shallowest, earliest match. Within one object a
// repeated key counts once, at its first position, with its last value, as
// Python's json.loads leaves it. It returns the value's JSON as written.
func FirstKey(doc json.RawMessage, key string) (json.RawMessage, bool, error) {
	queue := []json.RawMessage{doc}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		var children []json.RawMessage
		switch kind(cur) {
		case '{':
			ms, err := members(cur)
			if err != nil {
				return nil, false, err
			}
			if i := slices.IndexFunc(ms, func(m member) bool { return m.key == key }); i >= 0 {
				return ms[i].val, true, nil
			}
			for _, m := range ms {
				children = append(children, m.val)
			}
		case '[':
			var err error
			if children, err = elements(cur); err != nil {
				return nil, false, err
			}
		}
		for _, c := range children {
			if k := kind(c); k == '{' || k == '[' {
				queue = append(queue, c)
			}
		}
	}
	return nil, false, nil
}

type member struct {
	key string
	val json.RawMessage
}

func kind(raw json.RawMessage) byte {
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// members lists an object's members in order, a repeated key keeping its
// first place and taking its last value.
func members(obj json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	var ms []member
	at := map[string]int{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		if i, ok := at[k]; ok {
			ms[i].val = v
			continue
		}
		at[k] = len(ms)
		ms = append(ms, member{k, v})
	}
	return ms, nil
}

func elements(arr json.RawMessage) ([]json.RawMessage, error) {
	var out []json.RawMessage
	if err := json.Unmarshal(arr, &out); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return out, nil
}

// Canonical rewrites a JSON value so that values Python would find equal
// after json.loads encode to the same bytes: object keys sorted (the last of
// a repeated key wins), no whitespace, and numbers in one spelling — an
// integral value as an integer (1, 1.0 and 1e0 alike), any other as the
// shortest float64 form. Unlike Python, true never equals 1.
func Canonical(v json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("canonical: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("canonical: data after the value")
	}
	var b bytes.Buffer
	writeCanonical(&b, x)
	return b.Bytes(), nil
}

func writeCanonical(b *bytes.Buffer, x any) {
	switch v := x.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		writeString(b, v)
	case json.Number:
		b.WriteString(canonicalNumber(string(v)))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeCanonical(b, v[k])
		}
		b.WriteByte('}')
	}
}

// canonicalNumber spells a JSON number literal one way. Integer literals go
// through big.Int, which is exact and bounded by the literal's length;
// others through float64, as Python compares floats, so an exponent like
// 1e999999 cannot make it build a huge value.
func canonicalNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if n, ok := new(big.Int).SetString(lit, 10); ok {
			return n.String()
		}
	}
	f, _ := strconv.ParseFloat(lit, 64) // a JSON number always parses; ±Inf when out of range
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}
