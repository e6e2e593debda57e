//go:build !linux

package plugin

import "os/exec"

// prepareCmd does nothing where there is no parent-death signal; the SDK's
// parent watch ends orphaned plugins there.
func prepareCmd(cmd *exec.Cmd) {}
