package embedded

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule says when an app polls next.
type Schedule interface {
	Next(after time.Time) time.Time
}

// every is a fixed interval.
type every time.Duration

func (e every) Next(after time.Time) time.Time { return after.Add(time.Duration(e)) }

var rateRE = regexp.MustCompile(`^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$`)

// ParseSchedule reads the schedule expressions StreamAlert apps use, in
// EventBridge's syntax — rate(2 hours), cron(0 */6 * * ? *) — and, for
// development, a plain duration such as 30s.
func ParseSchedule(expr string) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	if m := rateRE.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		if n < 1 {
			return nil, fmt.Errorf("schedule %q: the rate must be at least 1", expr)
		}
		return every(time.Duration(n) * unit), nil
	}
	if body, ok := strings.CutPrefix(expr, "cron("); ok && strings.HasSuffix(body, ")") {
		return parseAWSCron(strings.TrimSuffix(body, ")"))
	}
	if d, err := time.ParseDuration(expr); err == nil && d > 0 {
		return every(d), nil
	}
	return nil, fmt.Errorf("schedule %q: want rate(N minutes|hours|days), cron(min hour day month weekday year) or a duration such as 30s", expr)
}

// parseAWSCron converts EventBridge's six-field cron (minutes, hours,
// day of month, month, day of week 1-7 from Sunday, year) to the standard
// five fields. The year must be * and '?' reads as *; L, W and # are not
// supported and say so.
func parseAWSCron(s string) (Schedule, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron(%s): want 6 fields (minutes hours day-of-month month day-of-week year)", s)
	}
	if f[5] != "*" && f[5] != "?" {
		return nil, fmt.Errorf("cron(%s): only * is supported for the year", s)
	}
	if strings.ContainsAny(s, "LW#") {
		return nil, fmt.Errorf("cron(%s): L, W and # are not supported", s)
	}
	for i := range f[:5] {
		if f[i] == "?" {
			f[i] = "*"
		}
	}
	dow, err := shiftWeekdays(f[4])
	if err != nil {
		return nil, fmt.Errorf("cron(%s): day of week: %w", s, err)
	}
	sched, err := cron.ParseStandard(strings.Join([]string{f[0], f[1], f[2], f[3], dow}, " "))
	if err != nil {
		return nil, fmt.Errorf("cron(%s): %w", s, err)
	}
	return sched, nil
}

var weekdayNum = regexp.MustCompile(`\d+`)

// shiftWeekdays maps EventBridge's day numbers (1 = Sunday) to cron's
// (0 = Sunday), leaving names and step values alone.
func shiftWeekdays(field string) (string, error) {
	var bad error
	out := strings.Split(field, "/")
	out[0] = weekdayNum.ReplaceAllStringFunc(out[0], func(n string) string {
		v, _ := strconv.Atoi(n)
		if v < 1 || v > 7 {
			bad = fmt.Errorf("%d is not 1-7", v)
		}
		return strconv.Itoa(v - 1)
	})
	return strings.Join(out, "/"), bad
}
