package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print sa's version and the plugin protocol versions it speaks",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			rev := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = s.Value
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sa %s\nplugin protocol versions: %v\ncommit: %s\ngo: %s %s/%s\n",
				version, saplugin.ProtocolVersions, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
