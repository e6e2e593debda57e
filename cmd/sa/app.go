package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/outputcfg"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/internal/atomicfile"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// appTypeProperty is the property of an app plugin's schema that names the
// StreamAlert app type an instance serves ("duo_auth").
const appTypeProperty = "type"

func newAppCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Add, list, run and remove app instances that pull logs from SaaS APIs",
		Long: `app manages app instances: each polls one SaaS API (Duo, OneLogin, G Suite,
Box, Slack, ...) through its app plugin on a schedule. An instance's auth is
asked for from the plugin's schema and kept encrypted in the secret store; the
rest goes to sa.yaml, and the cluster's data_sources get the app so its logs
classify.`,
	}
	cmd.AddCommand(newAppNewCmd(g), newAppListCmd(g), newAppUpdateAuthCmd(g), newAppRunCmd(g), newAppDeleteCmd(g))
	return cmd
}

// appEnv is what the app commands work with.
type appEnv struct {
	cfg     *embedded.Config
	path    string // sa.yaml
	secrets secrets.Store
	plugins *pluginhost.Host
}

func (g *globals) appEnv(cmd *cobra.Command) (*appEnv, error) {
	h, err := g.openHome(cmd)
	if err != nil {
		return nil, err
	}
	return &appEnv{cfg: h.cfg, path: filepath.Join(g.home, embedded.ConfigFile), secrets: h.store, plugins: h.plugins}, nil
}

// pluginFor finds the app plugin serving appType: the one whose type
// property accepts it.
func (e *appEnv) pluginFor(appType string) (*pluginhost.Installed, schema.Schema, error) {
	var names []string
	for _, p := range e.plugins.Plugins() {
		if p.Manifest.Kind != string(saplugin.KindApp) {
			continue
		}
		names = append(names, p.Manifest.Name)
		sch := schema.Schema{Properties: p.Manifest.Schema}
		prop, ok := sch.Property(appTypeProperty)
		if ok && servesType(prop, p.Manifest.Name, appType) || !ok && appType == p.Manifest.Name {
			return p, sch, nil
		}
	}
	if len(names) == 0 {
		return nil, schema.Schema{}, fmt.Errorf("no app plugin serves type %q: no app plugin is installed (see sa plugin list)", appType)
	}
	return nil, schema.Schema{}, fmt.Errorf("no app plugin serves type %q; installed app plugins: %s", appType, strings.Join(names, ", "))
}

func servesType(p schema.Property, plugin, appType string) bool {
	if p.Pattern != "" {
		re, err := regexp.Compile(p.Pattern)
		return err == nil && re.MatchString(appType)
	}
	return p.Default == appType || strings.HasPrefix(appType, plugin+"_")
}

// isAuth reports whether a property is kept in the secret store.
func isAuth(p schema.Property) bool { return p.Secret || p.Credential }

func (e *appEnv) app(name string) (embedded.App, bool) {
	i := slices.IndexFunc(e.cfg.Apps, func(a embedded.App) bool { return a.Name == name })
	if i < 0 {
		return embedded.App{}, false
	}
	return e.cfg.Apps[i], true
}

// appInCluster opens the app environment and finds the app named name,
// which must belong to cluster, as the commands that change an app
// require. The caller closes env.plugins.
func (g *globals) appInCluster(cmd *cobra.Command, cluster, name string) (*appEnv, embedded.App, error) {
	env, err := g.appEnv(cmd)
	if err != nil {
		return nil, embedded.App{}, err
	}
	a, ok := env.app(name)
	if !ok || a.Cluster != cluster {
		env.plugins.Close()
		return nil, embedded.App{}, fmt.Errorf("no app %q in cluster %q (see sa app list)", name, cluster)
	}
	return env, a, nil
}

func secretName(a embedded.App) string { return "app/" + a.Plugin + "/" + a.Name }

