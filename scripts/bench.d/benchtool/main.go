// Command benchtool is the helper of scripts/bench:
//
//	benchtool seed -data DIR -pages N      publish N realistic pages through editorial.Service
//	benchtool seed -uri URI -pages N [-workflow K]
//	                                       the same on a store server (see below)
//	benchtool ferretdb -dir DIR -uri-file F
//	                                       run a FerretDB server (the stand-in for MongoDB)
//	benchtool capture -url URL -out FILE -slugs FILE
//	                                       fetch every benchmarked response once, for refserver
//	benchtool publish -url URL -n N -pages P
//	                                       take N new pages through the workflow over HTTP
//	                                       (seeded accounts) and time each publish request
//	benchtool reload -data DIR [-n 3] [-cpuprofile F]
//	                                       open the store and time delivery's full load of the
//	                                       live pages, the work a start does before it is ready
//
// Seeding goes through app.Open and the editorial service (create, submit, approve with the
// reviewer's password, publish): the real code path and store, without HTTP logins.
//
// On a store server (-uri, the FerretDB stand-in for MongoDB), the first K pages (default
// 50) go through the workflow; the others are copies of those published pages with their
// own id, slug, revision and content (rendered by the same renderer, hashed by the same
// hash, its live snapshot derived and sealed by the editorial service from the stored
// revision), each inserted by two store Changes. Publishing 10,000 pages through the workflow on
// FerretDB would take hours: its queries do not use indexes, so every conditional update
// scans the whole pages collection. The copies are for measuring the server's memory and
// speed with many live pages; their audit chains are empty.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/mongostore/mongotest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool seed|capture|ferretdb|reload|publish [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "capture":
		err = capture(os.Args[2:])
	case "ferretdb":
		err = ferretdb(os.Args[2:])
	case "reload":
		err = reload(os.Args[2:])
	case "publish":
		err = publish(os.Args[2:])
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
	uri := fs.String("uri", "", "store server URI (instead of the embedded store under -data)")
	db := fs.String("db", "monograph", "database name")
	n := fs.Int("pages", 1000, "pages to publish")
	viaWorkflow := fs.Int("workflow", 50, "with -uri: pages published through the workflow; the rest are copies")
	_ = fs.Parse(args)
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir = *dir
	cfg.MongoURI = *uri
	cfg.Database = *db
	if *uri == "" {
		*viaWorkflow = *n
	}
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
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: password, Roles: []cms.Role{role}, Credentials: cred, OwnPassword: true})
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
	var published []editorial.Page
	for i := 0; i < *n; i++ {
		slug, c := page(i)
		size += len(content.Canonical(c))
		if i >= *viaWorkflow {
			if err := insertCopy(ctx, a, published[i%len(published)], i, slug, c); err != nil {
				return fmt.Errorf("copy %s: %w", slug, err)
			}
			if (i+1)%1000 == 0 {
				fmt.Fprintf(os.Stderr, "  seeded %d pages (%.0f/s)\n", i+1, float64(i+1)/time.Since(start).Seconds())
			}
			continue
		}
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
		if p, err = pages.Publish(ctx, editor, p.ID, nil, nil); err != nil {
			return fmt.Errorf("publish %s: %w", slug, err)
		}
		published = append(published, p)
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "  seeded %d pages (%.0f/s)\n", i+1, float64(i+1)/time.Since(start).Seconds())
		}
	}
	fmt.Fprintf(os.Stderr, "  seeded %d pages in %v, content %.1f KB each on average\n", *n, time.Since(start).Round(time.Millisecond), float64(size)/float64(max(*n, 1))/1024)
	return nil
}

// insertCopy inserts page i as a copy of the published page tpl with content c: its own
// id, slug, revision and content hash. The page and its revision are written first; then
// the editorial service derives its live snapshot from that stored revision, checking the
// hash and sealing it as a publication does (DeriveLive), and a second Change makes it
// live (taking the next change number). So a start takes these pages' snapshots under
// their seal, as it would pages published through the workflow.
func insertCopy(ctx context.Context, a *app.App, tpl editorial.Page, i int, slug string, c content.Content) error {
	c = c.Normalized()
	hash := content.Hash(c)
	p := tpl
	p.ID, p.Slug, p.Content = cms.NewID(), slug, c
	p.Audit = editorial.AuditHead{}
	wf := tpl.Workflow
	wf.ContentHash = hash
	appr := *wf.Approval
	appr.ContentHash = hash
	live := *wf.Live
	live.ContentHash, live.Approval = hash, appr
	wf.Approval, wf.Live = &appr, &live
	p.Workflow = wf
	rev, err := a.Store.Revision(ctx, tpl.ID, tpl.Workflow.Revision)
	if err != nil {
		return err
	}
	rev.ID, rev.PageID, rev.Content, rev.ContentHash = editorial.RevisionID(p.ID, rev.Number), p.ID, c, hash
	p.Version = 1
	if err := a.Store.Commit(ctx, &editorial.Change{Page: p, Create: true, Revisions: []editorial.Revision{rev}}); err != nil {
		return err
	}
	lp, err := a.Pages.DeriveLive(ctx, editorial.LivePage{ID: p.ID, Slug: p.Slug, Live: &live})
	if err != nil {
		return err
	}
	p.Version = 2
	return a.Store.Commit(ctx, &editorial.Change{Page: p, ExpectVersion: 1, Live: lp.Snapshot})
}

