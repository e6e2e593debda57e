package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/deploy"
)

// deployFlags are the flags of sa deploy.
type deployFlags struct {
	planOnly, autoApprove bool
	out, source, arch     string
	bootstrap, secrets    string
	retention             int
}

func newDeployCmd(g *globals) *cobra.Command {
	f := &deployFlags{}
	cmd := &cobra.Command{
		Use:   "deploy [--plan-only] [--out DIR]",
		Short: "Build the AWS deployment package and apply the Terraform in infra/",
		Long: `deploy puts sa on AWS: it builds the bootstrap binary every function runs
(cmd/sa-lambda, cross-compiled for Lambda), packages it with the conf, rules,
matchers and the plugins sa.yaml uses, writes terraform.tfvars.json from
sa.yaml and the conf, and runs terraform init, plan and, once you confirm
the plan, apply. --plan-only stops before Terraform: it needs no AWS access
and no terraform binary, and prints what it would run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDeploy(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.planOnly, "plan-only", false, "build the artifacts and Terraform inputs, print the terraform commands, run nothing")
	fl.BoolVar(&f.autoApprove, "auto-approve", false, "apply the plan without asking")
	fl.StringVar(&f.out, "out", "", "output directory, also Terraform's working directory (default $SA_HOME/deploy)")
	fl.StringVar(&f.source, "source", "", "sa's source tree, with infra/ and cmd/sa-lambda (default: the one holding the current directory)")
	fl.StringVar(&f.arch, "arch", "arm64", "architecture of the functions: arm64 or x86_64")
	fl.StringVar(&f.bootstrap, "bootstrap", "", "package this prebuilt bootstrap binary instead of building cmd/sa-lambda")
	fl.StringVar(&f.secrets, "secrets-prefix", "", "SSM parameter path of the credentials (default /<prefix>/sa/secrets)")
	fl.IntVar(&f.retention, "log-retention-days", 30, "days the functions' logs are kept")
	return cmd
}

func runDeploy(cmd *cobra.Command, g *globals, f *deployFlags) error {
	arch, err := deploy.ParseArch(f.arch)
	if err != nil {
		return fmt.Errorf("--arch: %w", err)
	}
	src, err := sourceTree(f.source)
	if err != nil {
		return err
	}
	a, err := deploy.Build(cmd.Context(), deploy.Options{
		Home: g.home, Source: src, Out: outDir(g, f.out), Arch: arch, Bootstrap: f.bootstrap,
		PluginDirs: g.dirs(), SecretsPrefix: f.secrets, LogRetention: f.retention,
	})
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "package:   %s\ninputs:    %s\n", a.Package, a.VarsFile)
	if f.planOnly {
		fmt.Fprintln(w, "would run:")
		for _, s := range a.Steps() {
			fmt.Fprintln(w, "  "+deploy.CommandLine(a.Terraform, s))
		}
		return nil
	}
	confirm := func() (bool, error) {
		return f.autoApprove || ask(cmd.InOrStdin(), w, "Apply this plan? Only 'yes' applies it: "), nil
	}
	r := deploy.Exec{Stdin: cmd.InOrStdin(), Stdout: w, Stderr: cmd.ErrOrStderr()}
	return a.Apply(cmd.Context(), r, confirm)
}

func newDestroyCmd(g *globals) *cobra.Command {
	var out string
	var autoApprove bool
	cmd := &cobra.Command{
		Use:   "destroy [--out DIR]",
		Short: "Remove everything sa deploy created in AWS",
		Long: `destroy runs terraform destroy in the working directory sa deploy left in
--out. Terraform shows what it will delete and asks first unless
--auto-approve. The DynamoDB tables are protected from deletion by default:
set deletion_protection to false and deploy again to remove them too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := deploy.Exec{Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
			return deploy.Destroy(cmd.Context(), outDir(g, out), r, autoApprove)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the directory sa deploy wrote (default $SA_HOME/deploy)")
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "destroy without asking")
	return cmd
}

func outDir(g *globals, out string) string {
	if out == "" {
		return filepath.Join(g.home, "deploy")
	}
	return out
}

// ask prompts on w and reports whether the answer read from r is "yes".
func ask(r io.Reader, w io.Writer, prompt string) bool {
	fmt.Fprint(w, prompt)
	line, _ := bufio.NewReader(r).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// sourceTree returns dir, or else the sa source tree holding the current
// directory: the nearest go.mod of the sa module.
func sourceTree(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("module github.com/streamalert-go/sa\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("not inside sa's source tree: pass --source with the directory holding infra/ and cmd/sa-lambda")
		}
	}
}
