package sqlitestore

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
)

// Revision contents are stored zstd-compressed: a page keeps every revision it ever had, so
// they are most of the database (a medication page's JSON shrinks to about a third), and
// every byte written is written twice, to the WAL and by the checkpoint. Compressing at the
// fastest level costs about as much as encoding the JSON; reading a revision back costs a
// few microseconds more.
var (
	zEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	zDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(64<<20))
)

// encodeContent returns the stored form of a revision's content.
func encodeContent(c content.Content) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return zEncoder.EncodeAll(b, make([]byte, 0, len(b)/2)), nil
}

// decodeContent reads a revision's content from its stored form.
func decodeContent(stored []byte, c *content.Content) error {
	b, err := zDecoder.DecodeAll(stored, nil)
	if err != nil {
		return &cms.Error{Code: cms.CodeInternal, Message: "store error", Err: fmt.Errorf("revision content: %w", err)}
	}
	return decode(b, c)
}
