// Package xliff reads and writes XLIFF 2.1 documents (OASIS XML Localisation Interchange
// File Format), the exchange format of translation agencies and CAT tools, for Monograph's
// translations (docs/translations.md): one <unit> per translatable field of a page, its id
// the field's path ("content.sections[2].body"), the Markdown kept verbatim as the unit's
// text. It is pure: encoding/xml, no HTTP, no storage.
package xliff

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Namespace is the XLIFF 2.x core namespace (2.1 keeps 2.0's).
const Namespace = "urn:oasis:names:tc:xliff:document:2.0"

// Version is the XLIFF version written.
const Version = "2.1"

// Document is one exported page revision: source and target languages, what it was made
// from (Original: "monograph:page/<id>/revision/<n>"), and its units in order.
type Document struct {
	SrcLang  string
	TrgLang  string
	Original string
	Units    []Unit
}

// Unit is one translatable field: its path, the source text and the translation ("" when
// not translated yet; HasTarget tells an empty translation from a missing one).
type Unit struct {
	ID        string
	Source    string
	Target    string
	HasTarget bool
}

type xDoc struct {
	XMLName xml.Name `xml:"urn:oasis:names:tc:xliff:document:2.0 xliff"`
	Version string   `xml:"version,attr"`
	SrcLang string   `xml:"srcLang,attr"`
	TrgLang string   `xml:"trgLang,attr,omitempty"`
	Files   []xFile  `xml:"urn:oasis:names:tc:xliff:document:2.0 file"`
}

type xFile struct {
	ID       string  `xml:"id,attr"`
	Original string  `xml:"original,attr,omitempty"`
	Units    []xUnit `xml:"urn:oasis:names:tc:xliff:document:2.0 unit"`
}

type xUnit struct {
	ID       string     `xml:"id,attr"`
	Segments []xSegment `xml:"urn:oasis:names:tc:xliff:document:2.0 segment"`
}

// xSegment reads every <source> and <target> of a segment, so that a second one is refused
// rather than silently replacing the first.
type xSegment struct {
	Sources []xText `xml:"urn:oasis:names:tc:xliff:document:2.0 source"`
	Targets []xText `xml:"urn:oasis:names:tc:xliff:document:2.0 target"`
}

// xText is a source or target: plain text (Markdown), whitespace kept. Inline markup
// elements (XLIFF's <ph>, <pc>, …) are not used by this format: a document holding them
// is refused rather than losing text.
type xText struct {
	Space string `xml:"http://www.w3.org/XML/1998/namespace space,attr,omitempty"`
	Text  string `xml:",chardata"`
	Inner []struct {
		XMLName xml.Name
	} `xml:",any"`
}

// The encoding shapes: the same elements without a namespace in every tag, the default
// namespace declared once on the root (encoding/xml repeats it on every element otherwise).
type eDoc struct {
	XMLName xml.Name `xml:"xliff"`
	Xmlns   string   `xml:"xmlns,attr"`
	Version string   `xml:"version,attr"`
	SrcLang string   `xml:"srcLang,attr"`
	TrgLang string   `xml:"trgLang,attr,omitempty"`
	File    eFile    `xml:"file"`
}

type eFile struct {
	ID       string  `xml:"id,attr"`
	Original string  `xml:"original,attr,omitempty"`
	Units    []eUnit `xml:"unit"`
}

type eUnit struct {
	ID      string   `xml:"id,attr"`
	Segment eSegment `xml:"segment"`
}

type eSegment struct {
	Source eText  `xml:"source"`
	Target *eText `xml:"target"`
}

type eText struct {
	Space string `xml:"http://www.w3.org/XML/1998/namespace space,attr"`
	Text  string `xml:",chardata"`
}

// Encode writes d as an XLIFF 2.1 document.
func Encode(d Document) ([]byte, error) {
	x := eDoc{Xmlns: Namespace, Version: Version, SrcLang: d.SrcLang, TrgLang: d.TrgLang,
		File: eFile{ID: "f1", Original: d.Original}}
	for _, u := range d.Units {
		if err := checkText(u.ID, u.Source); err != nil {
			return nil, err
		}
		seg := eSegment{Source: eText{Space: "preserve", Text: u.Source}}
		if u.HasTarget {
			if err := checkText(u.ID, u.Target); err != nil {
				return nil, err
			}
			seg.Target = &eText{Space: "preserve", Text: u.Target}
		}
		x.File.Units = append(x.File.Units, eUnit{ID: u.ID, Segment: seg})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// checkText refuses text XML 1.0 cannot carry (control characters other than tab and
// line breaks), which would otherwise be written as an unreadable file.
func checkText(id, s string) error {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("unit %s: character U+%04X cannot be written in XML", id, r)
		}
	}
	return nil
}

// Error is a document that cannot be read, with the reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "xliff: " + e.Reason }

func bad(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

// Decode reads an XLIFF 2.x document. It refuses, with *Error: malformed XML, another root
// or version, more than one <file>, a unit without exactly one segment, a segment with more
// than one source or target, duplicate unit ids, and inline markup inside a source or target.
func Decode(data []byte) (Document, error) {
	if !utf8.Valid(data) {
		return Document{}, bad("the document is not UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var x xDoc
	if err := dec.Decode(&x); err != nil {
		return Document{}, bad("not an XLIFF 2 document: %v", err)
	}
	// Nothing but whitespace, comments and processing instructions may follow the root.
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Document{}, bad("after the document: %v", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Document{}, bad("text after the document")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return Document{}, bad("content after the document")
		}
	}
	if !strings.HasPrefix(x.Version, "2.") {
		return Document{}, bad("version %q: XLIFF 2.0 or 2.1 is expected", x.Version)
	}
	if len(x.Files) != 1 {
		return Document{}, bad("%d <file> elements: one is expected", len(x.Files))
	}
	d := Document{SrcLang: x.SrcLang, TrgLang: x.TrgLang, Original: x.Files[0].Original}
	seen := map[string]bool{}
	for _, u := range x.Files[0].Units {
		if u.ID == "" {
			return Document{}, bad("a unit without an id")
		}
		if seen[u.ID] {
			return Document{}, bad("unit %s appears twice", u.ID)
		}
		seen[u.ID] = true
		if len(u.Segments) != 1 {
			return Document{}, bad("unit %s has %d segments: one is expected", u.ID, len(u.Segments))
		}
		s := u.Segments[0]
		if len(s.Sources) > 1 || len(s.Targets) > 1 {
			return Document{}, bad("unit %s has %d sources and %d targets: one of each is expected", u.ID, len(s.Sources), len(s.Targets))
		}
		var source xText
		if len(s.Sources) == 1 {
			source = s.Sources[0]
		}
		if len(source.Inner) > 0 || (len(s.Targets) == 1 && len(s.Targets[0].Inner) > 0) {
			return Document{}, bad("unit %s holds inline markup: plain text (Markdown) is expected", u.ID)
		}
		unit := Unit{ID: u.ID, Source: source.Text}
		if len(s.Targets) == 1 {
			unit.Target, unit.HasTarget = s.Targets[0].Text, true
		}
		d.Units = append(d.Units, unit)
	}
	return d, nil
}
