package main

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

func newRulesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List rules and manage rule staging",
		Long: `rules lists the rules sa serve loads and manages staging: a rule new to a
deployment is staged for a period (48h by default), its alerts stored and
counted but sent to no output, then promoted when it stayed within its alert
budget. The staging table is shared with a running sa serve, which adopts
changes within a minute.`,
	}
	cmd.AddCommand(newRulesListCmd(g), newRulesStageCmd(g, true), newRulesStageCmd(g, false), newRulesStatusCmd(g))
	return cmd
}

// rulesEnv is what the rules commands read: sa.yaml, the rules it names
// and the staging table.
type rulesEnv struct {
	cfg     *embedded.Config
	engine  *rules.Engine
	staging *staging.Manager
}

func loadRulesEnv(cmd *cobra.Command, g *globals) (*rulesEnv, error) {
	cfg, err := embedded.LoadConfig(g.home)
	if err != nil {
		return nil, err
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		return nil, err
	}
	engine, err := embedded.LoadRules(cfg, conf, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	m, err := staging.New(cmd.Context(), &staging.File{Path: cfg.Detection.Staging.State}, staging.Options{
		Period: cfg.Detection.Staging.Period, Budget: cfg.Detection.Staging.Budget, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, err
	}
	return &rulesEnv{cfg: cfg, engine: engine, staging: m}, nil
}

func newRulesListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the rules sa serve loads, with their logs, outputs and staging",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := loadRulesEnv(cmd, g)
			if err != nil {
				return err
			}
			printRules(cmd.OutOrStdout(), env)
			return nil
		},
	}
}

func printRules(w io.Writer, env *rulesEnv) {
	states := map[string]staging.State{}
	for _, s := range env.staging.States() {
		states[s.Rule] = s
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tLOGS\tOUTPUTS\tSTATE\tFILE")
	for _, r := range env.engine.Rules() {
		state := "active"
		switch {
		case r.Disabled:
			state = "disabled"
		case r.Staged:
			state = "staged (in its file)"
		case states[r.Name].Staged:
			state = "staged until " + states[r.Name].StagedUntil.UTC().Format("2006-01-02 15:04") + " UTC"
		}
		logs := strings.Join(r.Logs, ",")
		if logs == "" && len(r.Datatypes) > 0 {
			logs = "datatypes:" + strings.Join(r.Datatypes, ",")
		}
		if logs == "" {
			logs = "(all)"
		}
		outputs := strings.Join(r.Outputs, ",")
		if len(r.DynamicOutputs) > 0 {
			outputs = strings.TrimPrefix(outputs+",(dynamic)", ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\n", r.Name, logs, outputs, state, r.File, r.Line)
	}
	tw.Flush()
}

func newRulesStageCmd(g *globals, stage bool) *cobra.Command {
	use, short := "stage RULE...", "Stage rules for a new period: alerts are kept and counted, sent nowhere"
	if !stage {
		use, short = "unstage RULE...", "Promote staged rules now: their alerts go to their outputs"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := loadRulesEnv(cmd, g)
			if err != nil {
				return err
			}
			var unknown []string
			for _, name := range args {
				if _, ok := env.engine.Rule(name); !ok {
					unknown = append(unknown, name)
				}
			}
			if len(unknown) > 0 {
				return fmt.Errorf("no rule named %s in %s (see sa rules list)", strings.Join(unknown, ", "), strings.Join(env.cfg.Rules, ", "))
			}
			ctx := cmd.Context()
			if err := env.staging.Ensure(ctx, args...); err != nil {
				return err
			}
			for _, name := range args {
				if stage {
					err = env.staging.Stage(ctx, name)
				} else {
					err = env.staging.Unstage(ctx, name)
				}
				if err != nil {
					return err
				}
			}
			for _, s := range env.staging.States() {
				if !slices.Contains(args, s.Rule) {
					continue
				}
				if s.Staged {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: staged until %s UTC\n", s.Rule, s.StagedUntil.UTC().Format("2006-01-02 15:04"))
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: active, alerts go to its outputs\n", s.Rule)
				}
			}
			return nil
		},
	}
}

func newRulesStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show staged rules: period, alerts so far, and whether they will be promoted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := loadRulesEnv(cmd, g)
			if err != nil {
				return err
			}
			printStatus(cmd.OutOrStdout(), env.staging, time.Now())
			return nil
		},
	}
}

func printStatus(w io.Writer, m *staging.Manager, now time.Time) {
	var staged []staging.State
	for _, s := range m.States() {
		if s.Staged {
			staged = append(staged, s)
		}
	}
	if len(staged) == 0 {
		fmt.Fprintln(w, "No rule is staged.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSTAGED AT (UTC)\tUNTIL (UTC)\tALERTS\tOUTLOOK")
	for _, s := range staged {
		outlook := ""
		switch left := s.StagedUntil.Sub(now); {
		case s.Alerts > m.Budget():
			outlook = fmt.Sprintf("over its budget of %d: stays staged until unstaged", m.Budget())
		case left > 0:
			outlook = "promoted in " + left.Round(time.Minute).String()
		default:
			outlook = "promoted at sa serve's next check"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Rule, s.StagedAt.UTC().Format("2006-01-02 15:04"),
			s.StagedUntil.UTC().Format("2006-01-02 15:04"), s.Alerts, outlook)
	}
	tw.Flush()
}
