package testevent

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads the test events of each path: a file, or a directory whose
// *.json files at any depth are test files, read in sorted order as
// StreamAlert does. A file that cannot be read or is not a list of events
// is an error and the other files are still read.
func Load(paths []string) ([]*Event, []error) {
	var events []*Event
	var errs []error
	for _, p := range paths {
		files, err := testFiles(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			evs, err := LoadFile(f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			events = append(events, evs...)
		}
	}
	return events, errs
}

// testFiles lists path itself when it is a file, else the *.json files
// under it, sorted.
func testFiles(path string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == path && !d.IsDir() {
			files = append(files, p)
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New(path + ": no *.json test files")
	}
	sort.Strings(files)
	return files, nil
}
