package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/runtime/embedded"
)

func newInitCmd(g *globals) *cobra.Command {
	var opts embedded.InitOptions
	var showToken bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a working sa home: default conf, sample data, a secret key and an ingest token",
		Long: `init writes a home directory (DIR, else --home, $SA_HOME or ~/.sa) that
sa serve runs on as it is: the default StreamAlert-format conf with a sample
cluster and CloudTrail schema, sample logs, a newly generated secret key
(secret.key, 0600), the sample source's ingest token stored encrypted, and
sa.yaml with a sample output that appends alerts to alerts.jsonl. Existing
conf files, key and secrets are kept.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			home := g.home
			if len(args) == 1 {
				home = args[0]
			}
			opts.PluginDirs = append(opts.PluginDirs, g.pluginDirs...)
			for i, d := range opts.PluginDirs {
				abs, err := filepath.Abs(d)
				if err != nil {
					return err
				}
				opts.PluginDirs[i] = abs
			}
			res, err := embedded.Init(cmd.Context(), home, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			abs, _ := filepath.Abs(home)
			fmt.Fprintf(out, "sa home written to %s\n\n", abs)
			if showToken {
				fmt.Fprintf(out, "Ingest token for source %q (stored encrypted):\n  %s\n\n", embedded.SampleSource, res.Token.Reveal())
			} else {
				fmt.Fprintf(out, "Source %q's ingest token is stored encrypted; sa ingest uses it (--show-token prints it for other clients).\n\n", embedded.SampleSource)
			}
			fmt.Fprintf(out, "Next:\n  sa --home %s serve\n  sa --home %s ingest --source %s %s\n",
				abs, abs, embedded.SampleSource, filepath.Join(abs, "samples", "cloudtrail.jsonl"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&showToken, "show-token", false, "print the sample source's ingest token, for clients other than sa ingest")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "rewrite sa.yaml if it exists (conf, key and secrets are kept)")
	return cmd
}
