package apptest

import (
	"maps"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

// ConfigCases is a ValidateConfig table: each row names changes to a valid
// configuration (Set) and the one field they make wrong (Field; "" when
// the configuration stays valid).
type ConfigCases = []struct {
	Name  string
	Set   map[string]any
	Field string
}

// CheckConfigs runs each case on a copy of valid as a subtest: the app's
// schema and validation must find exactly one problem, on the case's
// field, or none; and no problem may quote any of secrets.
func CheckConfigs(t *testing.T, app App, valid map[string]any, secrets []string, cases ConfigCases) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			raw := maps.Clone(valid)
			maps.Copy(raw, c.Set)
			problems := Problems(app, raw)
			if c.Field == "" && len(problems) > 0 || c.Field != "" && (len(problems) != 1 || problems[0].Field != c.Field) {
				t.Fatalf("problems %v, want one on %q", problems, c.Field)
			}
			for _, p := range problems {
				secrettest.AssertNoLeak(t, secrets, p.String())
			}
		})
	}
}
