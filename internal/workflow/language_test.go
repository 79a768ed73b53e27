package workflow_test

import (
	"testing"

	"github.com/monograph-cms/monograph/internal/cms"
	wf "github.com/monograph-cms/monograph/internal/workflow"
)

// A translation is signed only by a reviewer who reads its language; a source page asks no
// language at all.
func TestApproveTranslationNeedsTheLanguage(t *testing.T) {
	f := mustFlowIn(t, wf.StateInReview)
	f.fail(wf.Approve{Actor: reviewer, Revision: 1, Locale: "es"}, wf.CodeLanguageNotCovered)
	f.fail(wf.Approve{Actor: reviewer, Revision: 1, Locale: "es", Languages: []string{"en", "cy"}}, wf.CodeLanguageNotCovered)
	f.fail(wf.Approve{Actor: reviewer, Revision: 1, Locale: "es", Languages: []string{"es-MX"}}, wf.CodeLanguageNotCovered)
	f.do(wf.Approve{Actor: reviewer, Revision: 1, Locale: "es-MX", Languages: []string{"en", "es"}})
	if f.p.State != wf.StateApproved {
		t.Fatalf("state %s", f.p.State)
	}

	g := mustFlowIn(t, wf.StateInReview)
	g.do(wf.Approve{Actor: reviewer, Revision: 1}) // a source page: no language asked
}

// The page's actions say why a reviewer without the language may not sign, with the
// code the approve route answers.
func TestAvailableTranslationLanguage(t *testing.T) {
	f := mustFlowIn(t, wf.StateInReview)
	approve := func(a wf.Asker) wf.ActionAvailability {
		for _, av := range wf.Available(f.p, a, f.now) {
			if av.Action == wf.ActionApprove {
				return av
			}
		}
		t.Fatal("no approve")
		return wf.ActionAvailability{}
	}
	no := approve(wf.Asker{Actor: reviewer, LatestAuthor: writer.UserID, Locale: "es", Languages: []string{"en"}})
	if no.Allowed || no.Reason != wf.CodeLanguageNotCovered || no.Message == "" {
		t.Fatalf("without es: %+v", no)
	}
	yes := approve(wf.Asker{Actor: reviewer, LatestAuthor: writer.UserID, Locale: "es", Languages: []string{"es"}})
	if !yes.Allowed {
		t.Fatalf("with es: %+v", yes)
	}
	if err := wf.CheckLanguage("cy", nil); !cms.IsCode(err, wf.CodeLanguageNotCovered) {
		t.Fatalf("CheckLanguage: %v", err)
	}
}
