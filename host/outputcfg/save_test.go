package outputcfg

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/sdk/schema"
)

func TestSaveNew(t *testing.T) {
	tests := []struct {
		name        string
		id          ID
		values      map[string]any
		wantEntry   string
		wantOutputs string
		wantSecret  map[string]string
	}{
		{
			name: "credentials to the store, the rest to sa.yaml, in schema order",
			id:   ID{"hook", "soc"},
			values: map[string]any{
				"url": hookURL, "token": hookToken, "channel": "alerts-soc",
				"timeout_seconds": json.Number("5"), "tags": []any{"a", "b"}, "verbose": "yes",
			},
			wantEntry:   "  hook:soc:\n    channel: alerts-soc\n    timeout_seconds: 5\n    tags:\n      - a\n      - b\n    verbose: true\n",
			wantOutputs: "{\n  \"file\": [\n    \"sample\"\n  ],\n  \"hook\": [\n    \"soc\"\n  ]\n}\n",
			wantSecret:  map[string]string{"url": hookURL, "token": hookToken},
		},
		{
			name: "defaults are not stored; only credentials leave an empty entry",
			id:   ID{"hook", "ops"}, values: map[string]any{"url": hookURL, "channel": ""},
			wantEntry:   "  hook:ops: {}\n",
			wantOutputs: "{\n  \"file\": [\n    \"sample\"\n  ],\n  \"hook\": [\n    \"ops\"\n  ]\n}\n",
			wantSecret:  map[string]string{"url": hookURL},
		},
		{
			name: "AWS outputs map the descriptor to the resource, sorted as StreamAlert writes them",
			id:   ID{"aws-s3", "alerts"}, values: map[string]any{"aws_value": "corp-alerts-bucket"},
			wantEntry:   "  aws-s3:alerts:\n    aws_value: corp-alerts-bucket\n",
			wantOutputs: "{\n  \"aws-s3\": {\n    \"alerts\": \"corp-alerts-bucket\"\n  },\n  \"file\": [\n    \"sample\"\n  ]\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHome(t)
			before := h.read(t, h.config)
			rep, err := h.mgr.Save(context.Background(), Change{ID: tt.id, Values: tt.values})
			if err != nil {
				t.Fatalf("Save: %v (report %+v)", err, rep)
			}
			config := h.read(t, h.config)
			if got := entry(config, tt.id.String()); got != tt.wantEntry {
				t.Errorf("sa.yaml entry:\n%q\nwant\n%q", got, tt.wantEntry)
			}
			if config != before+tt.wantEntry {
				t.Errorf("sa.yaml is not the old file plus the entry:\n%s", config)
			}
			if got := h.read(t, h.outputs); got != tt.wantOutputs {
				t.Errorf("outputs.json:\n%s\nwant\n%s", got, tt.wantOutputs)
			}
			if tt.wantSecret != nil {
				if got := h.secret(t, tt.id); !reflect.DeepEqual(got, tt.wantSecret) {
					t.Errorf("secret %v, want %v", got, tt.wantSecret)
				}
			} else if _, err := h.store.Get(context.Background(), tt.id.SecretName()); !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("a secret was stored for an output without credentials: %v", err)
			}
			h.assertNoPlaintext(t, hookURL, hookToken)
			if fi, err := os.Stat(h.config); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("sa.yaml mode %v, %v; want 0600", fi.Mode().Perm(), err)
			}
		})
	}
}

// TestSaveRuntimeView: the plugin checks exactly what the runtime will
// give it: the descriptor, the sa.yaml properties, the credentials.
func TestSaveRuntimeView(t *testing.T) {
	h := newTestHome(t)
	id := ID{"hook", "soc"}
	values := map[string]any{"url": hookURL, "channel": "c1", "tags": "x, y"}
	if _, err := h.mgr.Save(context.Background(), Change{ID: id, Values: values}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"descriptor": "soc", "url": hookURL, "channel": "c1", "tags": []any{"x", "y"}}
	if len(h.plugins.seen) != 1 || !reflect.DeepEqual(h.plugins.seen[0], want) {
		t.Errorf("plugin validated %v, want %v", h.plugins.seen, want)
	}
	got, err := h.mgr.Config(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config = %v, want %v", got, want)
	}
}

