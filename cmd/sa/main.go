// Command sa is the security alerting engine: it classifies logs, runs
// detection rules, merges and delivers alerts, and manages the plugins that
// parse logs, gather them from SaaS APIs and deliver alerts.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries an exit code out of a command without printing twice.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case err != nil:
		fmt.Fprintln(os.Stderr, "sa:", err)
		os.Exit(1)
	}
}

// globals are the flags every command shares.
type globals struct {
	home       string
	pluginDirs []string
	logLevel   string
	level      slog.Level
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "sa",
		Short:         "sa classifies security logs, runs detection rules and delivers alerts",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return g.setup()
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.home, "home", "", "sa's home directory (default $SA_HOME, else ~/.sa)")
	f.StringArrayVar(&g.pluginDirs, "plugin-dir", nil, "extra plugin directory, searched after $SA_HOME/plugins (repeatable; also $SA_PLUGIN_PATH)")
	f.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	root.AddCommand(newVersionCmd(), newPluginCmd(g), newServeCmd(g), newInitCmd(g), newIngestCmd(g), newAlertsCmd(g), newClassifyCmd(g), newValidateSchemasCmd(g), newOutputCmd(g), newTestCmd(g), newRulesCmd(g), newAppCmd(g), newDeployCmd(g), newDestroyCmd(g))
	return root
}

func (g *globals) setup() error {
	if err := g.level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: g.level})))
	if g.home == "" {
		g.home = os.Getenv("SA_HOME")
	}
	if g.home == "" {
		dir, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("no --home, no $SA_HOME and no home directory: %w", err)
		}
		g.home = filepath.Join(dir, ".sa")
	}
	return nil
}

// dirs lists the plugin directories in search order.
func (g *globals) dirs() []string {
	dirs := []string{filepath.Join(g.home, "plugins")}
	dirs = append(dirs, g.pluginDirs...)
	if p := os.Getenv("SA_PLUGIN_PATH"); p != "" {
		dirs = append(dirs, filepath.SplitList(p)...)
	}
	return dirs
}
