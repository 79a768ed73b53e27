package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/strictjson"
)

// marshalJSON encodes without HTML escaping (bodies are JSON, not HTML) and without the
// trailing newline json.Encoder adds.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ok answers 200 with v as JSON.
func ok(c *gin.Context, v any) { writeJSON(c, http.StatusOK, "application/json", v) }

// readBody reads the request body within the size limit set by the bodyLimit middleware.
func readBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, cms.Errorf(cms.CodeTooLarge, "the request body is larger than %d bytes", tooBig.Limit)
		}
		return nil, cms.Errorf(cms.CodeInvalid, "could not read the request body")
	}
	return b, nil
}

// bind strictly decodes the JSON body into v (see strictjson): unknown, duplicate,
// case-variant or $-prefixed keys and wrong types are rejected naming the field. prefix is
// prepended to field paths (e.g. "content").
func bind(c *gin.Context, v any, prefix string) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	return strictjson.Decode(b, v, prefix)
}

// bindOptional is bind for actions whose body may be absent (an empty body means {}).
func bindOptional(c *gin.Context, v any) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	return strictjson.Decode(b, v, "")
}

// requireJSON refuses a body that is not declared as JSON (415).
func requireJSON(c *gin.Context) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return cms.Errorf(cms.CodeUnsupportedMedia, "send the body as application/json")
	}
	return nil
}