func TestSaveRefused(t *testing.T) {
	valid := map[string]any{"url": hookURL}
	with := func(k string, v any) map[string]any {
		m := map[string]any{"url": hookURL}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		id       ID
		values   map[string]any
		plugin   func(string, map[string]any) ([]schema.Problem, error)
		field    string
		contains string
	}{
		{name: "required missing", id: ID{"hook", "a"}, values: with("url", nil), field: "url", contains: "required"},
		{name: "pattern", id: ID{"hook", "a"}, values: with("url", "http://hooks.example.com/"+hookToken), field: "url", contains: "does not match pattern"},
		{name: "forbidden characters", id: ID{"hook", "a"}, values: with("channel", "#soc"), field: "channel", contains: "may not contain"},
		{name: "type", id: ID{"hook", "a"}, values: with("timeout_seconds", "soon"), field: "timeout_seconds", contains: "whole number"},
		{name: "unknown property", id: ID{"hook", "a"}, values: with("colour", "red"), field: "colour", contains: "unknown property"},
		{name: "uppercase descriptor", id: ID{"hook", "SOC"}, values: valid, field: "descriptor", contains: `use "soc"`},
		{name: "colon in descriptor", id: ID{"hook", "a:b"}, values: valid, field: "descriptor", contains: "':'"},
		{name: "descriptor disagrees", id: ID{"hook", "a"}, values: with("descriptor", "b"), field: "descriptor", contains: "cannot change"},
		{
			name: "the plugin's own check", id: ID{"hook", "a"}, values: valid, field: "url", contains: "unreachable",
			plugin: func(string, map[string]any) ([]schema.Problem, error) {
				return []schema.Problem{{Field: "url", Message: "host is unreachable"}}, nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHome(t)
			h.plugins.validate = tt.plugin
			before := h.snapshot(t)
			rep, err := h.mgr.Save(context.Background(), Change{ID: tt.id, Values: tt.values})
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want an InvalidError", err)
			}
			if len(rep.Problems) == 0 || rep.Problems[0].Field != tt.field || !strings.Contains(rep.Problems[0].Message, tt.contains) {
				t.Errorf("problems %v, want %s: ...%s...", rep.Problems, tt.field, tt.contains)
			}
			assertSameFiles(t, before, h.snapshot(t))
			h.assertNoPlaintext(t, hookURL, hookToken)
			for _, s := range []string{err.Error(), schema.ProblemsError(rep.Problems).Error()} {
				if strings.Contains(s, hookToken) || strings.Contains(s, "hooks.example.com") {
					t.Errorf("the error quotes a value: %s", s)
				}
			}
		})
	}
}

func TestSaveExistsAndNotFound(t *testing.T) {
	h := newTestHome(t)
	ctx := context.Background()
	if _, err := h.mgr.Save(ctx, Change{ID: ID{"file", "sample"}, Values: map[string]any{}}); !errors.Is(err, ErrNoPlugin) {
		t.Errorf("uninstalled plugin: %v", err)
	}
	h.plugins.installed["output.bare"] = &pluginhost.Installed{Manifest: &pluginhost.Manifest{Name: "bare", Kind: "output", Schema: hookSchema[1:]}}
	if _, err := h.mgr.Save(ctx, Change{ID: ID{"bare", "x"}, Values: map[string]any{"url": hookURL}}); err == nil || !strings.Contains(err.Error(), `declares no "descriptor" property`) {
		t.Errorf("plugin without a descriptor property: %v", err)
	}
	id := ID{"hook", "soc"}
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL}, Update: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a new instance: %v", err)
	}
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL}}); err != nil {
		t.Fatal(err)
	}
	_, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL}})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "sa output update hook:soc") {
		t.Errorf("second new: %v, want ErrExists suggesting update", err)
	}
}

