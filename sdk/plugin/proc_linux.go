package plugin

import (
	"os/exec"
	"syscall"
)

// prepareCmd puts the plugin in its own process group, so a terminal's
// Ctrl-C reaches the host only and the host can kill the group, and asks the
// kernel to kill the plugin if the host dies, even by SIGKILL.
func prepareCmd(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
