package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Page is the part of a delivered page this example prints; GET /api/v1/pages/{slug}
// answers many more fields (docs/api.md).
type Page struct {
	Slug          string    `json:"slug"`
	Title         string    `json:"title"`
	Revision      int       `json:"revision"`
	PublishedAt   time.Time `json:"publishedAt"`
	MedicalReview struct {
		Reviewer struct {
			Name        string `json:"name"`
			Credentials string `json:"credentials"`
		} `json:"reviewer"`
		ReviewedAt    time.Time `json:"reviewedAt"`
		NextReviewDue time.Time `json:"nextReviewDue"`
		Overdue       bool      `json:"overdue"`
	} `json:"medicalReview"`
}

// Problem is an error answer: RFC 9457 problem+json with Monograph's stable code.
type Problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.Detail) }

// Fetcher gets delivered pages, revalidating with the ETag it holds: an unchanged page
// costs a 304 and no body.
type Fetcher struct {
	BaseURL string       // e.g. http://127.0.0.1:8080
	HTTP    *http.Client // http.DefaultClient when nil

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	etag string
	body []byte
}

// Page returns the live revision of slug, and whether it is the copy held from before (the
// server answered 304). A page never published or unknown is a *Problem with code
// not_found (404); an unpublished one, gone (410).
func (f *Fetcher) Page(ctx context.Context, slug string) (Page, bool, error) {
	u := strings.TrimRight(f.BaseURL, "/") + "/api/v1/pages/" + url.PathEscape(slug)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Page{}, false, err
	}
	f.mu.Lock()
	held, ok := f.cache[u]
	f.mu.Unlock()
	if ok {
		req.Header.Set("If-None-Match", held.etag)
	}
	client := f.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return Page{}, false, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return Page{}, false, err
	}
	var fromCache bool
	switch {
	case res.StatusCode == http.StatusNotModified && ok:
		body, fromCache = held.body, true
	case res.StatusCode == http.StatusOK:
		if etag := res.Header.Get("ETag"); etag != "" {
			f.mu.Lock()
			if f.cache == nil {
				f.cache = map[string]cached{}
			}
			f.cache[u] = cached{etag: etag, body: body}
			f.mu.Unlock()
		}
	default:
		f.mu.Lock()
		delete(f.cache, u) // a page that went away must not come back from the cache
		f.mu.Unlock()
		p := &Problem{Status: res.StatusCode}
		if json.Unmarshal(body, p) != nil || p.Code == "" {
			p.Code, p.Detail = "unexpected_response", strings.TrimSpace(string(body))
		}
		return Page{}, false, p
	}
	var p Page
	if err := json.Unmarshal(body, &p); err != nil {
		return Page{}, false, fmt.Errorf("decode %s: %w", u, err)
	}
	return p, fromCache, nil
}
