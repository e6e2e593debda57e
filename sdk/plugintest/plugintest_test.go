package plugintest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// output is a configurable in-process output plugin.
type output struct {
	schema   schema.Schema
	validate func(schema.Config) []schema.Problem
}

func (o *output) Info() saplugin.Info   { return saplugin.Info{Name: "test", Version: "0.1.0"} }
func (o *output) Schema() schema.Schema { return o.schema }
func (o *output) Send(context.Context, saplugin.SendRequest) saplugin.SendResult {
	return saplugin.SendResult{Status: saplugin.Delivered}
}

type validatingOutput struct{ *output }

func (v validatingOutput) ValidateConfig(cfg schema.Config) []schema.Problem { return v.validate(cfg) }

var secretSchema = schema.Schema{Properties: []schema.Property{
	{Name: "token", Required: true, Secret: true, Example: "tok"},
}}

func failed(r *Report) []string {
	var out []string
	for _, c := range r.Checks {
		if c.Err != nil {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestInProcess(t *testing.T) {
	tests := []struct {
		name   string
		plugin saplugin.Plugin
		failed []string
	}{
		{name: "conformant", plugin: &output{schema: secretSchema}},
		{
			name: "required property without example",
			plugin: &output{schema: schema.Schema{Properties: []schema.Property{
				{Name: "token", Required: true},
			}}},
			failed: []string{"every required property has an example or default", "ValidateConfig accepts the schema's examples", "Configure stores an instance and rejects an empty name"},
		},
		{
			name: "validator quotes the secret",
			plugin: validatingOutput{&output{schema: secretSchema, validate: func(c schema.Config) []schema.Problem {
				if c.String("token") == "tok" {
					return nil
				}
				return []schema.Problem{{Field: "token", Message: fmt.Sprintf("token %s rejected by vendor", c.String("token"))}}
			}}},
			failed: []string{"problems never quote secret values"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := InProcess(context.Background(), saplugin.KindOutput, tt.plugin)
			if got := strings.Join(failed(r), "\n"); got != strings.Join(tt.failed, "\n") {
				var b strings.Builder
				r.Print(&b)
				t.Errorf("failed checks:\n%s\nwant:\n%s\nreport:\n%s", got, strings.Join(tt.failed, "\n"), b.String())
			}
			if r.Plugin != "output.test" {
				t.Errorf("plugin %q, want output.test", r.Plugin)
			}
		})
	}
}

func build(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	if msg, err := exec.Command("go", "build", "-o", out, "./"+pkg).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

func TestBinary(t *testing.T) {
	good := build(t, "testdata/good")
	r := Binary(context.Background(), func() *exec.Cmd { return exec.Command(good) }, Options{})
	if r.Failed() {
		var b strings.Builder
		r.Print(&b)
		t.Fatalf("conformant binary failed:\n%s", b.String())
	}
	if n := len(r.Checks); n < 14 {
		t.Errorf("%d checks ran, want the full set", n)
	}

	bad := build(t, "testdata/nocookie")
	r = Binary(context.Background(), func() *exec.Cmd { return exec.Command(bad) }, Options{})
	got := strings.Join(failed(r), "\n")
	if got != "refuses to run without the handshake cookie\nhandshake over mTLS" {
		t.Errorf("a binary that is not a plugin failed:\n%s", got)
	}
}
