package streamquery

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Query is one query of a pack, from its own YAML file:
//
//	name: failed_console_logins
//	description: Console logins that failed in the last hour
//	query: |
//	  SELECT useridentity.arn, count(*) AS failures
//	  FROM cloudtrail
//	  WHERE dt >= '{utcdatehour_minus1hour}' AND errormessage IS NOT NULL
//	  GROUP BY useridentity.arn
//	params: [utcdatehour_minus1hour]
//	tags: [hourly]
//
// The query is Athena SQL in which {param} is replaced by the value of a
// built-in parameter the query lists (see ParamNames) and {{ and }} are
// literal braces, as Python's str.format read StreamAlert's packs. A run
// of a pack with tags T runs the queries that carry every tag of T.
type Query struct {
	Name        string
	Description string
	Query       string
	Params      []string
	Tags        []string
	// File and Line say where the query was defined.
	File string
	Line int
}

// Problem is one thing wrong with a query file.
type Problem struct {
	File    string
	Line    int // 0 for the whole file
	Message string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Problems is every problem of a load, in file and line order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

var queryNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// maxQueryBytes is Athena's limit on a query string.
const maxQueryBytes = 262144

// ParseQuery decodes one query file. file names it in problems.
func ParseQuery(file string, data []byte) (*Query, error) {
	p := &packFile{name: file}
	q := p.parse(data)
	if len(p.probs) > 0 {
		return nil, p.probs
	}
	return q, nil
}

// DefaultLocation is where query files are when global.json names no
// scheduled_query_locations.
const DefaultLocation = "scheduled_queries"

// LoadQueries reads every *.yaml file below the locations (relative to
// home, the conf directory's parent), in name order, and checks that
// query names are unique. A location that does not exist is an error
// unless it is the default one.
func LoadQueries(home string, locations []string) ([]*Query, error) {
	explicit := len(locations) > 0
	if !explicit {
		locations = []string{DefaultLocation}
	}
	var probs Problems
	var out []*Query
	byName := map[string]*Query{}
	for _, loc := range locations {
		files, err := queryFiles(filepath.Join(home, loc))
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			continue
		}
		if err != nil {
			probs = append(probs, Problem{File: loc, Message: "scheduled_query_locations: " + errText(err)})
			continue
		}
		for _, path := range files {
			rel, _ := filepath.Rel(home, path)
			data, err := os.ReadFile(path)
			if err != nil {
				probs = append(probs, Problem{File: rel, Message: "cannot read: " + errText(err)})
				continue
			}
			pf := &packFile{name: rel}
			q := pf.parse(data)
			probs = append(probs, pf.probs...)
			if q == nil {
				continue
			}
			if prev, dup := byName[q.Name]; dup {
				probs = append(probs, Problem{File: q.File, Line: q.Line,
					Message: fmt.Sprintf("query name %q is also used at %s:%d", q.Name, prev.File, prev.Line)})
				continue
			}
			byName[q.Name] = q
			out = append(out, q)
		}
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool {
			return probs[i].File < probs[j].File || probs[i].File == probs[j].File && probs[i].Line < probs[j].Line
		})
		return nil, probs
	}
	return out, nil
}

// queryFiles lists the *.yaml files below dir, sorted, skipping hidden
// entries.
func queryFiles(dir string) ([]string, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".yaml") {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Select returns the queries carrying every one of tags, in load order.
func Select(queries []*Query, tags []string) []*Query {
	var out []*Query
	for _, q := range queries {
		all := true
		for _, t := range tags {
			all = all && slices.Contains(q.Tags, t)
		}
		if all {
			out = append(out, q)
		}
	}
	return out
}
