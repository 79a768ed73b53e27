package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/webhook"
)

// webhookRoutes registers the webhook administration (docs/api.md "Webhooks").
func (s *Server) webhookRoutes(m *gin.RouterGroup) {
	p := perm("webhook", "manage")
	s.managed(m, http.MethodPost, "/webhooks", p, s.createWebhook)
	s.managed(m, http.MethodGet, "/webhooks", p, s.listWebhooks)
	s.managed(m, http.MethodGet, "/webhooks/:id", p, s.getWebhook)
	s.managed(m, http.MethodDelete, "/webhooks/:id", p, s.deleteWebhook)
	s.managed(m, http.MethodPost, "/webhooks/:id/rotate-secret", p, s.rotateWebhookSecret)
	s.managed(m, http.MethodGet, "/webhooks/:id/deliveries", p, s.listDeliveries)
}

// webhookView is the webhook JSON; Secret is set only in the answers that create one.
type webhookView struct {
	ID              string    `json:"id"`
	URL             string    `json:"url"`
	Events          []string  `json:"events"`
	Description     string    `json:"description"`
	CreatedAt       time.Time `json:"createdAt"`
	SecretRotatedAt time.Time `json:"secretRotatedAt"`
	Secret          string    `json:"secret,omitempty"`
}

func viewWebhook(w webhook.Webhook, secret string) webhookView {
	return webhookView{ID: w.ID, URL: w.URL, Events: w.Events, Description: w.Description,
		CreatedAt: w.CreatedAt, SecretRotatedAt: w.SecretRotatedAt, Secret: secret}
}

// deliveryView is one entry of a webhook's delivery log.
type deliveryView struct {
	ID            string     `json:"id"`
	EventID       string     `json:"eventId"`
	Event         string     `json:"event"`
	Slug          string     `json:"slug"`
	Revision      int        `json:"revision"`
	OccurredAt    time.Time  `json:"occurredAt"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastStatus    *int       `json:"lastStatus"`
	LastError     string     `json:"lastError"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	DeliveredAt   *time.Time `json:"deliveredAt"`
	// AttemptLog lists each attempt's time, HTTP status and error, oldest first.
	AttemptLog []webhook.Attempt `json:"attemptLog"`
}

func viewDelivery(d webhook.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EventID: d.EventID, Event: d.Event, Slug: d.Slug, Revision: d.Revision,
		OccurredAt: d.OccurredAt, Status: d.Status, Attempts: d.Attempts, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt, AttemptLog: d.AttemptLog}
	if v.AttemptLog == nil {
		v.AttemptLog = []webhook.Attempt{}
	}
	if d.LastStatus != 0 {
		st := d.LastStatus
		v.LastStatus = &st
	}
	if d.Status == webhook.StatusPending {
		next := d.NextAttemptAt
		v.NextAttemptAt = &next
	}
	return v
}

type createWebhookRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

func (s *Server) createWebhook(c *gin.Context) {
	var req createWebhookRequest
	if err := bind(c, &req, ""); err != nil {
		s.writeError(c, err)
		return
	}
	w, secret, err := s.webhooks.Register(c.Request.Context(), s.actor(c), webhook.Registration{URL: req.URL, Events: req.Events, Description: req.Description})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/manage/webhooks/"+w.ID)
	c.Header("Cache-Control", "no-store")
	writeJSON(c, http.StatusCreated, "application/json", viewWebhook(w, secret))
}

func (s *Server) listWebhooks(c *gin.Context) {
	hooks, err := s.webhooks.List(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	data := make([]webhookView, len(hooks))
	for i, w := range hooks {
		data[i] = viewWebhook(w, "")
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data, "nextCursor": ""})
}

func (s *Server) getWebhook(c *gin.Context) {
	w, err := s.webhooks.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, viewWebhook(w, ""))
}

func (s *Server) deleteWebhook(c *gin.Context) {
	if err := s.webhooks.Delete(c.Request.Context(), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) rotateWebhookSecret(c *gin.Context) {
	var req struct{}
	if err := bindOptional(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	w, secret, err := s.webhooks.RotateSecret(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, viewWebhook(w, secret))
}

type deliveryCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"id"`
}

func (s *Server) listDeliveries(c *gin.Context) {
	limit, err := queryLimit(c, 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := webhook.DeliveryFilter{WebhookID: c.Param("id"), Limit: limit + 1}
	if cur := c.Query("cursor"); cur != "" {
		var dc deliveryCursor
		if err := decodeCursor(cur, &dc); err != nil || dc.ID == "" {
			s.writeError(c, cms.InvalidField("cursor", "not a cursor this API returned; start without one"))
			return
		}
		f.BeforeAt, f.BeforeID = &dc.At, dc.ID
	}
	ds, err := s.webhooks.Deliveries(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	next := ""
	if len(ds) > limit {
		ds = ds[:limit]
		last := ds[len(ds)-1]
		next = encodeCursor(deliveryCursor{At: last.CreatedAt, ID: last.ID})
	}
	data := make([]deliveryView, len(ds))
	for i, d := range ds {
		data[i] = viewDelivery(d)
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"data": data, "nextCursor": next})
}
