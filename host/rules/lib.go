package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Lookup answers lookup(table, key, default) for rules: the value stored
// under key in the named table, decoded as DecodeValue decodes JSON, and
// whether there is one. host/lookup implements it; a table that cannot be
// read answers false, so the rule sees its default.
type Lookup interface {
	Get(table, key string) (any, bool)
}

// deps are what the helpers need from outside at evaluation time. The
// functions are bound once per engine, when the rules compile.
type deps struct {
	now    func() time.Time
	lookup Lookup
	random func(p float64) bool
}

var (
	listDyn = cel.ListType(cel.DynType)
	listStr = cel.ListType(cel.StringType)
)

// helpers declares every rule helper as a CEL function. docs/rules.md
// describes each; keep the two in step.
func helpers(d *deps) []cel.EnvOption {
	return []cel.EnvOption{
		textHelper("starts_with_any", strings.HasPrefix),
		textHelper("ends_with_any", strings.HasSuffix),
		textHelper("contains_any", strings.Contains),
		textHelper("matches_any", func(s, p string) bool { return glob(p, s) }),
		cel.Function("path_matches_any", cel.Overload("path_matches_any_dyn_list",
			[]*cel.Type{cel.DynType, listDyn}, cel.BoolType, cel.BinaryBinding(pathMatchesAny))),

		cel.Function("valid_ip", cel.Overload("valid_ip_dyn", []*cel.Type{cel.DynType}, cel.BoolType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { _, ok := validIP(native(v)); return types.Bool(ok) }))),
		cel.Function("valid_ipv4", cel.Overload("valid_ipv4_dyn", []*cel.Type{cel.DynType}, cel.BoolType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return types.Bool(validIPv4(native(v))) }))),
		cel.Function("in_network", cel.Overload("in_network_dyn_list", []*cel.Type{cel.DynType, listDyn}, cel.BoolType,
			cel.BinaryBinding(func(ip, cidrs ref.Val) ref.Val {
				l, _ := native(cidrs).([]any)
				return types.Bool(inNetwork(native(ip), l))
			}))),

		cel.Function("data_has_value", cel.Overload("data_has_value_dyn_dyn", []*cel.Type{cel.DynType, cel.DynType}, cel.BoolType,
			cel.BinaryBinding(func(data, v ref.Val) ref.Val { return celResult(dataHasValue(native(data), native(v))) }))),
		cel.Function("data_has_value_with_substring", cel.Overload("data_has_value_with_substring_dyn_string",
			[]*cel.Type{cel.DynType, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(data, s ref.Val) ref.Val {
				return celResult(dataHasSubstring(native(data), string(s.(types.String))))
			}))),
		listHelper("data_has_value_from_list", dataHasGlob),
		listHelper("data_has_value_from_substring_list", dataHasSubstringFromList),

		cel.Function("get_keys",
			cel.Overload("get_keys_dyn_string", []*cel.Type{cel.DynType, cel.StringType}, listDyn,
				cel.BinaryBinding(func(data, key ref.Val) ref.Val {
					return celResult(getKeys(native(data), string(key.(types.String)), -1))
				})),
			cel.Overload("get_keys_dyn_string_int", []*cel.Type{cel.DynType, cel.StringType, cel.IntType}, listDyn,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					return celResult(getKeys(native(args[0]), string(args[1].(types.String)), int(args[2].(types.Int))))
				}))),
		cel.Function("get_first_key",
			cel.Overload("get_first_key_dyn_string", []*cel.Type{cel.DynType, cel.StringType}, cel.DynType,
				cel.BinaryBinding(func(data, key ref.Val) ref.Val { return firstKey(data, key, types.NullValue) })),
			cel.Overload("get_first_key_dyn_string_dyn", []*cel.Type{cel.DynType, cel.StringType, cel.DynType}, cel.DynType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val { return firstKey(args[0], args[1], args[2]) }))),

		cel.Function("get",
			cel.Overload("get_dyn_string", []*cel.Type{cel.DynType, cel.StringType}, cel.DynType,
				cel.BinaryBinding(func(m, key ref.Val) ref.Val { return pyGet(m, key, types.NullValue) })),
			cel.Overload("get_dyn_string_dyn", []*cel.Type{cel.DynType, cel.StringType, cel.DynType}, cel.DynType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val { return pyGet(args[0], args[1], args[2]) }))),
		cel.Function("safe_json_loads", cel.Overload("safe_json_loads_dyn", []*cel.Type{cel.DynType}, cel.DynType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return celResult(safeJSON(native(v))) }))),
		cel.Function("truthy", cel.Overload("truthy_dyn", []*cel.Type{cel.DynType}, cel.BoolType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return types.Bool(truthy(native(v))) }))),
		cel.Function("to_int", cel.Overload("to_int_dyn", []*cel.Type{cel.DynType}, cel.IntType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return celResult(pyInt(native(v))) }))),

		cel.Function("last_hour",
			cel.Overload("last_hour_dyn", []*cel.Type{cel.DynType}, cel.BoolType,
				cel.UnaryBinding(func(t ref.Val) ref.Val { return lastHours(d, t, 1) })),
			cel.Overload("last_hour_dyn_int", []*cel.Type{cel.DynType, cel.IntType}, cel.BoolType,
				cel.BinaryBinding(func(t, h ref.Val) ref.Val { return lastHours(d, t, int64(h.(types.Int))) }))),
		cel.Function("random_bool", cel.Overload("random_bool_double", []*cel.Type{cel.DoubleType}, cel.BoolType,
			cel.UnaryBinding(func(p ref.Val) ref.Val {
				f := float64(p.(types.Double))
				if f < 0 || f > 1 {
					return types.NewErr("random_bool: probability %v is outside [0, 1]", f)
				}
				return types.Bool(d.random(f))
			}))),

		cel.Function("fetch_values_by_datatype", cel.Overload("fetch_values_by_datatype_dyn_string",
			[]*cel.Type{cel.DynType, cel.StringType}, listStr,
			cel.BinaryBinding(func(rec, typ ref.Val) ref.Val {
				m, err := recordOf("fetch_values_by_datatype", rec)
				if err != nil {
					return types.WrapErr(err)
				}
				return types.NewStringList(types.DefaultTypeAdapter, normalizedValues(m, string(typ.(types.String))))
			}))),
		cel.Function("ioc_values", cel.Overload("ioc_values_dyn_string", []*cel.Type{cel.DynType, cel.StringType}, listStr,
			cel.BinaryBinding(func(rec, typ ref.Val) ref.Val {
				m, err := recordOf("ioc_values", rec)
				if err != nil {
					return types.WrapErr(err)
				}
				return types.NewStringList(types.DefaultTypeAdapter, iocValues(m, string(typ.(types.String))))
			}))),
		cel.Function("lookup", cel.Overload("lookup_string_string_dyn",
			[]*cel.Type{cel.StringType, cel.StringType, cel.DynType}, cel.DynType,
			cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				if d.lookup != nil {
					if v, ok := d.lookup.Get(string(args[0].(types.String)), string(args[1].(types.String))); ok {
						return celValue(v)
					}
				}
				return args[2]
			}))),
		cel.Function("is_public_policy", cel.Overload("is_public_policy_dyn", []*cel.Type{cel.DynType}, cel.BoolType,
			cel.UnaryBinding(func(doc ref.Val) ref.Val { return celResult(policyPublic(native(doc))) }))),
	}
}

