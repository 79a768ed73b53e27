// Command pocketbase is PocketBase v0.40.4, unmodified, built from its minimal Go main (the
// one in PocketBase's README, without the example route): the reference that
// scripts/bench-store measures in the same run as Monograph when STOREBENCH_POCKETBASE=1
// (see scripts/bench.d/storebench/pocketbase.go), so saves per second can be stated as a
// ratio on one machine on one day rather than against a figure taken elsewhere.
//
// It is never part of the product: this directory is its own Go module (its own go.mod and
// go.sum, pinned to github.com/pocketbase/pocketbase v0.40.4), so Monograph's go.mod never
// requires PocketBase and `go build ./...` at the repository root does not build it.
// PocketBase v0.40.4 needs Go 1.27: scripts/bench-store builds it with GOTOOLCHAIN=go1.27.3,
// which the go command fetches from the module proxy.
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	app := pocketbase.New()

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