// ferretdb runs a FerretDB server on a loopback port until killed, writing its URI to a
// file: the stand-in for a MongoDB server, in its own process like MongoDB.
func ferretdb(args []string) error {
	fs := flag.NewFlagSet("ferretdb", flag.ExitOnError)
	dir := fs.String("dir", "", "directory of its SQLite files")
	uriFile := fs.String("uri-file", "", "write the server's URI here")
	_ = fs.Parse(args)
	uri, stop, err := mongotest.StartServer(*dir)
	if err != nil {
		return err
	}
	defer stop()
	if err := os.WriteFile(*uriFile, []byte(uri), 0o600); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

var vocabulary = strings.Fields(`patients dose doses dosing daily weekly adults children elderly renal hepatic
	impairment clearance plasma concentration half-life metabolism cytochrome inhibitor inducer interaction
	interactions receptor antagonist agonist partial selective serotonin dopamine norepinephrine glutamate
	GABA sodium potassium calcium channel blockade blood pressure heart rate rhythm QT prolongation
	arrhythmia bradycardia tachycardia hypotension hypertension syncope dizziness headache nausea vomiting
	diarrhoea constipation rash pruritus urticaria angioedema anaphylaxis hepatotoxicity nephrotoxicity
	neutropenia agranulocytosis thrombocytopenia anaemia bleeding bruising haemorrhage thrombosis embolism
	stroke infarction seizure seizures tremor ataxia confusion delirium sedation somnolence insomnia anxiety
	agitation depression suicidal ideation mania psychosis hallucinations dependence tolerance withdrawal
	misuse overdose naloxone flumazenil antidote monitoring baseline follow-up titration taper discontinuation
	initiation maintenance loading maximum minimum recommended usual adjusted reduced increased contraindicated
	caution pregnancy breastfeeding lactation fertility trimester neonatal paediatric geriatric frailty falls
	fracture osteoporosis bone density glucose insulin HbA1c lipid cholesterol triglycerides weight appetite
	oral intravenous intramuscular subcutaneous intranasal transdermal rectal sublingual infusion injection
	tablet capsule solution suspension modified-release extended-release immediate-release bioavailability
	absorption food fasting grapefruit alcohol smoking caffeine warfarin digoxin lithium methotrexate
	clarithromycin fluconazole rifampicin carbamazepine phenytoin valproate amiodarone verapamil diltiazem
	trials randomised controlled placebo meta-analysis cohort observational evidence guideline guidance
	label regulator approved off-label indication indications efficacy effectiveness response remission
	relapse outcome outcomes mortality morbidity hospitalisation quality-of-life symptom symptoms severity
	acute chronic refractory resistant first-line second-line adjunct monotherapy combination regimen
	clinician pharmacist prescriber nurse specialist supervision assessment review counselling education
	adherence missed storage temperature light moisture disposal children reach pharmacy prescription
	schedule controlled diversion record register audit the a of in with and or for to may should can
	is are be when if not during after before within over under than more less most least often rarely`)

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
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	// Prose drawn from a vocabulary, so the page compresses about as well as a real one
	// (the ketamine sample gzips to 28%), not like a repeated template (12%): delivery keeps
	// pages gzip-compressed, so the memory figure depends on it.
	sentence := func() string {
		n := 7 + rng.IntN(8)
		w := make([]string, n)
		for k := range w {
			w[k] = vocabulary[rng.IntN(len(vocabulary))]
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		return strings.Join(w, " ") + fmt.Sprintf(" (%d–%d mg).", 5*rng.IntN(40), 200+5*rng.IntN(100))
	}
	para := func(topic string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s is discussed here in relation to **%s**. ", name, topic)
		for k := 0; k < 2; k++ {
			b.WriteString(sentence() + " ")
		}
		fmt.Fprintf(&b, "See the [prescribing information](https://example.org/label/%s) for details.\n\n", slug)
		for k := 0; k < 2; k++ {
			b.WriteString("- " + sentence() + "\n")
		}
		return b.String()
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
	acceptEncoding := fs.String("accept-encoding", "", "send this Accept-Encoding, as wrk will")
	_ = fs.Parse(args)
	m := map[string]Captured{}
	// The identity bytes, as wrk asks for them: Go's client would otherwise ask for gzip and
	// inflate it silently, leaving the gzip variant's headers on the identity body.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(uri string) (Captured, error) {
		req, err := http.NewRequest(http.MethodGet, *base+uri, nil)
		if err != nil {
			return Captured{}, err
		}
		if *acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", *acceptEncoding)
		}
		res, err := client.Do(req)
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
