package outputcfg

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

func TestList(t *testing.T) {
	ctx := context.Background()
	h := newTestHome(t)
	save := func(id ID, values map[string]any) {
		t.Helper()
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: values}); err != nil {
			t.Fatal(err)
		}
	}
	save(ID{"hook", "ready"}, map[string]any{"url": hookURL, "token": hookToken})
	save(ID{"hook", "nocreds"}, map[string]any{"url": hookURL})
	if err := h.store.Delete(ctx, "output/hook/nocreds"); err != nil {
		t.Fatal(err)
	}
	save(ID{"aws-s3", "alerts"}, map[string]any{"aws_value": "bucket"})
	// StreamAlert's outputs.json lists an instance sa never configured.
	out := strings.Replace(h.read(t, h.outputs), `"hook": [`, `"hook": [`+"\n    \"imported\",", 1)
	if err := os.WriteFile(h.outputs, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	// A leftover secret with no configuration.
	if err := h.store.Put(ctx, "output/hook/orphan", secrets.Value{"url": hookURL}); err != nil {
		t.Fatal(err)
	}
	list, err := h.mgr.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Instance{
		{ID: ID{"aws-s3", "alerts"}, InConfig: true, InOutputs: true, Installed: true},
		{ID: ID{"file", "sample"}, InConfig: true, InOutputs: true},
		{ID: ID{"hook", "imported"}, InOutputs: true, Installed: true, Missing: []string{"url"}},
		{ID: ID{"hook", "nocreds"}, InConfig: true, InOutputs: true, Installed: true, Missing: []string{"url"}},
		{ID: ID{"hook", "orphan"}, InSecrets: true, Installed: true},
		{ID: ID{"hook", "ready"}, InConfig: true, InOutputs: true, InSecrets: true, Installed: true},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("List =\n%+v\nwant\n%+v", list, want)
	}
	ready := slices.IndexFunc(list, func(in Instance) bool { return in.Ready() })
	if ready < 0 || list[ready].ID != (ID{"aws-s3", "alerts"}) {
		t.Errorf("first ready instance %d", ready)
	}
	secrettest.AssertNoLeak(t, []string{hookURL, hookToken}, secrettest.Render(list)...)
}

func TestListUnreadableCredentials(t *testing.T) {
	ctx := context.Background()
	h := newTestHome(t)
	id := ID{"hook", "soc"}
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL}}); err != nil {
		t.Fatal(err)
	}
	other, err := secrets.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := secrets.New(h.store.(*secrets.FileStore).Dir(), other)
	if err != nil {
		t.Fatal(err)
	}
	h.mgr.opts.Secrets = wrong
	list, err := h.mgr.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(in Instance) bool { return in.ID == id })
	if i < 0 || list[i].SecretErr == nil || list[i].Ready() || len(list[i].Missing) != 0 {
		t.Errorf("instance %+v", list[i])
	}
	if _, err := h.mgr.Current(ctx, id); err == nil {
		t.Error("Current read credentials with the wrong key")
	}
}

func TestIDCheck(t *testing.T) {
	for _, tt := range []struct {
		in, err string
	}{
		{"slack:soc", ""},
		{"aws-s3:alerts.v2", ""},
		{"slack:SOC", `use "soc"`},
		{"Slack:soc", `service "Slack" has uppercase letters`},
		{"slack:a b", "spaces"},
		{"slack:a:b", "':'"},
		{"slack:-soc", "must start with a lowercase letter or digit"},
		{"slack:s$c", `has '$'`},
	} {
		id, err := ParseID(tt.in)
		if err == nil {
			err = id.Check()
		}
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want %q", tt.in, err, tt.err)
		}
	}
	for _, bad := range []string{"slack", ":soc", "slack:", ""} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func TestSample(t *testing.T) {
	id := ID{"hook", "soc"}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	alertJSON, pub, err := Sample(id, now)
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]any
	if err := json.Unmarshal(alertJSON, &a); err != nil {
		t.Fatal(err)
	}
	if a["rule_name"] != SampleRule || !reflect.DeepEqual(a["outputs"], []any{"hook:soc"}) || a["created"] != "2026-11-23T10:00:00.000000Z" {
		t.Errorf("alert %s", alertJSON)
	}
	var p map[string]any
	if err := json.Unmarshal(pub, &p); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, publicationKeys) {
		t.Errorf("publication keys %v, want StreamAlert's %v", keys, publicationKeys)
	}
	if rec, _ := p["record"].(map[string]any); rec["eventName"] != "ConsoleLogin" {
		t.Errorf("record %v", p["record"])
	}
}
