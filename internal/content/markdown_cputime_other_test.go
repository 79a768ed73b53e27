//go:build !linux

package content

import "time"

// threadCPU is unavailable here: the linearity checks then compare allocations only.
func threadCPU() (time.Duration, bool) { return 0, false }
