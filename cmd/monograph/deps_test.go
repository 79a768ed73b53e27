package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLeavesOutWhatItDoesNotUse: the server's packages (as `go list -deps` names
// them) hold no FerretDB (a test-only stand-in for MongoDB), however it is built, nor
// goccy/go-json; and built as the Makefile builds it (-tags nomsgpack), no MessagePack
// codec either: the longest packages of a cold build to compile, for nothing the server does.
func TestBinaryLeavesOutWhatItDoesNotUse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	tests := []struct {
		name    string
		tags    string
		refused []string
	}{
		{"go build", "", []string{"github.com/FerretDB/", "github.com/goccy/go-json"}},
		{"make build", "webadmin nomsgpack", []string{"github.com/FerretDB/", "github.com/goccy/go-json", "github.com/ugorji/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-e", "-deps", "-tags", tt.tags, "-f", "{{.ImportPath}}", ".").Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 100 {
				t.Fatalf("go list named %d packages, expected the server's hundreds", len(deps))
			}
			for _, dep := range deps {
				for _, refused := range tt.refused {
					if strings.HasPrefix(dep, refused) {
						t.Errorf("the server, built by %s, depends on %s", tt.name, dep)
					}
				}
			}
		})
	}
}
