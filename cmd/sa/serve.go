package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/runtime/embedded"
)

func newServeCmd(g *globals) *cobra.Command {
	var jsonLogs bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run sa on this machine: ingest, classify, rules, alert store, merge and dispatch",
		Long: `serve runs the whole pipeline in one process on the home sa init wrote:
HTTP ingest (POST /v1/ingest/<source>), classification through the parser
plugins, rules, the SQLite alert store, the merger and the dispatcher that
delivers through the output plugins, with /metrics and /healthz. SIGINT or
SIGTERM stops it gracefully; anything unfinished resumes at the next start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.Default()
			if jsonLogs {
				log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: g.level}))
			}
			s, err := embedded.Open(cmd.Context(), g.home, embedded.Options{PluginDirs: g.dirs()[1:], Log: log})
			if err != nil {
				return err
			}
			return s.Serve(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&jsonLogs, "log-json", false, "log JSON lines instead of text")
	return cmd
}
