// Command benchtool is the helper of scripts/bench:
//
//	benchtool seed -data DIR -pages N      publish N realistic pages through editorial.Service
//	benchtool capture -url URL -out FILE -slugs FILE
//	                                       fetch every benchmarked response once, for refserver
//
// Seeding goes through app.Open and the editorial service (create, submit, approve with the
// reviewer's password, publish): the real code path and store, without HTTP logins.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool seed|capture [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "capture":
		err = capture(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

const password = "bench-password-123"

func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dir := fs.String("data", "", "data dir")
	n := fs.Int("pages", 1000, "pages to publish")
	_ = fs.Parse(args)
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir = *dir
	cfg.LogLevel = "error"
	hasher, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{Hasher: hasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer func() { _ = a.Close(context.Background()) }()
	mk := func(email, name, cred string, role cms.Role) (cms.Principal, error) {
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: password, Roles: []cms.Role{role}, Credentials: cred})
		return u.Principal(), err
	}
	writer, err := mk("bench-writer@example.com", "Bench Writer", "", cms.RoleWriter)
	if err != nil {
		return err
	}
	reviewer, err := mk("bench-reviewer@example.com", "Bench Reviewer", "PharmD", cms.RoleReviewer)
	if err != nil {
		return err
	}
	editor, err := mk("bench-editor@example.com", "Bench Editor", "", cms.RoleEditor)
	if err != nil {
		return err
	}
	pages := a.Pages
	start := time.Now()
	size := 0
	for i := 0; i < *n; i++ {
		slug, c := page(i)
		size += len(content.Canonical(c))
		p, err := pages.Create(ctx, writer, slug, c, "bench")
		if err != nil {
			return fmt.Errorf("create %s: %w", slug, err)
		}
		if p, err = pages.Submit(ctx, writer, p.ID, nil, ""); err != nil {
			return fmt.Errorf("submit %s: %w", slug, err)
		}
		if p, err = pages.Approve(ctx, reviewer, p.ID, nil, p.Workflow.Revision, password, ""); err != nil {
			return fmt.Errorf("approve %s: %w", slug, err)
		}
		if _, err = pages.Publish(ctx, editor, p.ID, nil, nil); err != nil {
			return fmt.Errorf("publish %s: %w", slug, err)
		}
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "  seeded %d pages (%.0f/s)\n", i+1, float64(i+1)/time.Since(start).Seconds())
		}
	}
	if _, err := pages.PumpAll(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  seeded %d pages in %v, content %.1f KB each on average\n", *n, time.Since(start).Round(time.Millisecond), float64(size)/float64(max(*n, 1))/1024)
	return nil
}

var (
	drugs   = []string{"Ketamine", "Ibuprofen", "Metformin", "Sertraline", "Amoxicillin", "Lisinopril", "Atorvastatin", "Omeprazole", "Levothyroxine", "Amlodipine", "Gabapentin", "Prednisone", "Warfarin", "Morphine", "Diazepam", "Insulin glargine"}
	classes = []string{"NMDA receptor antagonist", "NSAID", "Biguanide", "SSRI", "Penicillin antibiotic", "ACE inhibitor", "Statin", "Proton pump inhibitor", "Thyroid hormone", "Calcium channel blocker", "Anticonvulsant", "Corticosteroid", "Anticoagulant", "Opioid analgesic", "Benzodiazepine", "Long-acting insulin"}
	tags    = []string{"pain", "cardiology", "psychiatry", "endocrinology", "infection", "anesthesia", "neurology", "gastroenterology"}
)

