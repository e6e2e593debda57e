package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// Options configure Build.
type Options struct {
	// Home is sa's home, holding sa.yaml.
	Home string
	// Source is sa's source tree: infra/ and, unless Bootstrap is set,
	// cmd/sa-lambda, built for the functions.
	Source string
	// Out is the output directory (see the package doc).
	Out string
	// Arch is the functions' architecture; default ARM64.
	Arch Arch
	// Bootstrap is a prebuilt bootstrap binary to package instead of
	// building one.
	Bootstrap string
	// PluginDirs are searched in order for the plugins to package.
	PluginDirs []string
	// SecretsPrefix and LogRetention are passed to VarsOptions.
	SecretsPrefix string
	LogRetention  int
	Log           *slog.Logger
}

// Artifacts are what Build wrote.
type Artifacts struct {
	Package    string // the zip
	PackageDir string // its unzipped contents
	Terraform  string // Terraform's working directory
	VarsFile   string // terraform.tfvars.json in it
	Vars       *Vars
}

// Build checks the config, builds the deployment package and prepares
// Terraform's working directory, touching nothing in AWS.
func Build(ctx context.Context, opts Options) (*Artifacts, error) {
	if opts.Arch == "" {
		opts.Arch = ARM64
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, err
	}
	cfg, err := embedded.LoadConfig(opts.Home)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		return nil, fmt.Errorf("deploy: conf %s: %w", cfg.Conf, err)
	}
	a := &Artifacts{
		Package:    filepath.Join(out, "build", "sa-lambda.zip"),
		PackageDir: filepath.Join(out, "build", "package"),
		Terraform:  filepath.Join(out, "terraform"),
	}
	a.VarsFile = filepath.Join(a.Terraform, "terraform.tfvars.json")
	a.Vars, err = NewVars(cfg, conf, VarsOptions{PackagePath: a.Package, Arch: opts.Arch, LogRetention: opts.LogRetention, SecretsPrefix: opts.SecretsPrefix})
	if err != nil {
		return nil, err
	}
	infra := filepath.Join(opts.Source, "infra")
	if _, err := os.Stat(filepath.Join(infra, "main.tf")); err != nil {
		return nil, fmt.Errorf("deploy: no Terraform in %s (pass --source, sa's source tree): %w", infra, err)
	}
	if err := os.RemoveAll(a.PackageDir); err != nil {
		return nil, err
	}
	if err := a.pack(ctx, opts, cfg, conf); err != nil {
		return nil, fmt.Errorf("deploy: package: %w", err)
	}
	if err := a.writeTerraform(infra); err != nil {
		return nil, fmt.Errorf("deploy: terraform directory: %w", err)
	}
	return a, nil
}

func (a *Artifacts) pack(ctx context.Context, opts Options, cfg *embedded.Config, conf *config.Config) error {
	pkg := a.PackageDir
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return err
	}
	boot := filepath.Join(pkg, "bootstrap")
	if opts.Bootstrap != "" {
		if err := copyFile(opts.Bootstrap, boot, true); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	} else if err := buildBootstrap(ctx, opts.Source, opts.Arch, boot); err != nil {
		return err
	}
	if err := opts.Arch.checkBinary(boot); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if err := copyTree(cfg.Conf, filepath.Join(pkg, "conf")); err != nil {
		return fmt.Errorf("conf: %w", err)
	}
	if err := packScheduledQueries(conf, pkg); err != nil {
		return fmt.Errorf("scheduled queries: %w", err)
	}
	rules, err := packDirs(cfg.Rules, pkg, "rules", opts.Log)
	if err != nil {
		return err
	}
	matchers, err := packDirs(cfg.Matchers, pkg, "matchers", opts.Log)
	if err != nil {
		return err
	}
	dirs := append(append([]string{}, opts.PluginDirs...), cfg.PluginDirs...)
	if err := packPlugins(ctx, cfg, conf, dirs, opts.Source, opts.Arch, filepath.Join(pkg, "plugins"), opts.Log); err != nil {
		return err
	}
	if err := writePackageConfig(opts.Home, pkg, rules, matchers); err != nil {
		return err
	}
	// The functions load the package as a home: prove here that they can.
	if _, err := embedded.LoadConfig(pkg); err != nil {
		return fmt.Errorf("the package's sa.yaml does not load: %w", err)
	}
	tmp := a.Package + ".tmp"
	if err := zipDir(pkg, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, a.Package)
}

// writeTerraform refreshes the Terraform files of the working directory
// from infra/ and writes the inputs, keeping Terraform's own state there.
func (a *Artifacts) writeTerraform(infra string) error {
	old, _ := filepath.Glob(filepath.Join(a.Terraform, "*.tf"))
	for _, f := range append(old, filepath.Join(a.Terraform, "modules"), filepath.Join(a.Terraform, planFile)) {
		if err := os.RemoveAll(f); err != nil {
			return err
		}
	}
	if err := copyTree(infra, a.Terraform); err != nil {
		return err
	}
	data, err := json.MarshalIndent(a.Vars, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(a.VarsFile, append(data, '\n'), 0o644)
}

// Steps are the terraform commands Apply runs, for printing.
func (a *Artifacts) Steps() [][]string { return deploySteps() }

// Apply runs terraform init and plan and, when confirm agrees to the
// plan shown, applies that saved plan.
func (a *Artifacts) Apply(ctx context.Context, r Runner, confirm func() (bool, error)) error {
	steps := deploySteps()
	for _, s := range steps[:len(steps)-1] {
		if err := r.Run(ctx, a.Terraform, s...); err != nil {
			return err
		}
	}
	ok, err := confirm()
	if err != nil {
		return err
	}
	if !ok {
		return ErrDeclined
	}
	return r.Run(ctx, a.Terraform, steps[len(steps)-1]...)
}

// ErrDeclined is returned when the user does not confirm a plan.
var ErrDeclined = errors.New("deploy: plan not applied")

// Destroy removes every resource of the deployment whose Terraform
// working directory is out/terraform. It needs what the last deploy left
// there: the state (unless a remote backend keeps it), the inputs and the
// package they name.
func Destroy(ctx context.Context, out string, r Runner, autoApprove bool) error {
	dir, err := filepath.Abs(filepath.Join(out, "terraform"))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfvars.json"))
	if err != nil {
		return fmt.Errorf("deploy: destroy: no deployment in %s (run sa deploy with the same --out first): %w", out, err)
	}
	var v Vars
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("deploy: destroy: %s: %w", filepath.Join(dir, "terraform.tfvars.json"), err)
	}
	if _, err := os.Stat(v.PackagePath); err != nil {
		return fmt.Errorf("deploy: destroy: the package the deployment names is gone (run sa deploy --plan-only with the same --out to rebuild it): %w", err)
	}
	for _, s := range destroySteps(autoApprove) {
		if err := r.Run(ctx, dir, s...); err != nil {
			return err
		}
	}
	return nil
}

// DestroySteps are the terraform commands Destroy runs, for printing.
func DestroySteps(autoApprove bool) [][]string { return destroySteps(autoApprove) }
