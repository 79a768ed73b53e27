// Command baseline is the size/build-time reference: database/sql with no driver.
package main

import (
	"database/sql"
	"fmt"
	"os"
)

func main() {
	_, err := sql.Open("none", os.Args[0])
	fmt.Println(err)
}
