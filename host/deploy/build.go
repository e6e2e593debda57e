package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoLambdaSource is returned when the source tree has no
// cmd/sa-lambda to build the bootstrap binary from.
var ErrNoLambdaSource = errors.New("the AWS runtime's function (cmd/sa-lambda) is not in the source tree")

// lambdaPkg is the main package of the bootstrap binary.
const lambdaPkg = "cmd/sa-lambda"

// hasGoFiles reports whether dir holds a Go package.
func hasGoFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}

// goBuild cross-compiles the main package pkg of the module at src for
// linux/arch into out: static (no cgo), trimmed, without symbol tables.
func goBuild(ctx context.Context, src, pkg string, arch Arch, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./"+pkg)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+string(arch), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./%s for linux/%s: %w\n%s", pkg, arch, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// buildBootstrap builds cmd/sa-lambda as out.
func buildBootstrap(ctx context.Context, src string, arch Arch, out string) error {
	if !hasGoFiles(filepath.Join(src, lambdaPkg)) {
		return fmt.Errorf("deploy: %w: no Go files in %s (pass --bootstrap with a prebuilt binary, or --source with a tree that has it)",
			ErrNoLambdaSource, filepath.Join(src, lambdaPkg))
	}
	if err := goBuild(ctx, src, lambdaPkg, arch, out); err != nil {
		return fmt.Errorf("deploy: bootstrap: %w", err)
	}
	return nil
}