func newAppNewCmd(g *globals) *cobra.Command {
	var a embedded.App
	var interval, fromFile string
	var timeout int
	cmd := &cobra.Command{
		Use:   "new --type TYPE --cluster CLUSTER --name NAME --interval 'rate(2 hours)'",
		Short: "Add an app instance, asking for its auth from the plugin's schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := g.appEnv(cmd)
			if err != nil {
				return err
			}
			defer env.plugins.Close()
			if _, ok := env.app(a.Name); ok {
				return fmt.Errorf("an app named %q exists already (sa app update-auth changes its auth)", a.Name)
			}
			if _, err := embedded.ParseSchedule(interval); err != nil {
				return fmt.Errorf("--interval: %w", err)
			}
			if a.Sink != "" && a.Sink != embedded.SinkThreatIntel {
				return fmt.Errorf("--sink %q: want %q or nothing", a.Sink, embedded.SinkThreatIntel)
			}
			p, sch, err := env.pluginFor(a.Type)
			if err != nil {
				return err
			}
			conf, err := config.Load(env.cfg.Conf)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(conf.Clusters, func(c *config.Cluster) bool { return c.Name == a.Cluster }) {
				return fmt.Errorf("--cluster %q: no such cluster in %s", a.Cluster, filepath.Join(env.cfg.Conf, "clusters"))
			}
			a.Plugin, a.Schedule, a.Budget = p.Manifest.Name, interval, time.Duration(timeout)*time.Second
			values, err := collect(cmd, sch, fromFile, nil, func(pr schema.Property) bool { return pr.Name != appTypeProperty })
			if err != nil {
				return err
			}
			if _, ok := sch.Property(appTypeProperty); ok {
				values[appTypeProperty] = a.Type
			}
			return env.save(cmd, a, sch, values, conf, true)
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.Type, "type", "", "StreamAlert app type: duo_auth, duo_admin, onelogin_events, gsuite_admin, box_admin_events, slack_access, ...")
	f.StringVar(&a.Cluster, "cluster", "", "the conf cluster whose data_sources list the app")
	f.StringVar(&a.Name, "name", "", "instance name: letters, digits, '_', '.' or '-'")
	f.StringVar(&interval, "interval", "rate(1 hour)", "schedule: rate(N minutes|hours|days), cron(...) or a duration")
	f.IntVar(&timeout, "timeout", 300, "longest a poll runs, in seconds; a poll with more to gather continues at once")
	f.IntVar(&a.Memory, "memory", 128, "function memory in MB (AWS runtime)")
	f.StringVar(&fromFile, "from-file", "", "read the auth values from this JSON file ('-': standard input) instead of asking")
	f.StringVar(&a.Sink, "sink", "", "where the logs go: empty to classification; threat_intel for a threat intel feed app (its IOCs go to the IOC store)")
	for _, n := range []string{"type", "cluster", "name"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func newAppUpdateAuthCmd(g *globals) *cobra.Command {
	var cluster, name, fromFile string
	cmd := &cobra.Command{
		Use:   "update-auth --cluster CLUSTER --name NAME",
		Short: "Change an app instance's auth; Enter keeps a stored value",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, a, err := g.appInCluster(cmd, cluster, name)
			if err != nil {
				return err
			}
			defer env.plugins.Close()
			p, ok := env.plugins.Plugin("app." + a.Plugin)
			if !ok {
				return fmt.Errorf("app %s: plugin %s is not installed", name, a.Plugin)
			}
			sch := schema.Schema{Properties: p.Manifest.Schema}
			stored, err := env.secrets.Get(cmd.Context(), secretName(a))
			if err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return err
			}
			values, err := collect(cmd, sch, fromFile, stored, isAuth)
			if err != nil {
				return err
			}
			for k, v := range a.Config {
				if _, set := values[k]; !set {
					values[k] = v
				}
			}
			return env.save(cmd, a, sch, values, nil, false)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cluster, "cluster", "", "the instance's cluster")
	f.StringVar(&name, "name", "", "the instance's name")
	f.StringVar(&fromFile, "from-file", "", "read the auth values from this JSON file ('-': standard input) instead of asking")
	cmd.MarkFlagRequired("cluster")
	cmd.MarkFlagRequired("name")
	return cmd
}

// collect gets values for the properties ask selects: from a JSON file,
// or by asking. Stored secrets are kept when the answer is empty.
func collect(cmd *cobra.Command, sch schema.Schema, fromFile string, stored secrets.Value, ask func(schema.Property) bool) (map[string]any, error) {
	values := map[string]any{}
	if fromFile != "" {
		got, err := readValues(cmd.InOrStdin(), fromFile)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			pr, ok := sch.Property(k)
			if !ok || !ask(pr) {
				return nil, fmt.Errorf("%s: %q is not a property this command sets", fromFile, k)
			}
			values[k] = fmt.Sprint(v)
		}
	} else {
		pr := outputcfg.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
		pr.Printf("Press Enter to take the [default] or to leave an optional value empty.\n")
		for _, p := range sch.Properties {
			if !ask(p) {
				continue
			}
			_, has := stored[p.Name]
			a, err := pr.Ask(cmd.Context(), outputcfg.Question{Prop: p, Stored: has})
			if err != nil {
				return nil, err
			}
			if a.Set {
				values[p.Name] = a.Value
			}
		}
	}
	for k, v := range stored {
		if _, set := values[k]; !set {
			values[k] = v.Reveal()
		}
	}
	return values, nil
}

