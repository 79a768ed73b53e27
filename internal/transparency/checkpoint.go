package transparency

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a statement of the log's tree: its size and root hash, under the log's
// name. Signed (a note, golang.org/x/mod/sumdb/note), it commits the instance to every
// leaf of that tree: any later tree must contain it as a prefix (a consistency proof shows
// it), so a kept checkpoint exposes any event removed or altered after it was signed.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint's note text: "<origin>\n<size>\n<base64 root hash>\n".
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + c.Root.String() + "\n"
}

// ParseCheckpoint reads a checkpoint's note text.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, errors.New("a checkpoint is three lines: origin, tree size, root hash")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	size, err := strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil || size < 0 || origin == "" {
		return Checkpoint{}, errors.New("a checkpoint names its origin and a tree size of 0 or more")
	}
	root, err := tlog.ParseHash(strings.TrimSuffix(lines[2], "\n"))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("a checkpoint's root hash: %w", err)
	}
	return Checkpoint{Origin: origin, Size: size, Root: root}, nil
}

// Sign returns the checkpoint as a note signed by k.
func Sign(c Checkpoint, k *Key) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Text()}, k.signer)
}

// OpenCheckpoint verifies a signed checkpoint with the verifier key vkey (note format) and
// returns it. It fails unless the key signed it and it is of the key's log.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the checkpoint's signature does not verify with the log's key %s: %w", vkey, err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("the checkpoint is of the log %q, not %q", c.Origin, v.Name())
	}
	return c, nil
}
