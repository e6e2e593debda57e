// Command faulty is an output plugin for the host's fault tests. It behaves
// well unless SA_FAULT (set in the plugin environment by the test) names a
// fault to inject.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

type faulty struct{ fault string }

func (f *faulty) Info() saplugin.Info {
	v := "1.0.0"
	if f.fault == "wrong-version" {
		v = "9.9.9"
	}
	return saplugin.Info{Name: "faulty", Version: v, Description: "fault injection for tests"}
}

func (f *faulty) Schema() schema.Schema {
	return schema.Schema{Properties: []schema.Property{
		{Name: "token", Required: true, Secret: true, Credential: true, Pattern: `[a-z0-9]{8,}`, Example: "abcdefgh12"},
	}}
}

func (f *faulty) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	switch f.fault {
	case "exit-on-send":
		os.Exit(2)
	case "crash-once-on-send":
		// Crash the first process only: the marker file survives restarts.
		marker := os.Getenv("SA_FAULT_MARKER")
		if _, err := os.Stat(marker); err != nil {
			_ = os.WriteFile(marker, nil, 0o600)
			panic("injected crash")
		}
	case "hang-on-send":
		select {}
	case "slow-send":
		d, _ := strconv.Atoi(os.Getenv("SA_FAULT_DELAY_MS"))
		time.Sleep(time.Duration(d) * time.Millisecond)
	case "env":
		return saplugin.SendResult{Status: saplugin.Delivered, Message: strings.Join(os.Environ(), "\n")}
	case "leak-secret":
		tok := req.Config.String("token")
		saplugin.Logger().Error("auth failed with token " + tok)
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "401 from vendor: bad token " + tok}
	}
	return saplugin.SendResult{Status: saplugin.Delivered, Message: "ok pid " + strconv.Itoa(os.Getpid())}
}

func main() {
	f := &faulty{fault: os.Getenv("SA_FAULT")}
	switch f.fault {
	case "stdout-junk":
		fmt.Println("hello from a library that prints on import")
	case "exit-at-start":
		fmt.Fprintln(os.Stderr, "config file missing: cannot start")
		os.Exit(1)
	case "protocol-99":
		cfg := saplugin.ServeConfig(saplugin.KindOutput, f)
		cfg.VersionedPlugins = map[int]goplugin.PluginSet{99: cfg.VersionedPlugins[1]}
		goplugin.Serve(cfg)
		return
	}
	saplugin.ServeOutput(f)
}

var _ saplugin.Output = (*faulty)(nil)