// save checks values against the schema, then keeps the auth in the
// secret store, the instance in sa.yaml and, for a new instance, the
// app in the cluster's data_sources.
func (e *appEnv) save(cmd *cobra.Command, a embedded.App, sch schema.Schema, values map[string]any, conf *config.Config, isNew bool) error {
	if _, problems := sch.Apply(values); len(problems) > 0 {
		return fmt.Errorf("app %s: %w", a.Name, schema.ProblemsError(problems))
	}
	auth := secrets.Value{}
	a.Config = map[string]any{}
	for _, p := range sch.Properties {
		v, ok := values[p.Name]
		if !ok {
			continue
		}
		if isAuth(p) {
			auth[p.Name] = schema.Secret(fmt.Sprint(v))
		} else {
			a.Config[p.Name] = v
		}
	}
	if err := e.secrets.Put(cmd.Context(), secretName(a), auth); err != nil {
		return err
	}
	if err := editApps(e.path, func(apps []embedded.App) []embedded.App {
		if i := slices.IndexFunc(apps, func(x embedded.App) bool { return x.Name == a.Name }); i >= 0 {
			apps[i] = a
			return apps
		}
		return append(apps, a)
	}); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if !isNew {
		fmt.Fprintf(out, "Updated the auth of app %s.\n", a.Name)
		return nil
	}
	fmt.Fprintf(out, "Added app %s (%s, plugin %s) to %s; its auth is in the secret store as %s.\n", a.Name, a.Type, a.Plugin, embedded.ConfigFile, secretName(a))
	if a.Sink != "" {
		return nil
	}
	family, _, _ := strings.Cut(a.Type, "_")
	if !slices.ContainsFunc(conf.Schemas, func(sc *config.Schema) bool { return sc.Name.Family() == family }) {
		fmt.Fprintf(out, "warning: the conf has no schema of log family %q: add one so the app's logs classify.\n", family)
		return nil
	}
	if err := addDataSource(filepath.Join(e.cfg.Conf, "clusters"), a.Cluster, a.Name, family); err != nil {
		return err
	}
	fmt.Fprintf(out, "Cluster %s lists it under data_sources.streamalert_app with log family %s.\n", a.Cluster, family)
	return nil
}

// addDataSource lists an app in its cluster's data_sources, rewriting the
// cluster file as StreamAlert writes its conf (sorted keys, two spaces).
func addDataSource(dir string, cluster, app, family string) error {
	return editJSON(filepath.Join(dir, cluster+".json"), func(doc map[string]any) {
		ds, _ := doc["data_sources"].(map[string]any)
		if ds == nil {
			ds = map[string]any{}
			doc["data_sources"] = ds
		}
		apps, _ := ds["streamalert_app"].(map[string]any)
		if apps == nil {
			apps = map[string]any{}
			ds["streamalert_app"] = apps
		}
		apps[app] = []any{family}
	})
}

func removeDataSource(dir string, conf *config.Config, cluster, app string) error {
	if !slices.ContainsFunc(conf.Clusters, func(c *config.Cluster) bool { return c.Name == cluster }) {
		return nil
	}
	return editJSON(filepath.Join(dir, cluster+".json"), func(doc map[string]any) {
		ds, _ := doc["data_sources"].(map[string]any)
		apps, _ := ds["streamalert_app"].(map[string]any)
		delete(apps, app)
		if apps != nil && len(apps) == 0 {
			delete(ds, "streamalert_app")
		}
	})
}

func editJSON(path string, edit func(map[string]any)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(out, '\n'))
}

// editApps rewrites sa.yaml's apps list, keeping the rest of the file and
// its comments.
func editApps(path string, edit func([]embedded.App) []embedded.App) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a mapping", path)
	}
	root := doc.Content[0]
	var seq *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "apps" {
			seq = root.Content[i+1]
		}
	}
	var apps []embedded.App
	if seq != nil {
		if err := seq.Decode(&apps); err != nil {
			return fmt.Errorf("%s: apps: %w", path, err)
		}
	}
	apps = edit(apps)
	nodes := make([]*yaml.Node, 0, len(apps))
	for _, a := range apps {
		n, err := appNode(a)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
	}
	if seq == nil {
		seq = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "apps", HeadComment: "App instances: sa app new|list|update-auth|run|delete."}, seq)
	}
	seq.Kind, seq.Style, seq.Content = yaml.SequenceNode, 0, nodes
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return writeFileAtomic(path, b.Bytes())
}