// page returns the slug and ~6 KB of realistic content of page i.
func page(i int) (string, content.Content) {
	d := drugs[i%len(drugs)]
	name := fmt.Sprintf("%s %d", d, i)
	slug := strings.ReplaceAll(strings.ToLower(name), " ", "-")
	para := func(topic string) string {
		return fmt.Sprintf("%s is discussed here in relation to **%s**. Clinical use should follow current guidelines "+
			"and the product label; dosing depends on the indication, age, kidney and liver function, and other medicines "+
			"taken at the same time. See the [prescribing information](https://example.org/label/%s) for details.\n\n"+
			"- Monitor for adverse effects during the first weeks of treatment.\n"+
			"- Review the need for continued therapy regularly.\n"+
			"- Report suspected adverse reactions to the national pharmacovigilance system.", name, topic, slug)
	}
	var sections []content.Section
	for _, k := range []content.SectionKey{content.SectionOverview, content.SectionMechanism, content.SectionAdministration, content.SectionBenefits,
		content.SectionSideEffects, content.SectionRisks, content.SectionKey("contraindications"), content.SectionInteractions} {
		sections = append(sections, content.Section{Key: k, Title: strings.ReplaceAll(string(k), "_", " "), Body: para(string(k))})
	}
	return slug, content.Content{
		Title:   name + " – Medical Uses, Mechanism & Safety",
		Summary: "An educational overview of " + name + ": what it is used for, how it works, how it is given, and its main risks. Always consult a licensed healthcare professional.",
		Drug: content.Drug{
			Name: name, GenericName: strings.ToLower(d) + " hydrochloride", BrandNames: []string{d + "ex", d + " Retard"},
			DrugClasses:      []string{classes[i%len(classes)]},
			ControlledStatus: []content.ControlledStatus{{Jurisdiction: "US", Schedule: "Rx only"}},
		},
		Sections: sections,
		ClinicalUses: []content.ClinicalUse{
			{Name: "Primary indication", Description: "Approved for the *primary* indication in adults.", Status: content.UseApproved},
			{Name: "Secondary use", Description: "Used off label in some settings, under specialist supervision.", Status: content.UseOffLabel},
		},
		Routes:          []string{"oral", "intravenous"},
		SideEffects:     content.SideEffects{Common: []string{"nausea", "headache", "dizziness"}, Serious: []string{"allergic reaction", "liver injury"}},
		PatientGuidance: []string{"Take exactly as prescribed.", "Do not stop suddenly without advice.", "Keep out of reach of children."},
		References: []content.Reference{
			{Title: "Prescribing information for " + d, URL: "https://example.org/label/" + slug, Publisher: "Regulator", Year: 2024},
			{Title: "Systematic review of " + d, URL: "https://example.org/review/" + slug, Publisher: "Journal of Clinical Pharmacology", Year: 2022},
		},
		Disclaimer: "This page is for education only and does not replace advice from a licensed clinician.",
		Tags:       []string{tags[i%len(tags)], tags[(i/3)%len(tags)]},
	}
}

// Captured is one response as the reference server replays it.
type Captured struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

func capture(args []string) error {
	fs := flag.NewFlagSet("capture", flag.ExitOnError)
	base := fs.String("url", "", "server base URL")
	out := fs.String("out", "", "output file (JSON map of request URI to response)")
	slugsOut := fs.String("slugs", "", "write the live slugs here, one per line")
	lists := fs.String("lists", "/api/v1/pages?limit=20", "comma-separated list URIs to capture")
	_ = fs.Parse(args)
	m := map[string]Captured{}
	get := func(uri string) (Captured, error) {
		res, err := http.Get(*base + uri)
		if err != nil {
			return Captured{}, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		h := map[string][]string{}
		for k, v := range res.Header {
			if k != "Date" {
				h[k] = v
			}
		}
		return Captured{Status: res.StatusCode, Header: h, Body: b}, err
	}
	var slugs []string
	cursor := ""
	for {
		uri := "/api/v1/pages?limit=100"
		if cursor != "" {
			uri += "&cursor=" + cursor
		}
		c, err := get(uri)
		if err != nil {
			return err
		}
		var l struct {
			Data []struct {
				Slug string `json:"slug"`
			} `json:"data"`
			NextCursor string `json:"nextCursor"`
		}
		if err := json.Unmarshal(c.Body, &l); err != nil {
			return fmt.Errorf("%s: %w", uri, err)
		}
		for _, d := range l.Data {
			slugs = append(slugs, d.Slug)
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	for _, s := range slugs {
		uri := "/api/v1/pages/" + s
		c, err := get(uri)
		if err != nil {
			return err
		}
		m[uri] = c
	}
	for _, uri := range strings.Split(*lists, ",") {
		c, err := get(uri)
		if err != nil {
			return err
		}
		m[uri] = c
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  captured %d responses (%d live slugs)\n", len(m), len(slugs))
	return os.WriteFile(*slugsOut, []byte(strings.Join(slugs, "\n")+"\n"), 0o644)
}
