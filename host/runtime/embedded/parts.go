package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/merge"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/rules"
)

// DefaultParts builds the stages sa ships: the rules engine over the rule
// and matcher directories with lookup tables, threat intel and staging,
// the dead letter store, and the dispatcher and merger loops.
func DefaultParts(ctx context.Context, env Env) (Parts, error) {
	composer := env.Config.Composer(env.Log)
	det, err := newDetection(ctx, env)
	if err != nil {
		return Parts{}, err
	}
	engine, err := loadRules(env, composer, det.options)
	if err != nil {
		return Parts{}, err
	}
	if err := det.start(ctx, engine); err != nil {
		return Parts{}, err
	}
	dead, err := deadletter.Open(env.Config.DeadLetter, deadletter.Options{})
	if err != nil {
		return Parts{}, err
	}
	instances := dispatch.NewInstances(dispatch.InstancesOptions{
		Host: env.Plugins, Secrets: env.Secrets,
		Settings: func(output string) (map[string]any, bool) {
			v, ok := env.Config.Outputs[output]
			return v, ok
		},
	})
	d, err := dispatch.New(dispatch.Deps{
		Queue: env.Store, Sender: env.Plugins, Instances: instances, Composer: composer, Observer: env.Observer,
	}, dispatch.Options{Logger: env.Log})
	if err != nil {
		return Parts{}, err
	}
	m := merge.New(env.Store, merge.Options{Tick: env.Config.MergeTick, Merged: d.Wake, Logger: env.Log})
	return Parts{
		Rules:       ruleEngine{engine},
		DeadLetter:  dead,
		AlertsAdded: d.Wake,
		Committed:   det.committed,
		AppSinks: map[string]func(string, [][]byte) error{
			SinkThreatIntel: func(app string, logs [][]byte) error {
				_, err := det.appendIOCs(app, logs, env.Log)
				return err
			},
		},
		Close: func() { dead.Close() },
		Loops: append([]func(context.Context){
			func(ctx context.Context) { logLoop(env, "dispatcher", d.Run(ctx)) },
			func(ctx context.Context) { logLoop(env, "merger", m.Run(ctx)) },
		}, det.loops(d.Wake)...),
	}, nil
}

func logLoop(env Env, name string, err error) {
	if err != nil && err != context.Canceled {
		env.Log.Error(name+" stopped", "error", err.Error())
	}
}

// LoadRules compiles the rules and matchers sa.yaml names against conf's
// schemas, as sa serve does, for commands that inspect them and for the
// AWS runtime's rules function, whose more options supply its lookup
// tables, IOC store, staging and error sink.
func LoadRules(cfg *Config, conf *config.Config, log *slog.Logger, more ...func(*rules.Options)) (*rules.Engine, error) {
	return loadRules(Env{Config: cfg, Conf: conf, Log: log}, publish.New(publish.Options{Logger: log}), more...)
}

// loadRules reads every rule and matcher file and compiles them against
// the conf's schemas. A directory that does not exist holds no rules.
func loadRules(env Env, composer *publish.Composer, more ...func(*rules.Options)) (*rules.Engine, error) {
	read := func(dirs []string) ([]rules.File, error) {
		var out []rules.File
		for _, d := range dirs {
			if _, err := os.Stat(d); os.IsNotExist(err) {
				continue
			}
			files, err := rules.ReadDir(d)
			if err != nil {
				return nil, err
			}
			out = append(out, files...)
		}
		return out, nil
	}
	ruleFiles, err := read(env.Config.Rules)
	if err != nil {
		return nil, err
	}
	matcherFiles, err := read(env.Config.Matchers)
	if err != nil {
		return nil, err
	}
	opts := rules.Options{
		Rules: ruleFiles, Matchers: matcherFiles, Schemas: rules.ConfSchemas(env.Conf),
		KnownOutput: func(o string) bool {
			_, ok := env.Config.Outputs[o]
			return ok
		},
		KnownPublisher: func(name string) bool { return composer.Check([]string{name}) == nil },
		Logger:         env.Log,
	}
	for _, f := range more {
		f(&opts)
	}
	engine, err := rules.New(opts)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return engine, nil
}

// ruleEngine adapts the rules engine to the pipeline.
type ruleEngine struct{ e *rules.Engine }

func (r ruleEngine) Evaluate(ctx context.Context, rec *classify.Record) ([]Match, error) {
	matches, err := r.e.Evaluate(ctx, rules.Record{
		LogType: string(rec.LogType), Parser: rec.Parser, Service: rec.Source.Service,
		Source: rec.Source.Resource, Cluster: rec.Cluster, Raw: rec.Data,
	})
	if err != nil {
		return nil, err
	}
	out := make([]Match, len(matches))
	for i, m := range matches {
		out[i] = Match{
			Rule: m.Rule.Name, Description: m.Rule.Description, Severity: m.Rule.Severity, Tags: m.Rule.Tags,
			Record: m.Record, Outputs: m.Outputs, Publishers: m.Publishers, Context: m.Context,
			MergeByKeys: m.MergeByKeys, MergeWindow: m.MergeWindow, Staged: m.Staged,
		}
	}
	return out, nil
}
