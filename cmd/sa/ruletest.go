package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/ruletest"
)

func newTestCmd(g *globals) *cobra.Command {
	var f classifyFlags
	var files, only, ruleDirs, matcherDirs []string
	var verbose, coverage bool
	cmd := &cobra.Command{
		Use:   "test --conf DIR [--files PATH]... [--rules NAME]...",
		Short: "Run StreamAlert-format rule test events: classify, evaluate, compare fired rules",
		Long: `test reads StreamAlert-format test events (data or override_record, log,
service, source, trigger_rules, classify_only) from each PATH, file or
directory, classifies each with the conf's schemas, evaluates the rules of
--rules-dir (default rules) with the matchers of --matchers-dir (default
matchers), and compares the rules that fired with those the event expects,
printing a diff per failing event and exiting 1 if any fails. With
--coverage, it also fails when an enabled rule has no event that fires it
or none that leaves it silent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, closer, err := f.classifier(g)
			if err != nil {
				return err
			}
			defer closer()
			ruleFiles, err := readRuleDirs(ruleDirs)
			if err != nil {
				return err
			}
			matcherFiles, err := readRuleDirs(matcherDirs)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				files = ruleDirs
			}
			sum, err := ruletest.Run(cmd.Context(), ruletest.Options{
				Config: cfg, Classifier: c, RuleFiles: ruleFiles, MatcherFiles: matcherFiles, Only: only,
			}, files)
			if err != nil {
				return err
			}
			sum.Report(cmd.OutOrStdout(), verbose)
			failed := sum.Failed() > 0 || len(sum.LoadErrors) > 0
			if coverage && (len(sum.Untested) > 0 || len(sum.NoNegative) > 0) {
				failed = true
			}
			if failed {
				return exitError{1}
			}
			return nil
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&files, "files", nil, "test event file or directory (repeatable; default the rule directories)")
	fl.StringArrayVar(&only, "rules", nil, "only events expecting these rules (repeatable)")
	fl.StringArrayVar(&ruleDirs, "rules-dir", []string{"rules"}, "directory of rule files (repeatable)")
	fl.StringArrayVar(&matcherDirs, "matchers-dir", []string{"matchers"}, "directory of matcher files (repeatable)")
	fl.BoolVarP(&verbose, "verbose", "v", false, "report every event, not only failures")
	fl.BoolVar(&coverage, "coverage", false, "fail when an enabled rule lacks an event that fires it or one that does not")
	return cmd
}

func readRuleDirs(dirs []string) ([]rules.File, error) {
	var out []rules.File
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("rules directory: %w", err)
		}
		files, err := rules.ReadDir(d)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}
