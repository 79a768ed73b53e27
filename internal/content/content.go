// Package content holds what writers edit on a medication page: the types, their
// normalisation and validation, the canonical JSON and hash that an approval signs, the
// Markdown → safe HTML rendering that delivery serves, the diff reviewers read and the
// pre-review checks. It is pure: no HTTP, no storage.
package content

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Content is the body of one page revision, exactly as in docs/api.md "Page content". Every
// field is always present in its JSON (no omitempty) so that the canonical form, and hence
// the approved hash, does not depend on how a client spelt an empty value.
type Content struct {
	Title           string        `json:"title"`
	Summary         string        `json:"summary"`
	Drug            Drug          `json:"drug"`
	Sections        []Section     `json:"sections"`
	ClinicalUses    []ClinicalUse `json:"clinicalUses"`
	Routes          []string      `json:"routes"`
	SideEffects     SideEffects   `json:"sideEffects"`
	PatientGuidance []string      `json:"patientGuidance"`
	References      []Reference   `json:"references"`
	Disclaimer      string        `json:"disclaimer"`
	Tags            []string      `json:"tags"`

	// Images and Assets are omitted when empty, so a page without images has the
	// canonical form (and hash) it had before images existed (images.go).
	Images []Image `json:"images,omitempty"`
	// Assets is set by the server at every save: what each used asset id stood for.
	Assets []AssetRef `json:"assets,omitempty"`
	// TranslationOf is set on a translation only, by the server from the page's link (no
	// client sets it): the source text it renders. It is part of the canonical content, so
	// the hash a reviewer signs names the source revision and hash (docs/translations.md);
	// omitted when empty, so pages that are no translation hash exactly as before.
	TranslationOf *TranslationOf `json:"translationOf,omitempty"`
}

// TranslationOf names the exact source text a translation renders.
type TranslationOf struct {
	Page        string `json:"page"`
	Locale      string `json:"locale"`
	Revision    int    `json:"revision"`
	ContentHash string `json:"contentHash"`
}

func copyTranslationOf(t *TranslationOf) *TranslationOf {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// Drug identifies the medication a page is about.
type Drug struct {
	Name             string             `json:"name"`
	GenericName      string             `json:"genericName"`
	BrandNames       []string           `json:"brandNames"`
	DrugClasses      []string           `json:"drugClasses"`
	ControlledStatus []ControlledStatus `json:"controlledStatus"`
}

// ControlledStatus is the drug's schedule in one jurisdiction, e.g. {"US", "CIII"}.
type ControlledStatus struct {
	Jurisdiction string `json:"jurisdiction"`
	Schedule     string `json:"schedule"`
}

// Section is one titled block of Markdown, identified by its key.
type Section struct {
	Key   SectionKey `json:"key"`
	Title string     `json:"title"`
	Body  string     `json:"body"`
}

// SectionKey says what a section is about; see SectionKeys.
type SectionKey string

// Section keys. Every key except SectionOther appears at most once on a page.
const (
	SectionOverview          SectionKey = "overview"
	SectionMechanism         SectionKey = "mechanism"
	SectionClinicalUses      SectionKey = "clinical_uses"
	SectionAdministration    SectionKey = "administration"
	SectionBenefits          SectionKey = "benefits"
	SectionSideEffects       SectionKey = "side_effects"
	SectionRisks             SectionKey = "risks"
	SectionContraindications SectionKey = "contraindications"
	SectionInteractions      SectionKey = "interactions"
	SectionLegal             SectionKey = "legal"
	SectionPatientGuidance   SectionKey = "patient_guidance"
	SectionOther             SectionKey = "other"
)

// SectionKeys lists every valid section key in display order, for the UI and OpenAPI.
var SectionKeys = []SectionKey{
	SectionOverview, SectionMechanism, SectionClinicalUses, SectionAdministration,
	SectionBenefits, SectionSideEffects, SectionRisks, SectionContraindications,
	SectionInteractions, SectionLegal, SectionPatientGuidance, SectionOther,
}

// Valid reports whether k is one of SectionKeys.
func (k SectionKey) Valid() bool { return slices.Contains(SectionKeys, k) }

// ClinicalUse is one indication, with its regulatory status.
type ClinicalUse struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Status      UseStatus `json:"status"`
}

