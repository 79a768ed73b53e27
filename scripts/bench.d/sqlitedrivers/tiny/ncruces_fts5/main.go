// Command ncruces_fts5 is tiny/ncruces with the FTS5 extension registered (it is
// linked separately in v0.37.0).
package main

import (
	"fmt"
	"log"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

func main() {
	db, err := driver.Open("file:tiny.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)", fts5.Register)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT sqlite_version()`).Scan(&v); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
}
