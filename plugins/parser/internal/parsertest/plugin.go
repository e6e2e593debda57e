package parsertest

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Start builds the plugin at pkg ("plugins/parser/json"), starts it as the
// host would, checks that it describes itself as the parser name at version
// 0.1.0, and returns its parser client. The process is killed when the test
// ends.
func Start(t *testing.T, pkg, name string) pluginv1.ParserServiceClient {
	t.Helper()
	bin := testbin.Build(t, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: exec.Command(bin)})
	if err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(c.Kill)
	d, err := c.Conn.Base.Describe(ctx, &pluginv1.DescribeRequest{})
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if info := d.GetInfo(); info.GetName() != name || info.GetVersion() != "0.1.0" || info.GetKind() != pluginv1.Kind_KIND_PARSER {
		t.Fatalf("describe = %v, want parser %s 0.1.0", info, name)
	}
	return c.Conn.Parser
}
