package editorial

import (
	"context"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/workflow"
)

// CancelSchedule calls off the page's scheduled publication: the page goes back to approved
// (the signature stands) and the audit chain records schedule_cancelled with who did it.
func (s *Service) CancelSchedule(ctx context.Context, actor cms.Principal, id string, ifMatch *int) (Page, error) {
	return s.mutate(ctx, id, ifMatch, true, func(c *Change, now time.Time) error {
		return s.applyWorkflow(ctx, c, workflow.CancelSchedule{Actor: actor}, actor, now)
	})
}
