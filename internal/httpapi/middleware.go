package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
)

const requestIDKey = "requestId"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID takes a well-formed incoming X-Request-Id or makes one, and echoes it.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !safeRequestID.MatchString(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// accessLog logs one line per request: never headers or bodies, so no token or password
// can reach the log.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(unmatched)"
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("requestId", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.String("client", c.ClientIP()),
	)
}

// recoverPanics turns a panic into a logged 500 problem instead of a dropped connection.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "requestId", requestID(c), "panic", r, "stack", string(debug.Stack()))
			s.writeError(c, cms.Errorf(cms.CodeInternal, "internal error"))
		}
	}()
	c.Next()
}

// limitBody caps every request body (413 beyond the limit, see readBody).
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}

// securityHeaders sets headers every response should carry.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	c.Next()
}
