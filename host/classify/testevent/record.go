package testevent

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// Record returns the raw record the event describes, as the text its
// source delivers: data itself when it is a string, else data's JSON; or,
// for override_record, the schema's template with override_record's keys
// laid over it. In objects, "<helper:last_hour>" inside any string becomes
// the Unix time a minute before now, as StreamAlert's test helpers do.
func (e *Event) Record(cfg *config.Config, now time.Time) ([]byte, error) {
	if len(e.Problems) > 0 {
		return nil, fmt.Errorf("unusable event: %s", e.Problems[0])
	}
	if e.Data != nil {
		if rawjson.KindOf(e.Data) == rawjson.String {
			return []byte(rawjson.Unquote(e.Data)), nil
		}
		return applyHelpers(e.Data, now), nil
	}
	s, ok := cfg.Schema(config.LogType(e.Log))
	if !ok {
		return nil, fmt.Errorf("log type %q has no schema", e.Log)
	}
	return applyHelpers(overlay(template(s), e.Override), now), nil
}

// template is StreamAlert's partial-record template: every key of the
// schema — or, when the schema has envelope keys, only those, since the
// records proper are extracted from inside the envelope — with its type's
// default: "", 0, 0.0, false, [] or {} (an empty object even for an
// object type with keys, as StreamAlert's default_optional_values gives).
func template(s *config.Schema) []rawjson.Member {
	fields := s.Fields
	if len(s.Options.EnvelopeKeys) > 0 {
		fields = s.Options.EnvelopeKeys
	}
	out := make([]rawjson.Member, len(fields))
	for i, f := range fields {
		out[i] = rawjson.Member{Key: rawjson.AppendQuote(nil, f.Name), Value: defaultValue(f.Type.Kind)}
	}
	return out
}

func defaultValue(k config.Kind) []byte {
	switch k {
	case config.KindString:
		return []byte(`""`)
	case config.KindInteger:
		return []byte("0")
	case config.KindFloat:
		return []byte("0.0")
	case config.KindBoolean:
		return []byte("false")
	case config.KindList:
		return []byte("[]")
	}
	return []byte("{}")
}

// overlay sets each member of the object over on base, as Python's
// dict.update: existing keys keep their place, new ones go last.
func overlay(base []rawjson.Member, over []byte) []byte {
	for k, v := range rawjson.Members(over) {
		name := rawjson.Unquote(k)
		replaced := false
		for i := range base {
			if rawjson.KeyIs(base[i].Key, name) {
				base[i].Value, replaced = v, true
			}
		}
		if !replaced {
			base = append(base, rawjson.Member{Key: k, Value: v})
		}
	}
	return writeObject(nil, base)
}

func writeObject(dst []byte, members []rawjson.Member) []byte {
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m.Key...)
		dst = append(dst, ':')
		dst = rawjson.AppendCompact(dst, m.Value)
	}
	return append(dst, '}')
}

var helperRE = regexp.MustCompile(`<helper:(\w+)>`)

// applyHelpers substitutes helpers in the strings of the object obj and of
// the objects nested in it (not in lists, as StreamAlert), returning the
// object's compact JSON. A name StreamAlert has no helper for is left as
// written.
func applyHelpers(obj []byte, now time.Time) []byte {
	lastHour := strconv.FormatInt(now.Unix()-60, 10)
	var members []rawjson.Member
	for k, v := range rawjson.Members(obj) {
		switch rawjson.KindOf(v) {
		case rawjson.Object:
			v = applyHelpers(v, now)
		case rawjson.String:
			s := rawjson.Unquote(v)
			if helperRE.MatchString(s) {
				s = helperRE.ReplaceAllStringFunc(s, func(m string) string {
					if helperRE.FindStringSubmatch(m)[1] == "last_hour" {
						return lastHour
					}
					return m
				})
				v = rawjson.AppendQuote(nil, s)
			}
		}
		members = append(members, rawjson.Member{Key: k, Value: v})
	}
	return writeObject(nil, members)
}
