package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// ErrNoTerraform is returned when no terraform binary is on the PATH.
var ErrNoTerraform = errors.New("terraform is not on the PATH")

// Runner runs terraform with args in dir.
type Runner interface {
	Run(ctx context.Context, dir string, args ...string) error
}

// Exec runs the terraform binary found on the PATH, connected to the
// given streams so that its plan and prompts reach the user.
type Exec struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run implements Runner.
func (e Exec) Run(ctx context.Context, dir string, args ...string) error {
	path, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("deploy: %w (install Terraform 1.5 or later, or run with --plan-only to build the artifacts only)", ErrNoTerraform)
	}
	cmd := exec.CommandContext(ctx, path, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("deploy: terraform %s: %w", args[0], err)
	}
	return nil
}

// planFile is the saved plan apply runs, so that what is applied is
// exactly what was shown.
const planFile = "sa.tfplan"

// deploySteps are the terraform commands of a deploy, apply last.
func deploySteps() [][]string {
	return [][]string{
		{"init", "-input=false"},
		{"plan", "-input=false", "-out=" + planFile},
		{"apply", "-input=false", planFile},
	}
}

// destroySteps are the terraform commands of a destroy.
func destroySteps(autoApprove bool) [][]string {
	d := []string{"destroy", "-input=false"}
	if autoApprove {
		d = append(d, "-auto-approve")
	}
	return [][]string{{"init", "-input=false"}, d}
}

// CommandLine renders one step as the shell command it runs.
func CommandLine(dir string, args []string) string {
	return "terraform -chdir=" + shellQuote(dir) + " " + strings.Join(args, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