// TestSavePluginUnavailable: a plugin that cannot start does not block a
// change the schema accepts, and the report says what was skipped.
func TestSavePluginUnavailable(t *testing.T) {
	h := newTestHome(t)
	h.plugins.validate = func(string, map[string]any) ([]schema.Problem, error) {
		return nil, errors.New("exec: permission denied")
	}
	rep, err := h.mgr.Save(context.Background(), Change{ID: ID{"hook", "soc"}, Values: map[string]any{"url": hookURL}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "only its schema did") {
		t.Errorf("warnings %q", rep.Warnings)
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	h := newTestHome(t)
	id := ID{"hook", "soc"}
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL, "token": hookToken, "channel": "c1", "verbose": true}}); err != nil {
		t.Fatal(err)
	}
	cur, err := h.mgr.Current(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// token is a credential but not a secret: update may show it.
	if cur.Values["token"] != hookToken || !cur.Secrets["url"] || cur.Secrets["token"] {
		t.Errorf("Current = %+v", cur)
	}
	// A comment a person added inside the entry survives the update.
	config := strings.Replace(h.read(t, h.config), "    channel: c1\n", "    channel: c1 # the SOC room\n", 1)
	if err := os.WriteFile(h.config, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	patch := map[string]any{"channel": "c2", "verbose": nil, "token": nil, "timeout_seconds": "30"}
	rep, err := h.mgr.Save(ctx, Change{ID: id, Values: patch, Update: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "  hook:soc:\n    channel: c2 # the SOC room\n    timeout_seconds: 30\n"
	if got := entry(h.read(t, h.config), id.String()); got != want {
		t.Errorf("entry\n%q\nwant\n%q", got, want)
	}
	if got := h.secret(t, id); !reflect.DeepEqual(got, map[string]string{"url": hookURL}) {
		t.Errorf("secret %v: the url should be kept and the token removed", got)
	}
	if !reflect.DeepEqual(rep.Credentials, []string{"url"}) || !reflect.DeepEqual(rep.Settings, []string{"channel", "timeout_seconds"}) {
		t.Errorf("report %+v", rep)
	}
	cur, err = h.mgr.Current(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cur, &Current{Values: map[string]any{"channel": "c2", "timeout_seconds": 30}, Secrets: map[string]bool{"url": true}}) {
		t.Errorf("Current = %+v", cur)
	}

	// An update that changes nothing writes nothing.
	before := h.snapshot(t)
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"channel": "c2"}, Update: true}); err != nil {
		t.Fatal(err)
	}
	if after := h.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Error("a no-op update rewrote files")
	}
	h.assertNoPlaintext(t, hookURL, hookToken)
}

