package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/outputcfg"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

func newOutputCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "output",
		Short: "Add, list, change, delete and test output instances (slack:soc)",
		Long: `An output instance is one destination of an output plugin, named
service:descriptor as rules name it (slack:soc, slack:ops). Its credentials
are kept encrypted in the secret store, its other properties in sa.yaml, and
its descriptor in conf/outputs.json, which stays StreamAlert-compatible.
Prompts and checks come from the schema the plugin declares.`,
	}
	cmd.AddCommand(newOutputNewCmd(g), newOutputListCmd(g), newOutputUpdateCmd(g), newOutputDeleteCmd(g), newOutputTestCmd(g))
	return cmd
}

// outputEnv is what the output commands work with.
type outputEnv struct {
	mgr     *outputcfg.Manager
	plugins *pluginhost.Host
	secrets string // the secret store's directory, for messages
	config  string
	outputs string
}

func (e *outputEnv) close() { e.plugins.Close() }

// outputEnv opens the home's config, secret store and plugins. Plugin
// directories are the command line's and sa.yaml's, as sa serve uses.
// outputInstance parses a SERVICE:DESCRIPTOR argument and opens the
// output environment; the caller closes env.
func (g *globals) outputInstance(cmd *cobra.Command, arg string) (outputcfg.ID, *outputEnv, error) {
	id, err := outputcfg.ParseID(arg)
	if err != nil {
		return outputcfg.ID{}, nil, err
	}
	env, err := g.outputEnv(cmd)
	return id, env, err
}

func (g *globals) outputEnv(cmd *cobra.Command) (*outputEnv, error) {
	h, err := g.openHome(cmd)
	if err != nil {
		return nil, err
	}
	env := &outputEnv{
		plugins: h.plugins, secrets: h.cfg.Secrets,
		config: filepath.Join(g.home, embedded.ConfigFile), outputs: filepath.Join(h.cfg.Conf, "outputs.json"),
	}
	env.mgr = outputcfg.New(outputcfg.Options{ConfigFile: env.config, OutputsFile: env.outputs, Secrets: h.store, Plugins: h.plugins})
	return env, nil
}

// home is what the commands that configure instances open: sa.yaml, the
// secret store, and the plugins.
type home struct {
	cfg     *embedded.Config
	store   secrets.Store
	plugins *pluginhost.Host
}

