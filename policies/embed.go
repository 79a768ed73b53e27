// Package policies embeds the casbin model and policy that decide who may do what, so the
// binary carries them; a deployment may override both with files named in config.
package policies

import _ "embed"

// Model is the casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the casbin policy (policy.csv).
//
//go:embed policy.csv
var Policy string
