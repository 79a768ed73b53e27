// Command example shows a Go website or service reading Monograph with the standard library
// only: it fetches a published page, fetches it again with its ETag (a 304 reuses the copy
// held), and with -listen receives webhooks, verifies their signatures and refetches the
// page each event names. See docs/go-client.md.
//
//	go run ./examples/go -api http://127.0.0.1:8080 -slug ketamine
//	MONOGRAPH_WEBHOOK_SECRET=whsec_... go run ./examples/go -listen 127.0.0.1:4400
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	api := flag.String("api", envOr("MONOGRAPH_URL", "http://127.0.0.1:8080"), "Monograph's origin")
	slug := flag.String("slug", "ketamine", "the page to fetch")
	listen := flag.String("listen", "", "also receive webhooks on this address (e.g. 127.0.0.1:4400); the secret is $MONOGRAPH_WEBHOOK_SECRET")
	flag.Parse()

	f := &Fetcher{BaseURL: *api, HTTP: &http.Client{Timeout: 10 * time.Second}}
	ctx := context.Background()
	for range 2 {
		if err := show(ctx, f, *slug); err != nil {
			log.Fatal(err)
		}
	}
	if *listen == "" {
		return
	}
	secret := os.Getenv("MONOGRAPH_WEBHOOK_SECRET")
	if secret == "" {
		log.Fatal("set MONOGRAPH_WEBHOOK_SECRET to the secret shown when the webhook was registered")
	}
	rc := &Receiver{Secret: secret, Handle: func(ev Event) {
		fmt.Printf("webhook %s: %s revision %d (event %s)\n", ev.Event, ev.Slug, ev.Revision, ev.ID)
		go func() { // the answer must not wait for the refetch
			if err := show(context.Background(), f, ev.Slug); err != nil {
				fmt.Println("  ", err)
			}
		}()
	}}
	fmt.Printf("receiving webhooks on http://%s/\n", *listen)
	srv := &http.Server{Addr: *listen, Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// show fetches a page and prints its title and medical review.
func show(ctx context.Context, f *Fetcher, slug string) error {
	p, fromCache, err := f.Page(ctx, slug)
	var prob *Problem
	if errors.As(err, &prob) && (prob.Code == "gone" || prob.Code == "not_found") {
		fmt.Printf("%s: %s (%d)\n", slug, prob.Code, prob.Status)
		return nil
	}
	if err != nil {
		return err
	}
	how := "200, fetched"
	if fromCache {
		how = "304, reused the copy held"
	}
	mr := p.MedicalReview
	fmt.Printf("%s: %q revision %d (%s)\n  medically reviewed by %s, %s; next review due %s\n",
		p.Slug, p.Title, p.Revision, how, mr.Reviewer.Name, mr.Reviewer.Credentials, mr.NextReviewDue.Format("2 January 2006"))
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
