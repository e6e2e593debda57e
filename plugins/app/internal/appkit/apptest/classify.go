package apptest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/testbin"
)

// Classify classifies logs an app emitted the way the host does for an app
// source (service streamalert_app, resource the app's function name in the
// cluster's data_sources), against StreamAlert's compat conf beside the
// repository, and returns each log's type ("" when no schema took it, with
// the reasons logged). extra adds files to a temporary copy of the conf
// (paths relative to conf/, such as "schemas/intercom.json") for sources
// the compat conf lacks; nothing is copied into the repository.
func Classify(t testing.TB, resource string, extra map[string]string, logs [][]byte) []string {
	t.Helper()
	dir := filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf")
	if len(extra) > 0 {
		dir = testbin.CopyDir(t, dir, extra)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	c, err := classify.New(cfg, classify.Options{Parsers: classify.Builtin(), NewID: func() string { return "id" }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Classify(context.Background(), classify.Source{Service: "streamalert_app", Resource: resource}, logs)
	if err != nil {
		t.Fatal(err)
	}
	types := make([]string, len(res))
	for i, r := range res {
		if r.Failure != nil || len(r.Records) != 1 {
			var why []string
			if r.Failure != nil {
				for _, a := range r.Failure.Attempts {
					why = append(why, fmt.Sprintf("%s: %s", a.LogType, a.Reason))
				}
			}
			t.Logf("log %d not classified: %s", i, strings.Join(why, "; "))
			continue
		}
		types[i] = string(r.Records[0].LogType)
	}
	return types
}
