package editorial

import (
	"bytes"
	"encoding/json"
	"time"
)

// cmsTime is a time written with exactly millisecond precision, so an export's bytes do
// not depend on how many trailing zeros a time happens to have.
type cmsTime time.Time

const millisLayout = "2006-01-02T15:04:05.000Z"

// Time returns the time.
func (t cmsTime) Time() time.Time { return time.Time(t).UTC() }

// MarshalJSON writes the time in UTC with milliseconds.
func (t cmsTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(millisLayout) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *cmsTime) UnmarshalJSON(b []byte) error {
	var v time.Time
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = cmsTime(v.UTC())
	return nil
}

func compactJSON(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := json.Compact(&buf, b)
	return buf.Bytes(), err
}
