package rules

import (
	"strconv"
	"testing"
	"time"
)

func TestStringHelpers(t *testing.T) {
	runCond(t, []condCase{
		{cond: `starts_with_any(record.s, ["ab", "x"])`, rec: `{"s":"abc"}`, want: true},
		{cond: `starts_with_any(record.s, ["b"])`, rec: `{"s":"abc"}`, want: false},
		{cond: `starts_with_any(record.s, ["a"])`, rec: `{"s":5}`, want: false},
		{cond: `ends_with_any(record.s, ["bc"])`, rec: `{"s":"abc"}`, want: true},
		{cond: `contains_any(record.s, ["zz", "b"])`, rec: `{"s":"abc"}`, want: true},
		{cond: `contains_any(record.s, [1])`, rec: `{"s":"abc"}`, err: "list of strings"},
		{cond: `matches_any(record.s, ["*.exe", "a?c"])`, rec: `{"s":"abc"}`, want: true},
		{cond: `matches_any(record.s, ["*.exe"])`, rec: `{"s":"dir/evil.exe"}`, want: true},
		{cond: `matches_any(record.s, ["[!a]bc"])`, rec: `{"s":"abc"}`, want: false},
		{cond: `matches_any(record.s, ["*"])`, rec: `{"s":null}`, want: false},
		{cond: `path_matches_any(record.s, ["*.py"])`, rec: `{"s":"/a/b/c.py"}`, want: true},
		{cond: `path_matches_any(record.s, ["b/*.py"])`, rec: `{"s":"/a/b/c.py"}`, want: true},
		{cond: `path_matches_any(record.s, ["/b/*.py"])`, rec: `{"s":"/a/b/c.py"}`, want: false},
		{cond: `path_matches_any(record.s, ["/a/*"])`, rec: `{"s":"/a/b/c.py"}`, want: false},
		{cond: `path_matches_any(record.s, ["/a/*/*"])`, rec: `{"s":"/a/b/c.py"}`, want: true},
		{cond: `path_matches_any(record.s, ["a/*.py"])`, rec: `{"s":"a//./x.py"}`, want: true},
		{cond: `path_matches_any(record.s, [""])`, rec: `{"s":"a"}`, err: "empty pattern"},
	}, Options{})
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"", "", true}, {"*", "", true}, {"*", "a/b", true}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
		{"?", "é", true}, {"??", "é", false}, {"[a-c]x", "bx", true}, {"[a-c]x", "dx", false},
		{"[!a-c]x", "dx", true}, {"[]]", "]", true}, {"[!]]", "a", true}, {"[a-]", "-", true},
		{"[abc", "[abc", true}, {"[abc", "a", false}, {"*.[ch]", "x.h", true}, {"a\\b", "a\\b", true},
		{"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	} {
		if got := glob(c.pat, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

func TestNetworkHelpers(t *testing.T) {
	runCond(t, []condCase{
		{cond: `valid_ip(record.ip)`, rec: `{"ip":"10.0.0.1"}`, want: true},
		{cond: `valid_ip(record.ip)`, rec: `{"ip":"2001:db8::1"}`, want: true},
		{cond: `valid_ip(record.ip)`, rec: `{"ip":"::1"}`, want: false},
		{cond: `valid_ip(record.ip)`, rec: `{"ip":"fe80::1%eth0"}`, want: false},
		{cond: `valid_ip(record.ip)`, rec: `{"ip":"300.1.1.1"}`, want: false},
		{cond: `valid_ip(record.ip)`, rec: `{"ip":17}`, want: false},
		{cond: `valid_ipv4(record.ip)`, rec: `{"ip":"2001:db8::1"}`, want: false},
		{cond: `valid_ipv4(record.ip)`, rec: `{"ip":3232235777}`, want: true},
		{cond: `in_network(record.ip, ["10.0.0.0/8"])`, rec: `{"ip":"10.1.2.3"}`, want: true},
		{cond: `in_network(record.ip, ["bogus", "192.168.1.1", "10.0.0.0/8"])`, rec: `{"ip":"192.168.1.1"}`, want: true},
		{cond: `in_network(record.ip, ["10.0.0.0/8"])`, rec: `{"ip":"11.1.2.3"}`, want: false},
		{cond: `in_network(record.ip, ["2001:db8::/32"])`, rec: `{"ip":"2001:db8::5"}`, want: true},
		{cond: `in_network(record.ip, ["0.0.0.0/0"])`, rec: `{"ip":"::ffff:1.2.3.4"}`, want: false},
		{cond: `in_network(record.ip, ["10.0.0.0/8"])`, rec: `{"ip":"nope"}`, want: false},
	}, Options{})
}

func TestDataHelpers(t *testing.T) {
	rec := `{"a":{"b":[{"c":"needle-1"},{"d":5}],"e":"x"},"streamalert_normalization":{"c":["hidden"]}}`
	runCond(t, []condCase{
		{cond: `data_has_value(record, 5)`, rec: rec, want: true},
		{cond: `data_has_value(record, 5.0)`, rec: rec, want: true},
		{cond: `data_has_value(record, "x")`, rec: rec, want: true},
		{cond: `data_has_value(record, "needle")`, rec: rec, want: false},
		{cond: `data_has_value(record, true)`, rec: `{"a":1}`, want: true},
		{cond: `data_has_value_with_substring(record, "needle")`, rec: rec, want: true},
		{cond: `data_has_value_with_substring(record, "zzz")`, rec: rec, want: false},
		{cond: `data_has_value_from_list(record, ["needle-*"])`, rec: rec, want: true},
		{cond: `data_has_value_from_list(record, ["*zz*"])`, rec: rec, want: false},
		{cond: `data_has_value_from_substring_list(record.a.b, ["dle"])`, rec: rec, want: true},
		{cond: `data_has_value_from_substring_list(record, ["zzz"])`, rec: `{"a":0,"b":"x"}`, want: false},
		{cond: `data_has_value_from_substring_list(record, ["zzz"])`, rec: `{"a":5}`, err: "cannot search a number"},
		{cond: `size(get_keys(record, "c")) == 1`, rec: rec, want: true},
		{cond: `get_keys(record, "c") == ["needle-1"]`, rec: rec, want: true},
		{cond: `get_keys(record.a, "e") == ["x"]`, rec: rec, want: true},
		{cond: `get_keys(record, "k") == [1, 2]`, rec: `{"k":1,"z":{"k":2}}`, want: true},
		{cond: `get_keys(record, "k", 1) == [1]`, rec: `{"k":1,"z":{"k":2}}`, want: true},
		{cond: `get_keys(record.s, "k") == []`, rec: `{"s":"str"}`, want: true},
		{cond: `get_keys(record.s, "k") == []`, rec: `{"s":null}`, err: "cannot search null"},
		{cond: `get_first_key(record, "d") == 5`, rec: rec, want: true},
		{cond: `get_first_key(record, "zz") == null`, rec: rec, want: true},
		{cond: `get_first_key(record, "zz", "def") == "def"`, rec: rec, want: true},
		{cond: `safe_json_loads(record.s).k == 1`, rec: `{"s":"{\"k\":1}"}`, want: true},
		{cond: `safe_json_loads(record.s) == {}`, rec: `{"s":"not json"}`, want: true},
		{cond: `safe_json_loads(record.s) == {}`, rec: `{"s":""}`, want: true},
		{cond: `safe_json_loads(record.s)[1] == 2.5`, rec: `{"s":"[1, 2.5]"}`, want: true},
		{cond: `safe_json_loads(record.s) == {}`, rec: `{"s":null}`, err: "want a string"},
		{cond: `truthy(record.a) || truthy(record.b) || truthy(record.c) || truthy(record.d)`, rec: `{"a":0,"b":"","c":[],"d":{}}`, want: false},
		{cond: `truthy(record.a) && truthy(record.b) && truthy(record.c)`, rec: `{"a":"false","b":"0","c":[0]}`, want: true},
		{cond: `to_int(record.a) == 7 && to_int(record.b) == 7 && to_int(record.c) == 7`, rec: `{"a":" 7 ","b":7.9,"c":7}`, want: true},
		{cond: `to_int(record.a) == 7`, rec: `{"a":"7.0"}`, err: "invalid literal"},
	}, Options{})
}

func TestTimeHelpers(t *testing.T) {
	now := fixedNow.Unix()
	rec := func(v int64) string { return `{"t":` + itoa(v) + `,"s":"` + itoa(v) + `"}` }
	runCond(t, []condCase{
		{cond: `last_hour(record.t)`, rec: rec(now - 60), want: true},
		{cond: `last_hour(record.s)`, rec: rec(now - 60), want: true},
		{cond: `last_hour(record.t)`, rec: rec(now - 3601), want: false},
		{cond: `last_hour(record.t, 2)`, rec: rec(now - 3601), want: true},
		{cond: `last_hour(record.t)`, rec: rec(now + 600), want: true},
		{cond: `last_hour(record.t)`, rec: `{"t":0}`, want: false},
		{cond: `last_hour(record.t)`, rec: `{"t":"soon"}`, err: "invalid literal"},
	}, Options{Now: func() time.Time { return fixedNow }})
}

func TestRandomBool(t *testing.T) {
	always := func(float64) bool { return true }
	runCond(t, []condCase{
		{cond: `random_bool(0.01)`, rec: `{}`, want: true},
		{cond: `random_bool(1.5)`, rec: `{}`, err: "outside [0, 1]"},
	}, Options{Random: always})
}

func TestNormalizationHelpers(t *testing.T) {
	rec := `{
		"streamalert_normalization": {
			"command": [{"function": "cmd", "values": ["ls", "rm -rf"]}, {"function": null, "values": ["ls"]}],
			"port": [{"function": null, "values": [22]}],
			"streamalert_record_id": "x"
		},
		"streamalert:normalization": {"sourceAddress": ["1.2.3.4"], "command": ["whoami"]},
		"streamalert:ioc": {"ip": ["1.2.3.4"]}
	}`
	runCond(t, []condCase{
		{cond: `fetch_values_by_datatype(record, "command") == ["ls", "rm -rf", "whoami"]`, rec: rec, want: true},
		{cond: `fetch_values_by_datatype(record, "port") == ["22"]`, rec: rec, want: true},
		{cond: `fetch_values_by_datatype(record, "sourceAddress") == ["1.2.3.4"]`, rec: rec, want: true},
		{cond: `fetch_values_by_datatype(record, "nothing") == []`, rec: rec, want: true},
		{cond: `fetch_values_by_datatype(record, "command") == []`, rec: `{}`, want: true},
		{cond: `ioc_values(record, "ip") == ["1.2.3.4"]`, rec: rec, want: true},
		{cond: `ioc_values(record, "domain") == []`, rec: rec, want: true},
		{cond: `fetch_values_by_datatype(record.x, "c") == []`, rec: `{"x":1}`, err: "must be the record"},
	}, Options{})
}

func TestLookupHelper(t *testing.T) {
	lk := mapLookup{"t": {"k": []any{"a", "b"}, "n": int64(3)}}
	runCond(t, []condCase{
		{cond: `"a" in lookup("t", "k", [])`, rec: `{}`, want: true},
		{cond: `lookup("t", "n", 0) == 3`, rec: `{}`, want: true},
		{cond: `lookup("t", "missing", "def") == "def"`, rec: `{}`, want: true},
		{cond: `lookup("other", "k", "def") == "def"`, rec: `{}`, want: true},
	}, Options{Lookup: lk})
	runCond(t, []condCase{
		{cond: `lookup("t", "k", "def") == "def"`, rec: `{}`, want: true},
	}, Options{})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
