package sqlitestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// TestDecodeSnapshotReadsWhatEncodingJSONWrote: a stored snapshot (written by encoding/json)
// is read by decodeSnapshot into exactly what encoding/json reads, so encoding it again
// gives the stored bytes and its seal holds; text JSON escapes in several ways, a name given
// twice (which json/v2 refuses, so encoding/json reads it) and a field of an unknown name
// are read alike, and what is not a snapshot is an error, never a half-read value.
func TestDecodeSnapshotReadsWhatEncodingJSONWrote(t *testing.T) {
	sample, err := os.ReadFile("../app/samples/ketamine.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Content content.Content `json:"content"`
	}
	if err := json.Unmarshal(sample, &doc); err != nil {
		t.Fatal(err)
	}
	escapes := doc.Content
	escapes.Title = "Ketamine <b>&</b> \"quotes\" \u2028 \u2029 \x7f naïve β \U0001F48A"
	escapes.Summary = "tab\tnewline\ncontrol\x01 backslash\\ slash/"
	snapshot := func(c content.Content) []byte {
		s := editorial.LiveSnapshot{
			Revision: 7, ContentHash: strings.Repeat("ab", 32), Rendered: content.Render(c),
			Approval:    workflow.Approval{Revision: 7, Reviewer: workflow.Signer{ID: "u-1", Name: "Dr. Ng", Credentials: "MD"}, SignedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), NextReviewDue: time.Date(2027, 11, 30, 0, 0, 0, 0, time.UTC)},
			PublishedAt: time.Date(2026, 12, 1, 10, 30, 0, 123456789, time.FixedZone("", 3600)),
			Seq:         42, Seal: "seal",
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	written := snapshot(doc.Content)
	tests := []struct {
		name    string
		stored  []byte
		byV2    bool // read by json/v2 itself, not by the fallback
		wantErr bool
	}{
		{"the ketamine sample", written, true, false},
		{"text JSON escapes", snapshot(escapes), true, false},
		{"a name given twice", bytes.Replace(written, []byte(`{"revision":7,`), []byte(`{"revision":6,"revision":7,`), 1), false, false},
		{"a field of an unknown name", bytes.Replace(written, []byte(`{"revision":7,`), []byte(`{"later":[1,{"a":null}],"revision":7,`), 1), true, false},
		{"cut short", written[:len(written)/2], false, true},
		{"not JSON", []byte("<html>"), false, true},
		{"a wrong type", bytes.Replace(written, []byte(`{"revision":7,`), []byte(`{"revision":"7",`), 1), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := jsonv2.Unmarshal(tt.stored, new(editorial.LiveSnapshot)); (err == nil) != tt.byV2 {
				t.Fatalf("json/v2 reads it: %v, want %v (%v)", err == nil, tt.byV2, err)
			}
			var got editorial.LiveSnapshot
			err := decodeSnapshot(tt.stored, &got)
			if tt.wantErr {
				var ce *cms.Error
				if !errors.As(err, &ce) || ce.Code != cms.CodeInternal {
					t.Fatalf("decodeSnapshot = %v, want a store error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want editorial.LiveSnapshot
			if err := json.Unmarshal(tt.stored, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeSnapshot read\n%+v\nencoding/json reads\n%+v", got, want)
			}
			again, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			wantAgain, _ := json.Marshal(want)
			if !bytes.Equal(again, wantAgain) {
				t.Fatal("encoded again, the snapshot differs from encoding/json's reading")
			}
		})
	}
}