// appNode renders an app as sa.yaml holds it, durations as text.
func appNode(a embedded.App) (*yaml.Node, error) {
	m := yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v any) error {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return err
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &n)
		return nil
	}
	fields := []struct {
		k    string
		v    any
		keep bool
	}{
		{"name", a.Name, true}, {"cluster", a.Cluster, a.Cluster != ""}, {"type", a.Type, a.Type != ""},
		{"plugin", a.Plugin, true}, {"schedule", a.Schedule, true}, {"budget", a.Budget.String(), a.Budget > 0},
		{"memory", a.Memory, a.Memory > 0}, {"sink", a.Sink, a.Sink != ""}, {"config", a.Config, len(a.Config) > 0},
	}
	for _, f := range fields {
		if !f.keep {
			continue
		}
		if err := add(f.k, f.v); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// writeFileAtomic replaces a config file, keeping its permissions.
func writeFileAtomic(path string, data []byte) error {
	perm := fs.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	return atomicfile.Write(path, data, perm)
}

func newAppListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List app instances by cluster, never their auth values",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := embedded.LoadConfig(g.home)
			if err != nil {
				return err
			}
			printApps(cmd.OutOrStdout(), cfg.Apps)
			return nil
		},
	}
}

func printApps(w io.Writer, apps []embedded.App) {
	if len(apps) == 0 {
		fmt.Fprintln(w, "No apps are configured (sa app new adds one).")
		return
	}
	byCluster := map[string][]embedded.App{}
	for _, a := range apps {
		byCluster[a.Cluster] = append(byCluster[a.Cluster], a)
	}
	clusters := make([]string, 0, len(byCluster))
	for c := range byCluster {
		clusters = append(clusters, c)
	}
	sort.Strings(clusters)
	for _, c := range clusters {
		name := c
		if name == "" {
			name = "(no cluster)"
		}
		fmt.Fprintf(w, "Cluster: %s\n", name)
		for _, a := range byCluster[c] {
			fmt.Fprintf(w, "  Name: %s\n", a.Name)
			tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
			for _, kv := range [][2]string{
				{"type", a.Type}, {"plugin", a.Plugin}, {"schedule_expression", a.Schedule},
				{"timeout", strconv.Itoa(int(a.Budget.Seconds()))}, {"memory", strconv.Itoa(a.Memory)}, {"sink", a.Sink},
			} {
				if kv[1] != "" && kv[1] != "0" {
					fmt.Fprintf(tw, "    %s:\t%s\n", kv[0], kv[1])
				}
			}
			tw.Flush()
		}
		fmt.Fprintln(w)
	}
}

func newAppRunCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "run NAME",
		Short: "Poll an app instance now, then classify and deliver what it gathered",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := embedded.Open(cmd.Context(), g.home, embedded.Options{PluginDirs: g.dirs()[1:], Log: quietLogger(cmd)})
			if err != nil {
				return err
			}
			run, err := s.RunApp(cmd.Context(), args[0])
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s: %d poll(s), %d log(s) gathered\n", args[0], run.Polls, run.Gathered)
			types := make([]string, 0, len(run.Classified))
			for t := range run.Classified {
				types = append(types, t)
			}
			sort.Strings(types)
			for _, t := range types {
				fmt.Fprintf(out, "  classified as %s: %d\n", t, run.Classified[t])
			}
			if run.Failed > 0 {
				fmt.Fprintf(out, "  not classified (kept in the dead letter store): %d\n", run.Failed)
			}
			fmt.Fprintf(out, "  alerts: %d\n", run.Alerts)
			if run.More {
				fmt.Fprintln(out, "  more remains: the next run or sa serve continues from here")
			}
			return err
		},
	}
}

func newAppDeleteCmd(g *globals) *cobra.Command {
	var cluster, name string
	cmd := &cobra.Command{
		Use:   "delete --cluster CLUSTER --name NAME",
		Short: "Remove an app instance: its auth, state, sa.yaml entry and data source",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, a, err := g.appInCluster(cmd, cluster, name)
			if err != nil {
				return err
			}
			defer env.plugins.Close()
			if err := editApps(env.path, func(apps []embedded.App) []embedded.App {
				return slices.DeleteFunc(apps, func(x embedded.App) bool { return x.Name == name })
			}); err != nil {
				return err
			}
			if err := env.secrets.Delete(cmd.Context(), secretName(a)); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return err
			}
			if conf, err := config.Load(env.cfg.Conf); err == nil {
				if err := removeDataSource(filepath.Join(env.cfg.Conf, "clusters"), conf, cluster, name); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deleted app %s. Its saved poll state stays in the store until another app of that name replaces it.\n", name)
			return nil
		},
	}
	cmd.Flags().StringVar(&cluster, "cluster", "", "the instance's cluster")
	cmd.Flags().StringVar(&name, "name", "", "the instance's name")
	cmd.MarkFlagRequired("cluster")
	cmd.MarkFlagRequired("name")
	return cmd
}