// UseStatus is the regulatory status of a clinical use; see UseStatuses.
type UseStatus string

// Clinical-use statuses.
const (
	UseApproved        UseStatus = "approved"
	UseOffLabel        UseStatus = "off_label"
	UseInvestigational UseStatus = "investigational"
)

// UseStatuses lists every valid clinical-use status, for the UI and OpenAPI.
var UseStatuses = []UseStatus{UseApproved, UseOffLabel, UseInvestigational}

// Valid reports whether s is one of UseStatuses.
func (s UseStatus) Valid() bool { return slices.Contains(UseStatuses, s) }

// SideEffects lists side effects by how often or how badly they occur.
type SideEffects struct {
	Common  []string `json:"common"`
	Serious []string `json:"serious"`
}

// Reference is a cited source. URL and Year are optional (Year 0 means absent).
type Reference struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Year      int    `json:"year"`
}

// Normalize puts every text field in Unicode NFC (so that "é" typed as one character or
// as "e" and a combining accent is the same text, with the same hash for a reviewer to
// sign), trims surrounding whitespace from single-line fields, turns CRLF and lone CR line
// ends into LF in multi-line fields (so a Windows client is not rejected for a control
// character), and replaces nil slices with empty ones. Markdown is otherwise left alone:
// leading spaces are meaningful there.
func (c *Content) Normalize() { *c = c.Normalized() }

// Normalized returns a normalized deep copy of c (see Normalize), leaving c and the
// arrays it shares untouched.
func (c Content) Normalized() Content {
	n := Content{
		Title:   line(c.Title),
		Summary: strings.TrimSpace(para(c.Summary)),
		Drug: Drug{
			Name:             line(c.Drug.Name),
			GenericName:      line(c.Drug.GenericName),
			BrandNames:       trimAll(c.Drug.BrandNames),
			DrugClasses:      trimAll(c.Drug.DrugClasses),
			ControlledStatus: make([]ControlledStatus, len(c.Drug.ControlledStatus)),
		},
		Sections:        make([]Section, len(c.Sections)),
		ClinicalUses:    make([]ClinicalUse, len(c.ClinicalUses)),
		Routes:          trimAll(c.Routes),
		SideEffects:     SideEffects{Common: trimAll(c.SideEffects.Common), Serious: trimAll(c.SideEffects.Serious)},
		PatientGuidance: trimAll(c.PatientGuidance),
		References:      make([]Reference, len(c.References)),
		Disclaimer:      para(c.Disclaimer),
		Tags:            trimAll(c.Tags),
		Images:          normImages(c.Images),
		Assets:          copyAssets(c.Assets),
		// Server-set (translations); copied, so the hash covers it.
		TranslationOf: copyTranslationOf(c.TranslationOf),
	}
	for i, s := range c.Drug.ControlledStatus {
		n.Drug.ControlledStatus[i] = ControlledStatus{
			Jurisdiction: line(s.Jurisdiction),
			Schedule:     line(s.Schedule),
		}
	}
	for i, s := range c.Sections {
		n.Sections[i] = Section{
			Key:   SectionKey(line(string(s.Key))),
			Title: line(s.Title),
			Body:  para(s.Body),
		}
	}
	for i, u := range c.ClinicalUses {
		n.ClinicalUses[i] = ClinicalUse{
			Name:        line(u.Name),
			Description: para(u.Description),
			Status:      UseStatus(line(string(u.Status))),
		}
	}
	for i, r := range c.References {
		n.References[i] = Reference{
			Title:     line(r.Title),
			URL:       line(r.URL),
			Publisher: line(r.Publisher),
			Year:      r.Year,
		}
	}
	return n
}

// trimAll returns a normalized copy (see line) of list, never nil.
func trimAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = line(s)
	}
	return out
}

// line normalizes a single-line field: NFC, without surrounding whitespace.
func line(s string) string { return strings.TrimSpace(nfc(s)) }

// para normalizes a multi-line field: NFC, LF line ends.
func para(s string) string { return nfc(lf(s)) }

// nfc returns s in Unicode NFC. ASCII is NFC: most text is checked a word at a time.
func nfc(s string) string {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return norm.NFC.String(s)
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.String(s)
		}
	}
	return s
}

var crlf = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// lf normalizes line ends to LF.
func lf(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return crlf.Replace(s)
}
