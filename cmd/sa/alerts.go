package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// alertFlags are the filters list, search and retry share.
type alertFlags struct {
	rule, status, since, until string
	limit                      int
	asJSON                     bool
}

func (f *alertFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.rule, "rule", "", "only alerts of this rule")
	fl.StringVar(&f.status, "status", "", "pending, delivered, failed, merged or staged")
	fl.StringVar(&f.since, "since", "", "created at or after: a duration back from now (24h) or an RFC 3339 time")
	fl.StringVar(&f.until, "until", "", "created before: a duration back from now or an RFC 3339 time")
	fl.IntVar(&f.limit, "limit", 50, "most alerts to show")
	fl.BoolVar(&f.asJSON, "json", false, "print alerts as JSON lines")
}

func (f *alertFlags) filter(text string) (store.Filter, error) {
	flt := store.Filter{Rule: f.rule, Text: text, Status: store.Status(f.status)}
	var err error
	if flt.Since, err = parseWhen(f.since); err != nil {
		return flt, fmt.Errorf("--since: %w", err)
	}
	if flt.Until, err = parseWhen(f.until); err != nil {
		return flt, fmt.Errorf("--until: %w", err)
	}
	switch flt.Status {
	case "", store.StatusPending, store.StatusDelivered, store.StatusFailed, store.StatusMerged, store.StatusStaged:
	default:
		return flt, fmt.Errorf("--status %q: want pending, delivered, failed, merged or staged", f.status)
	}
	return flt, nil
}

func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}

func newAlertsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "List, show, search and retry stored alerts"}
	open := func(cmd *cobra.Command) (*sqlite.Store, error) {
		cfg, err := embedded.LoadConfig(g.home)
		if err != nil {
			return nil, err
		}
		return sqlite.Open(cmd.Context(), cfg.Store, sqlite.Options{})
	}
	list := func(use, short string, withText bool) *cobra.Command {
		var f alertFlags
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				text := ""
				if withText {
					if len(args) != 1 {
						return fmt.Errorf("search takes the text to look for")
					}
					text = args[0]
				}
				flt, err := f.filter(text)
				if err != nil {
					return err
				}
				st, err := open(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				resp, err := st.List(cmd.Context(), store.ListRequest{Filter: flt, Limit: f.limit})
				if err != nil {
					return err
				}
				printAlerts(cmd.OutOrStdout(), resp.Alerts, f.asJSON)
				return nil
			},
		}
		f.add(c)
		return c
	}
	show := &cobra.Command{
		Use: "show ID", Short: "Show one alert with its deliveries, as JSON", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			a, err := st.Get(cmd.Context(), args[0])
			if err != nil {
				return fmt.Errorf("alert %s: %w", args[0], err)
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(a)
		},
	}
	var rf alertFlags
	var output string
	retry := &cobra.Command{
		Use:   "retry [ID...]",
		Short: "Make failed deliveries pending again, with a fresh attempt budget",
		RunE: func(cmd *cobra.Command, args []string) error {
			flt, err := rf.filter("")
			if err != nil {
				return err
			}
			flt.IDs = args
			if len(args) == 0 && flt.Rule == "" && flt.Since.IsZero() && !cmd.Flags().Changed("all") {
				return fmt.Errorf("name alert ids, or filter with --rule/--since, or say --all")
			}
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.Retry(cmd.Context(), store.RetryRequest{Filter: flt, Output: output, Now: time.Now()})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d failed deliveries queued again\n", n)
			return nil
		},
	}
	rf.add(retry)
	retry.Flags().StringVar(&output, "output", "", "only this output (service:descriptor)")
	retry.Flags().Bool("all", false, "retry every failed delivery")
	cmd.AddCommand(list("list", "List alerts, newest first", false), list("search TEXT", "Find alerts whose rule, record or context contain TEXT", true), show, retry)
	return cmd
}

func printAlerts(w io.Writer, alerts []*alert.Alert, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, a := range alerts {
			enc.Encode(a)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tRULE\tSTATE\tOUTPUTS")
	for _, a := range alerts {
		var outs []string
		for _, d := range a.Deliveries {
			outs = append(outs, fmt.Sprintf("%s=%s", d.Output, d.Status))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Created.Format(time.RFC3339), a.RuleName, a.State(), strings.Join(outs, " "))
	}
	tw.Flush()
}
