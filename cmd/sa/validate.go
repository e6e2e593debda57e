package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/classify/testevent"
)

func newValidateSchemasCmd(g *globals) *cobra.Command {
	var f classifyFlags
	var paths []string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "validate-schemas --conf DIR --test-files PATH...",
		Short: "Check that StreamAlert test events classify as the log types they expect",
		Long: `Run StreamAlert-format test events through delivery decoding and classification
and report, per event, the log type found against the one expected (the event's
"log"). PATH is a test file (a JSON list of events) or a directory searched for
*.json test files at any depth; give --test-files once per path, or list more
paths as arguments. Events use "data" (an object, or a string for csv, kv and
syslog logs) or "override_record" (completed from the schema's defaults), and
"service", "source", "compress" as in StreamAlert. The exit status is 1 if any
event is not classified as expected or any file cannot be read.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			paths = append(paths, args...)
			if len(paths) == 0 {
				return fmt.Errorf("no test files: give --test-files PATH")
			}
			cfg, c, closer, err := f.classifier(g)
			if err != nil {
				return err
			}
			defer closer()
			events, errs := testevent.Load(paths)
			for _, err := range errs {
				fmt.Fprintf(cmd.ErrOrStderr(), "ERROR %v\n", err)
			}
			runner := &testevent.Runner{Config: cfg, Classifier: c}
			failed := 0
			for _, e := range events {
				o := runner.Run(cmd.Context(), e)
				if err := cmd.Context().Err(); err != nil {
					return err
				}
				if !o.Passed() {
					failed++
				}
				report(cmd.OutOrStdout(), &o, verbose)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\n%d events: %d passed, %d failed", len(events), len(events)-failed, failed)
			if len(errs) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), ", %d files unreadable", len(errs))
			}
			fmt.Fprintln(cmd.OutOrStdout())
			if failed > 0 || len(errs) > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVar(&paths, "test-files", nil, "test file or directory of test files (repeatable)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print the classified records and warnings of each event")
	return cmd
}

// report prints one event's outcome: PASS or FAIL, the log types found
// and expected, and for a failure why.
func report(w io.Writer, o *testevent.Outcome, verbose bool) {
	e := o.Event
	status := "PASS"
	if !o.Passed() {
		status = "FAIL"
	}
	found := string(o.Found)
	if found == "" {
		found = "(none)"
	}
	fmt.Fprintf(w, "%s %s: found %s, expected %s (%s %s) %s\n", status, e.Name(), found, e.Log, e.Service, e.Source, e.Description)
	if verbose {
		for _, warn := range e.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
		for _, rec := range o.Records {
			fmt.Fprintf(w, "    %s\n", recordLine(rec))
		}
	}
	if o.Passed() && !verbose {
		return
	}
	if o.Err != nil {
		fmt.Fprintf(w, "    error: %v\n", o.Err)
	}
	for _, u := range o.Undecoded {
		fmt.Fprintf(w, "    not decoded: %s\n", u.Reason)
	}
	for _, f := range o.Failures {
		if f.LogType != "" {
			fmt.Fprintf(w, "    %s rejected %d extracted records; first: %s\n", f.LogType, len(f.Rejected), f.Rejected[0].Reason)
			continue
		}
		for _, a := range f.Attempts {
			fmt.Fprintf(w, "    %s: %s\n", a.LogType, a.Reason)
		}
	}
}
