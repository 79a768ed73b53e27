package app

import (
	"slices"
	"testing"
)

func TestCutCheckpointFlag(t *testing.T) {
	tests := []struct {
		args     []string
		file     string
		rest     []string
		wantFail bool
	}{
		{args: []string{"--data", "d"}, rest: []string{"--data", "d"}},
		{args: []string{"--checkpoint", "cp.txt", "--data", "d"}, file: "cp.txt", rest: []string{"--data", "d"}},
		{args: []string{"--data", "d", "-checkpoint=cp.txt"}, file: "cp.txt", rest: []string{"--data", "d"}},
		{args: []string{"--data=d", "--checkpoint=a=b"}, file: "a=b", rest: []string{"--data=d"}},
		{args: []string{"--data", "d", "--checkpoint"}, wantFail: true},
		{args: []string{"checkpoint", "--checkpointx", "y"}, rest: []string{"checkpoint", "--checkpointx", "y"}},
	}
	for _, tc := range tests {
		file, rest, err := cutCheckpointFlag(tc.args)
		if (err != nil) != tc.wantFail || file != tc.file || !slices.Equal(rest, tc.rest) {
			t.Errorf("cutCheckpointFlag(%q) = %q, %q, %v; want %q, %q, fail=%v", tc.args, file, rest, err, tc.file, tc.rest, tc.wantFail)
		}
	}
}