// openHome opens the home's config, secret store and plugins. Plugin
// directories are the command line's and sa.yaml's, as sa serve uses.
func (g *globals) openHome(cmd *cobra.Command) (*home, error) {
	cfg, err := embedded.LoadConfig(g.home)
	if err != nil {
		return nil, err
	}
	key, err := secrets.LoadKey(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	store, err := secrets.New(cfg.Secrets, key)
	if err != nil {
		return nil, err
	}
	opts := cfg.PluginOptions(append(g.dirs(), cfg.PluginDirs...), quietLogger(cmd))
	return &home{cfg: cfg, store: store, plugins: pluginhost.New(opts)}, nil
}

// quietLogger keeps the plugin host's routine lines ("plugin started") out
// of the prompts: warnings and errors only, unless --log-level was given.
func quietLogger(cmd *cobra.Command) *slog.Logger {
	if f := cmd.Flag("log-level"); f != nil && f.Changed {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// schemaFor returns the service's schema, or says which output plugins
// are installed.
func (e *outputEnv) schemaFor(service string) (schema.Schema, error) {
	sch, err := e.mgr.Schema(service)
	if errors.Is(err, outputcfg.ErrNoPlugin) {
		var names []string
		for _, p := range e.plugins.Plugins() {
			if p.Manifest.Kind == string(saplugin.KindOutput) {
				names = append(names, p.Manifest.Name)
			}
		}
		if len(names) == 0 {
			return sch, fmt.Errorf("%w; no output plugin is installed", err)
		}
		return sch, fmt.Errorf("%w; installed output plugins: %s", err, strings.Join(names, ", "))
	}
	return sch, err
}

func newOutputNewCmd(g *globals) *cobra.Command {
	var service, descriptor, fromFile string
	cmd := &cobra.Command{
		Use:   "new --service NAME [--descriptor D] [--from-file FILE|-]",
		Short: "Add an output instance, prompting for each property its plugin declares",
		Long: `new adds an instance of an output plugin. It asks for each property the
plugin's schema declares, checking every value as it is entered; secret values
are not shown as they are typed. With --from-file it reads the properties from
a JSON object instead ("-" reads standard input), for automation:

  {"descriptor": "soc", "url": "https://hooks.example.com/...", "timeout_seconds": 5}

The configuration is also checked by the plugin itself before anything is
written. An instance that exists is refused: change it with sa output update.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if service == "" {
				return errors.New("--service is required: the output plugin to add an instance of (see sa plugin list)")
			}
			env, err := g.outputEnv(cmd)
			if err != nil {
				return err
			}
			defer env.close()
			service = strings.TrimPrefix(service, string(saplugin.KindOutput)+".")
			sch, err := env.schemaFor(service)
			if err != nil {
				return err
			}
			o := &outputSession{env: env, cmd: cmd, sch: sch, id: outputcfg.ID{Service: service, Descriptor: descriptor}}
			if fromFile != "" {
				return o.saveFromFile(fromFile, false)
			}
			return o.interactiveNew()
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "the output plugin, as in slack or output.slack")
	cmd.Flags().StringVar(&descriptor, "descriptor", "", "the instance's name, as in soc for slack:soc (asked for when absent)")
	cmd.Flags().StringVar(&fromFile, "from-file", "", `read the properties from a JSON object in FILE ("-" for standard input) instead of prompting`)
	return cmd
}

func newOutputUpdateCmd(g *globals) *cobra.Command {
	var fromFile string
	cmd := &cobra.Command{
		Use:   "update SERVICE:DESCRIPTOR [--from-file FILE|-]",
		Short: "Change an output instance, prompting with its current values",
		Long: `update asks for each property again, showing the current value as the
default: press Enter to keep it, or type - to remove an optional one. Stored
secrets are never shown; Enter keeps them. With --from-file the JSON object is
a merge patch: properties it names are set, null removes one, and the others
keep their values.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, env, err := g.outputInstance(cmd, args[0])
			if err != nil {
				return err
			}
			defer env.close()
			sch, err := env.schemaFor(id.Service)
			if err != nil {
				return err
			}
			o := &outputSession{env: env, cmd: cmd, sch: sch, id: id}
			if fromFile != "" {
				return o.saveFromFile(fromFile, true)
			}
			return o.interactiveUpdate()
		},
	}
	cmd.Flags().StringVar(&fromFile, "from-file", "", `apply a JSON merge patch from FILE ("-" for standard input) instead of prompting`)
	return cmd
}

func newOutputDeleteCmd(g *globals) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete SERVICE:DESCRIPTOR",
		Short: "Delete an output instance: its credentials, sa.yaml entry and outputs.json entry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, env, err := g.outputInstance(cmd, args[0])
			if err != nil {
				return err
			}
			defer env.close()
			if !yes {
				pr := outputcfg.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
				ok, err := pr.Confirm(cmd.Context(), fmt.Sprintf("Delete %s, with its stored credentials? Rules that name it will no longer deliver to it.", id))
				if err != nil {
					return err
				}
				if !ok {
					fmt.Fprintln(cmd.OutOrStdout(), "Nothing deleted.")
					return exitError{1}
				}
			}
			if err := env.mgr.Delete(cmd.Context(), id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deleted %s. A running sa serve stops using it when restarted.\n", id)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

func newOutputListCmd(g *globals) *cobra.Command {
	var services []string
	cmd := &cobra.Command{
		Use:   "list [--service NAME]...",
		Short: "List output instances and whether each is ready (never their values)",
		Long: `list shows every output instance found in sa.yaml, conf/outputs.json or the
secret store, with what stops it from delivering: a plugin that is not
installed, required properties or credentials that are missing, an entry
sa serve does not configure. Values are never shown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := g.outputEnv(cmd)
			if err != nil {
				return err
			}
			defer env.close()
			list, err := env.mgr.List(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SERVICE\tDESCRIPTOR\tSTATUS")
			for i, s := range services {
				services[i] = strings.TrimPrefix(s, string(saplugin.KindOutput)+".")
			}
			n := 0
			for _, in := range list {
				if len(services) > 0 && !slices.Contains(services, in.ID.Service) {
					continue
				}
				n++
				fmt.Fprintf(w, "%s\t%s\t%s\n", in.ID.Service, in.ID.Descriptor, instanceStatus(in))
			}
			w.Flush()
			if n == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "No output instances; add one with sa output new --service NAME.")
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&services, "service", nil, "only this service (repeatable)")
	return cmd
}

// instanceStatus says what, if anything, stops an instance from delivering.
func instanceStatus(in outputcfg.Instance) string {
	if !in.InConfig && !in.InOutputs {
		return "credentials only, a leftover: sa output delete " + in.ID.String()
	}
	var notes []string
	if !in.Installed {
		notes = append(notes, "plugin "+in.ID.Plugin()+" not installed")
	}
	if !in.InConfig {
		notes = append(notes, "not in sa.yaml, so sa serve does not configure it: sa output update "+in.ID.String())
	}
	if !in.InOutputs {
		notes = append(notes, "not in outputs.json")
	}
	if in.SecretErr != nil {
		notes = append(notes, "credentials unreadable: "+in.SecretErr.Error())
	}
	if len(in.Missing) > 0 {
		notes = append(notes, "missing "+strings.Join(in.Missing, ", "))
	}
	if len(notes) == 0 {
		return "ready"
	}
	return strings.Join(notes, "; ")
}

func newOutputTestCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "test SERVICE:DESCRIPTOR",
		Short: "Send a sample alert through an output instance now and print the result",
		Long: `test sends a sample alert (rule sa_output_test, a CloudTrail console login
without MFA) through the instance as sa serve would, configured from sa.yaml
and the secret store, and prints the plugin's verdict: delivered, retryable or
permanent, with the destination's message. It exits 1 unless delivered.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, env, err := g.outputInstance(cmd, args[0])
			if err != nil {
				return err
			}
			defer env.close()
			return testOutput(cmd, env, id, timeout)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "give up after this long, plugin start included")
	return cmd
}

func testOutput(cmd *cobra.Command, env *outputEnv, id outputcfg.ID, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	if _, err := env.mgr.Config(ctx, id); err != nil {
		return err
	}
	if _, ok := env.plugins.Plugin(id.Plugin()); !ok {
		_, err := env.schemaFor(id.Service)
		return err
	}
	alertJSON, publication, err := outputcfg.Sample(id, time.Now())
	if err != nil {
		return err
	}
	env.plugins.Configure(id.Plugin(), id.Descriptor, func(ctx context.Context) (map[string]any, error) {
		return env.mgr.Config(ctx, id)
	})
	res, err := env.plugins.Send(ctx, id.Service, id.Descriptor, alertJSON, publication)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s: %s", id, res.Status)
	if res.Message != "" {
		fmt.Fprintf(out, ": %s", res.Message)
	}
	if res.RetryAfter > 0 {
		fmt.Fprintf(out, " (retry after %s)", res.RetryAfter)
	}
	fmt.Fprintln(out)
	if res.Status != saplugin.Delivered {
		return exitError{1}
	}
	return nil
}

// readValues reads a JSON object of property values from path, or from
// in for "-". Numbers stay json.Number, so an integer is not rounded
// through float64.
func readValues(in io.Reader, path string) (map[string]any, error) {
	name := path
	if path == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	var values map[string]any
	if err := dec.Decode(&values); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object of property names to values: %w", name, err)
	}
	if values == nil {
		return nil, fmt.Errorf("%s: want a JSON object of property names to values, got null", name)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: data after the JSON object", name)
	}
	return values, nil
}
