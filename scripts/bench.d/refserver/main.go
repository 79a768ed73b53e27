// Command refserver is the reference ceiling of scripts/bench: a minimal net/http server
// that answers each request URI with exactly the bytes and headers Monograph gave for it
// (captured by benchtool capture), from a map. Unknown URIs get 404.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
)

type captured struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18191", "listen address")
	file := flag.String("map", "", "captured responses (JSON)")
	flag.Parse()
	b, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	m := map[string]*captured{}
	if err := json.Unmarshal(b, &m); err != nil {
		log.Fatal(err)
	}
	b = nil
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := m[r.URL.RequestURI()]
		if c == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range c.Header {
			h[k] = v
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(c.Body)
	})))
}
