package sqlite

import (
	"database/sql"
	"net/url"
)

// openDB opens a raw writer on path with extra SQLite URI parameters.
func openDB(path, extra string) (*sql.DB, error) {
	u := url.URL{Path: path}
	db, err := sql.Open("sqlite", "file:"+u.EscapedPath()+"?"+extra+"&_busy_timeout=1000")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