// TestUpdateImported: an instance StreamAlert's outputs.json lists but sa
// has never configured is completed by update.
func TestUpdateImported(t *testing.T) {
	h := newTestHome(t)
	if err := os.WriteFile(h.outputs, []byte(`{"hook": ["legacy"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	id := ID{"hook", "legacy"}
	if _, err := h.mgr.Save(context.Background(), Change{ID: id, Values: map[string]any{"url": hookURL}, Update: true}); err != nil {
		t.Fatal(err)
	}
	if got := entry(h.read(t, h.config), id.String()); got != "  hook:legacy: {}\n" {
		t.Errorf("entry %q", got)
	}
	if got := h.read(t, h.outputs); got != "{\n  \"hook\": [\n    \"legacy\"\n  ]\n}" {
		t.Errorf("outputs.json rewritten: %q", got)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	h := newTestHome(t)
	before := h.snapshot(t)
	id := ID{"hook", "soc"}
	if _, err := h.mgr.Save(ctx, Change{ID: id, Values: map[string]any{"url": hookURL, "channel": "c"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.mgr.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	after := h.snapshot(t)
	for path, content := range before {
		if after[path] != content {
			t.Errorf("%s differs after add and delete:\n%s\nwas\n%s", path, after[path], content)
		}
	}
	if len(after) != len(before)+1 { // the lock file
		t.Errorf("files left: %d, want %d", len(after), len(before)+1)
	}
	if err := h.mgr.Delete(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

// TestDeleteWithoutPlugin: an instance whose plugin is gone, and a
// StreamAlert descriptor sa could not store credentials under, delete.
func TestDeleteWithoutPlugin(t *testing.T) {
	h := newTestHome(t)
	if err := os.WriteFile(h.outputs, []byte(`{"slack": ["Sample-Channel"], "file": ["sample"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, id := range []ID{{"slack", "Sample-Channel"}, {"file", "sample"}} {
		if err := h.mgr.Delete(context.Background(), id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	if got := h.read(t, h.outputs); got != "{}" {
		t.Errorf("outputs.json %q", got)
	}
	if got := entry(h.read(t, h.config), "file:sample"); got != "" {
		t.Errorf("sa.yaml still has file:sample: %q", got)
	}
}

// failingStore is a secret store whose calls can be made to fail.
type failingStore struct {
	secrets.Store
	put, del func(name string) error
}

func (f failingStore) Put(ctx context.Context, name string, v secrets.Value) error {
	if f.put != nil {
		if err := f.put(name); err != nil {
			return err
		}
	}
	return f.Store.Put(ctx, name, v)
}

func (f failingStore) Delete(ctx context.Context, name string) error {
	if f.del != nil {
		if err := f.del(name); err != nil {
			return err
		}
	}
	return f.Store.Delete(ctx, name)
}

func TestRollback(t *testing.T) {
	ctx := context.Background()
	id := ID{"hook", "soc"}
	values := map[string]any{"url": hookURL, "channel": "c"}

	t.Run("outputs.json fails: the secret and sa.yaml are undone", func(t *testing.T) {
		h := newTestHome(t)
		before := h.snapshot(t)
		// A directory that does not exist: read as empty, unwritable.
		h.mgr.opts.OutputsFile = filepath.Join(h.dir, "missing", "outputs.json")
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: values}); err == nil {
			t.Fatal("Save succeeded")
		}
		assertSameFiles(t, before, h.snapshot(t))
	})
	t.Run("the secret store fails: nothing is written", func(t *testing.T) {
		h := newTestHome(t)
		before := h.snapshot(t)
		h.mgr.opts.Secrets = failingStore{Store: h.store, put: func(string) error { return errors.New("disk full") }}
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: values}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("Save: %v", err)
		}
		assertSameFiles(t, before, h.snapshot(t))
	})
	t.Run("an update is undone to the old credentials", func(t *testing.T) {
		h := newTestHome(t)
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: values}); err != nil {
			t.Fatal(err)
		}
		before := h.snapshot(t)
		h.mgr.opts.OutputsFile = filepath.Join(h.dir, "missing", "outputs.json")
		patch := map[string]any{"url": hookURL + "/v2", "channel": "c2"}
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: patch, Update: true}); err == nil {
			t.Fatal("Save succeeded")
		}
		if got := h.secret(t, id); got["url"] != hookURL {
			t.Error("the old url was not put back")
		}
		assertSameFiles(t, before, h.snapshot(t))
	})
	t.Run("delete: the secret fails, the files are put back", func(t *testing.T) {
		h := newTestHome(t)
		if _, err := h.mgr.Save(ctx, Change{ID: id, Values: values}); err != nil {
			t.Fatal(err)
		}
		before := h.snapshot(t)
		h.mgr.opts.Secrets = failingStore{Store: h.store, del: func(string) error { return errors.New("read-only file system") }}
		if err := h.mgr.Delete(ctx, id); err == nil {
			t.Fatal("Delete succeeded")
		}
		assertSameFiles(t, before, h.snapshot(t))
	})
}

// assertSameFiles compares two snapshots, ignoring the lock file. A
// secret restored by a rollback is encrypted afresh, so only the presence
// of secrets is compared; tests check their values.
func assertSameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	for path, content := range after {
		if filepath.Base(path) == ".sa-output.lock" {
			continue
		}
		if b, ok := before[path]; !ok {
			t.Errorf("%s was left behind", path)
		} else if b != content && filepath.Ext(path) != ".age" {
			t.Errorf("%s was not put back:\n%s\nwas\n%s", path, content, b)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		}
	}
}