// textHelper declares name(text, patterns): true when text is a string
// and match holds for one of patterns.
func textHelper(name string, match func(text, pattern string) bool) cel.EnvOption {
	return cel.Function(name, cel.Overload(name+"_dyn_list", []*cel.Type{cel.DynType, listDyn}, cel.BoolType,
		cel.BinaryBinding(func(text, patterns ref.Val) ref.Val {
			ps, err := stringList(name, patterns)
			if err != nil {
				return types.WrapErr(err)
			}
			return types.Bool(anyString(native(text), ps, match))
		})))
}

// listHelper declares name(data, needles) over a recursive search.
func listHelper(name string, search func(any, []string) (bool, error)) cel.EnvOption {
	return cel.Function(name, cel.Overload(name+"_dyn_list", []*cel.Type{cel.DynType, listDyn}, cel.BoolType,
		cel.BinaryBinding(func(data, needles ref.Val) ref.Val {
			ns, err := stringList(name, needles)
			if err != nil {
				return types.WrapErr(err)
			}
			return celResult(search(native(data), ns))
		})))
}

func pathMatchesAny(text, patterns ref.Val) ref.Val {
	ps, err := stringList("path_matches_any", patterns)
	if err != nil {
		return types.WrapErr(err)
	}
	s, ok := native(text).(string)
	if !ok {
		return types.False
	}
	for _, p := range ps {
		ok, err := pathMatch(s, p)
		if err != nil {
			return types.WrapErr(err)
		}
		if ok {
			return types.True
		}
	}
	return types.False
}

// pyGet is Python's dict.get: the value under key, even null, or def
// when the key is absent; an error when m is not an object, where Python
// raised AttributeError and StreamAlert's rule did not fire.
func pyGet(m, key, def ref.Val) ref.Val {
	obj, ok := native(m).(map[string]any)
	if !ok {
		return types.NewErr("get: want an object, got %s", jsonKind(native(m)))
	}
	v, ok := obj[string(key.(types.String))]
	if !ok {
		return def
	}
	return celValue(v)
}

func firstKey(data, key, def ref.Val) ref.Val {
	vals, err := getKeys(native(data), string(key.(types.String)), 1)
	if err != nil {
		return types.WrapErr(err)
	}
	if len(vals) == 0 {
		return def
	}
	return celValue(vals[0])
}

// lastHours is StreamAlert's last_hour: t, a Unix time in seconds (a
// number or a numeric string), is at most hours ago; a false t is never
// recent.
func lastHours(d *deps, t ref.Val, hours int64) ref.Val {
	v := native(t)
	if !truthy(v) {
		return types.False
	}
	secs, err := pyInt(v)
	if err != nil {
		return types.WrapErr(fmt.Errorf("last_hour: %w", err))
	}
	return types.Bool(d.now().Unix()-secs <= hours*3600)
}

func recordOf(fn string, v ref.Val) (map[string]any, error) {
	m, ok := native(v).(map[string]any)
	if !ok {
		return nil, errors.New(fn + ": the first argument must be the record")
	}
	return m, nil
}
