package main

import (
	"testing"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

func TestConformance(t *testing.T) {
	apptest.Conformance(t, "plugins/app/threatstream")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	key, _ := configSchema.Property(propKey)
	if !key.Secret || !key.Credential || !key.Required {
		t.Errorf("api_key %+v: want a required, masked credential", key)
	}
	for _, name := range []string{appkit.PropOverlap, appkit.PropLookback} {
		if _, ok := configSchema.Property(name); ok {
			t.Errorf("%s is offered but means nothing to an indicator feed", name)
		}
	}
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": appType, propUser: testUser, propKey: testKey}
	apptest.CheckConfigs(t, New(), valid, secrets, apptest.ConfigCases{
		{"valid", nil, ""},
		{"defaults", map[string]any{propTypes: nil}, ""},
		{"unknown ioc type", map[string]any{propTypes: []any{"ip", "email"}}, propTypes},
		{"user with a colon", map[string]any{propUser: "a:b"}, propUser},
		{"key with a space", map[string]any{propKey: "abc def ghi jkl mno pqr"}, propKey},
		{"overlap is not a property", map[string]any{appkit.PropOverlap: 60}, appkit.PropOverlap},
		{"timeout", map[string]any{appkit.PropTimeout: 0}, appkit.PropTimeout},
	})
}
