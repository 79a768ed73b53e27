package content

// This file is goldmark's emphasis matching (ProcessDelimiters in parser/delimiter.go of
// github.com/yuin/goldmark v1.8.7) with the bound CommonMark's reference implementation
// keeps and goldmark does not: for each closer the original looks back through every
// earlier delimiter for an opener, so 25,000 repetitions of "*a_ " or "_*a" cost seconds.
// Here a search that fails is remembered per kind of closer (its character, whether it can
// open, its length modulo 3: all that decides whether an opener matches it), and the next
// closer of that kind stops where that search began. Matches are the same: an opener that
// matched no closer of a kind can never match one later (delimiters are only removed).
//
// goldmark's core calls its own ProcessDelimiters at the end of every block; linearContext
// makes that call run this one instead (see FirstDelimiter).
//
// The original's licence is in markdown_goldmark_license.go.

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
)

// closerKind indexes what decides whether an opener matches a closer.
type closerKind struct {
	char    byte
	canOpen bool
	mod3    int
}

// processDelimiters is parser.ProcessDelimiters, bounded as the file comment says.
func processDelimiters(bottom ast.Node, pc parser.Context) {
	lastDelimiter := pc.LastDelimiter()
	if lastDelimiter == nil {
		return
	}
	var closer *parser.Delimiter
	if bottom != nil {
		if bottom != lastDelimiter {
			for c := lastDelimiter.PreviousSibling(); c != nil && c != bottom; {
				if d, ok := c.(*parser.Delimiter); ok {
					closer = d
				}
				c = c.PreviousSibling()
			}
		}
	} else {
		closer = pc.FirstDelimiter()
	}
	if closer == nil {
		pc.ClearDelimiters(bottom)
		return
	}
	// searched[k] is where the last failed search for a closer of kind k began: no
	// delimiter before it (delimiters are in source order) matches that kind.
	searched := map[closerKind]int{}
	for closer != nil {
		if !closer.CanClose {
			closer = closer.NextDelimiter
			continue
		}
		kind := closerKind{closer.Char, closer.CanOpen, closer.OriginalLength % 3}
		floor, bounded := searched[kind]
		consume := 0
		found := false
		maybeOpener := false
		var opener *parser.Delimiter
		for opener = closer.PreviousDelimiter; opener != nil && opener != bottom; opener = opener.PreviousDelimiter {
			if bounded && opener.Segment.Start < floor {
				break // Changed: searched already, in vain
			}
			if opener.CanOpen && opener.Processor.CanOpenCloser(opener, closer) {
				maybeOpener = true
				consume = opener.CalcComsumption(closer)
				if consume > 0 {
					found = true
					break
				}
			}
		}
		if !found {
			searched[kind] = closer.Segment.Start
			next := closer.NextDelimiter
			if !maybeOpener && !closer.CanOpen {
				pc.RemoveDelimiter(closer)
			}
			closer = next
			continue
		}
		opener.ConsumeCharacters(consume)
		closer.ConsumeCharacters(consume)

		node := opener.Processor.OnMatch(consume)
		node.(interface{ SetPos(int) }).SetPos(opener.Segment.Start)

		parent := opener.Parent()
		child := opener.NextSibling()

		for child != nil && child != closer {
			next := child.NextSibling()
			node.AppendChild(node, child)
			child = next
		}
		parent.InsertAfter(parent, opener, node)

		for c := opener.NextDelimiter; c != nil && c != closer; {
			next := c.NextDelimiter
			pc.RemoveDelimiter(c)
			c = next
		}

		if opener.Length == 0 {
			pc.RemoveDelimiter(opener)
		}

		if closer.Length == 0 {
			next := closer.NextDelimiter
			pc.RemoveDelimiter(closer)
			closer = next
		}
	}
	pc.ClearDelimiters(bottom)
}

// linearContext is the parser.Context RenderMarkdown parses with: goldmark's own, with the
// two places where goldmark's core consults state this package keeps itself.
type linearContext struct{ parser.Context }

func newLinearContext() parser.Context { return linearContext{parser.NewContext()} }

// FirstDelimiter is asked for only by parser.ProcessDelimiters with no bottom, which the
// core calls when a block's inlines are parsed: processDelimiters does that work instead,
// and the answer "none" leaves the original nothing to do.
func (c linearContext) FirstDelimiter() *parser.Delimiter {
	processDelimiters(nil, c.Context)
	return nil
}

// IsInLinkLabel reports on this package's link parser (markdown_links.go), which replaces
// goldmark's; Linkify asks it so as not to make links inside a link's text.
func (c linearContext) IsInLinkLabel() bool { return c.Get(linkLabelStateKey) != nil }
