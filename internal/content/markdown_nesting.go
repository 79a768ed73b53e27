package content

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// maxContainerNesting bounds how deep blockquotes and lists nest in one another. goldmark
// measures the column of every block it opens from the start of the line, so a line of
// 50,000 ">" (as many nested quotes) cost it 1.25 billion steps; past this depth a marker is
// text. No page needs more than a handful of levels; markdown-it stops at a similar depth.
const maxContainerNesting = 32

// nestingLimit is a blockquote or list parser that opens nothing deeper than
// maxContainerNesting. It refuses before the parser reads anything, so a refused line is
// parsed exactly as if the parser did not exist.
type nestingLimit struct{ parser.BlockParser }

func (p nestingLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			depth++
		}
	}
	if depth >= maxContainerNesting {
		return nil, parser.NoChildren
	}
	return p.BlockParser.Open(parent, reader, pc)
}
