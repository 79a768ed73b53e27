package delivery

import "net/http"

// Route is one method and path pattern that Handler serves. Path parameters are written
// as in OpenAPI: {slug}.
type Route struct {
	Method string
	Path   string
}

// Routes lists every route Handler serves, so the OpenAPI document's test can check that
// the document describes them all (the delivery paths are served before the router, so the
// router's route list does not have them). Keep it in step with serve.
func Routes() []Route {
	var out []Route
	for _, path := range []string{PagesPath, pagePrefix + "{slug}", SyncPath, MediaPrefix + "{sha256}/{name}"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			out = append(out, Route{Method: method, Path: path})
		}
	}
	return out
}
