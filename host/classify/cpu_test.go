package classify_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/streamalert-go/sa/host/pluginhost"
)

// cpuTime is the user and system CPU time used so far by this process and
// by the running plugin processes of h (Linux; elsewhere this process
// only).
func cpuTime(h *pluginhost.Host) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	total := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	for _, st := range h.Statuses() {
		total += procCPU(st.PID)
	}
	return total
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ, 100 on
// Linux).
const clockTicks = 100

// procCPU reads utime and stime of a process from /proc.
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil || pid == 0 {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}
