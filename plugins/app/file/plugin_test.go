package main

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// TestBinary runs the built plugin as the host would: start, describe,
// configure over gRPC, and gather twice, resuming from the state streamed.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stderr := &syncBuffer{}
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: exec.Command(testbin.Build(t, "plugins/app/file")), Stderr: stderr})
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	defer c.Kill()
	desc, err := c.Conn.Describe(ctx, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetInfo().GetName() != "file" || desc.GetInfo().GetKind() != pluginv1.Kind_KIND_APP {
		t.Fatalf("Describe = %v", desc.GetInfo())
	}

	dir := t.TempDir()
	writeFile(t, join(dir, "a.log"), "1\n2\n3\n4\n")
	appendBytes(t, join(dir, "b.log.gz"), gzipped(t, "5\n6"))
	if p := configureRemote(t, ctx, c, map[string]any{"path": "relative/dir"}); len(p) != 1 || p[0].GetField() != "path" {
		t.Fatalf("relative path: problems %v", p)
	}
	if p := configureRemote(t, ctx, c, map[string]any{"path": dir, "batch_size": 3}); len(p) > 0 {
		t.Fatalf("problems %v", p)
	}

	logs, state, sizes := gatherRemote(t, ctx, c, nil)
	if want := []string{"1", "2", "3", "4", "5", "6"}; !reflect.DeepEqual(logs, want) || !reflect.DeepEqual(sizes, []int{3, 3}) {
		t.Fatalf("first gather: logs %q in batches %v, want %q in 3+3", logs, sizes, want)
	}
	appendFile(t, join(dir, "a.log"), "7\n")
	logs, _, _ = gatherRemote(t, ctx, c, state)
	if !reflect.DeepEqual(logs, []string{"7"}) {
		t.Fatalf("second gather: logs %q, want only the appended line", logs)
	}
}

func configureRemote(t *testing.T, ctx context.Context, c *saplugin.Client, raw map[string]any) []*pluginv1.Problem {
	t.Helper()
	cfg, err := structpb.NewStruct(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: "local", Config: cfg})
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	return resp.GetProblems()
}

// gatherRemote runs one Gather stream to its end and returns the logs, the
// last state and each batch's size.
func gatherRemote(t *testing.T, ctx context.Context, c *saplugin.Client, state []byte) ([]string, []byte, []int) {
	t.Helper()
	stream, err := c.Conn.App.Gather(ctx, &pluginv1.GatherRequest{Instance: "local", State: state, Budget: durationpb.New(time.Minute)})
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var logs []string
	var sizes []int
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return logs, state, sizes
		}
		if err != nil {
			t.Fatalf("gather stream: %v", err)
		}
		if resp.GetMore() {
			t.Errorf("batch says More although the files were read to the end")
		}
		for _, l := range resp.GetLogs() {
			logs = append(logs, string(l))
		}
		sizes = append(sizes, len(resp.GetLogs()))
		state = resp.GetState()
	}
}
