package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// publish takes n new pages through the workflow over HTTP on a running server seeded by
// seed (its bench accounts): create, submit, approve with the reviewer's password,
// publish. It prints the publish request's latency: the publication's commit and its page
// moved into delivery's snapshot of every live page, which grows with the library.
func publish(args []string) error {
	fs := flag.NewFlagSet("publish", flag.ExitOnError)
	base := fs.String("url", "", "the server's base URL")
	n := fs.Int("n", 20, "pages to publish")
	live := fs.Int("pages", 0, "live pages the server holds (for the report)")
	_ = fs.Parse(args)
	if *base == "" || *n < 1 {
		return fmt.Errorf("publish: give -url and -n of 1 or more")
	}
	c := &http.Client{Timeout: 30 * time.Second}
	call := func(token, method, path string, body any, want int) (map[string]any, time.Duration, error) {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		req, err := http.NewRequest(method, *base+path, bytes.NewReader(b))
		if err != nil {
			return nil, 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		res, err := c.Do(req)
		if err != nil {
			return nil, 0, err
		}
		out, err := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(start)
		if err != nil {
			return nil, 0, err
		}
		if res.StatusCode != want {
			return nil, 0, fmt.Errorf("%s %s answered %d, want %d: %.300s", method, path, res.StatusCode, want, out)
		}
		var m map[string]any
		return m, took, json.Unmarshal(out, &m)
	}
	login := func(email string) (string, error) {
		m, _, err := call("", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK)
		if err != nil {
			return "", err
		}
		tok, _ := m["accessToken"].(string)
		return tok, nil
	}
	writer, err := login("bench-writer@example.com")
	if err != nil {
		return err
	}
	reviewer, err := login("bench-reviewer@example.com")
	if err != nil {
		return err
	}
	editor, err := login("bench-editor@example.com")
	if err != nil {
		return err
	}
	stamp := time.Now().Unix()
	var took []time.Duration
	for i := range *n {
		slug, c := page(1_000_000 + i)
		slug = fmt.Sprintf("%s-published-%d", slug, stamp)
		p, _, err := call(writer, "POST", "/api/v1/manage/pages", map[string]any{"slug": slug, "content": c}, http.StatusCreated)
		if err != nil {
			return err
		}
		path := "/api/v1/manage/pages/" + fmt.Sprint(p["id"])
		if _, _, err := call(writer, "POST", path+"/submit", map[string]any{}, http.StatusOK); err != nil {
			return err
		}
		if _, _, err := call(reviewer, "POST", path+"/approve", map[string]any{"revision": p["revision"], "password": password}, http.StatusOK); err != nil {
			return err
		}
		_, d, err := call(editor, "POST", path+"/publish", map[string]any{}, http.StatusOK)
		if err != nil {
			return err
		}
		took = append(took, d)
	}
	slices.Sort(took)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("publish into a library of %d live pages, %d publications one after another: p50 %s, p90 %s, max %s\n",
		*live, len(took), ms(took[len(took)/2]), ms(took[len(took)*9/10]), ms(took[len(took)-1]))
	return nil
}
