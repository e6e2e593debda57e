package pluginhost

import "syscall"

// killGroup kills the plugin's process group. Plugins start as group
// leaders (Setpgid), so this reaches anything they started too.
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
