package sqlitestore

import (
	"encoding/json"

	// go-json-experiment/json is the standard library's encoding/json/v2, published as a
	// module: an experiment in Go 1.26 (GOEXPERIMENT=jsonv2), on by default from Go 1.27;
	// where the experiment is on, this import is an alias of the standard library's.
	// It decodes the stored live snapshots (rendered HTML, ~8-15 KB of JSON each) more
	// than twice as fast as encoding/json: a start reads every live page, and with 10,000
	// of them encoding/json's decoding was a third of the time to ready. It replaced
	// goccy/go-json, used before for the same reason: as fast here, with less heap, and a
	// smaller package to compile. Only this read path uses it; everything is written by
	// encoding/json.
	jsonv2 "github.com/go-json-experiment/json"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// decodeSnapshot reads a stored live snapshot. What it yields is trusted only under its
// seal, which is checked over encoding/json's encoding of the decoded value
// (editorial.Service.DeriveLive): a decoding that differed in any byte would fail the seal
// and the page would be derived anew from its signed revision, never served as decoded.
//
// json/v2 is stricter than the encoding/json that wrote the snapshot (it refuses, for
// instance, a name given twice), so a snapshot it refuses is read again by encoding/json
// before it counts as unreadable.
func decodeSnapshot(b []byte, snap *editorial.LiveSnapshot) error {
	if err := jsonv2.Unmarshal(b, snap); err == nil {
		return nil
	}
	*snap = editorial.LiveSnapshot{}
	if err := json.Unmarshal(b, snap); err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: err}
	}
	return nil
}
