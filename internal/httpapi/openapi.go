package httpapi

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the OpenAPI 3.1 description of every route; openapi_test.go fails when
// a route and the document disagree.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(200, "application/json; charset=utf-8", openAPIDocument)
}
