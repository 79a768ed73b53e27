package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/monograph-cms/monograph/internal/transparency"
)

// maxCheckpointBytes bounds a checkpoint file (a real one is about 200 bytes).
const maxCheckpointBytes = 64 << 10

// runAuditVerifyAll is `monograph audit verify [--checkpoint FILE]`: every page's chain
// (runAuditVerify), then the accounts chain and the verifiable log (verifyRecord). Both
// run whatever the first found, and the exit is non-zero naming every failure.
func runAuditVerifyAll(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	checkpointFile, rest, err := cutCheckpointFlag(args)
	if err != nil {
		return err
	}
	chainsErr := runAuditVerify(ctx, rest, stdout, stderr, getenv)
	cfg, _, err := parseConfig("audit verify", rest, io.Discard, getenv, nil)
	if err != nil {
		return errors.Join(chainsErr, err)
	}
	a, err := Open(ctx, cfg, Options{Logger: NewLogger(cfg, stderr)})
	if err != nil {
		return errors.Join(chainsErr, err)
	}
	defer a.Close(context.Background())
	return errors.Join(chainsErr, a.verifyRecord(ctx, checkpointFile, stdout))
}

// cutCheckpointFlag takes --checkpoint FILE (or -checkpoint, or =FILE) out of args: the
// other flags are the common ones runAuditVerify parses.
func cutCheckpointFlag(args []string) (file string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "checkpoint" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", nil, errors.New("--checkpoint: needs a file (a checkpoint kept from GET /api/v1/transparency/checkpoint)")
			}
			i++
			value = args[i]
		}
		file = value
	}
	return file, rest, nil
}

// verifyRecord checks the accounts chain and the verifiable log (transparency.Verify),
// with the checkpoint in checkpointFile when one is named, and says what it checked.
func (a *App) verifyRecord(ctx context.Context, checkpointFile string, stdout io.Writer) error {
	var errs []error
	if br, err := a.Pages.VerifyAccountsChain(ctx); err != nil {
		errs = append(errs, fmt.Errorf("accounts chain: %w", err))
	} else if br != nil {
		errs = append(errs, fmt.Errorf("audit chain broken: %v", br))
	} else {
		fmt.Fprintln(stdout, "accounts chain intact")
	}
	var checkpoint []byte
	if checkpointFile != "" {
		b, err := readCheckpointFile(checkpointFile)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		checkpoint = b
	}
	r, err := transparency.Verify(ctx, a.Store, a.Transparency.Key().VerifierKey(), checkpoint)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("verifiable record: %w", err))...)
	}
	fmt.Fprintf(stdout, "verifiable log intact: %d events, root %s, every leaf recomputed from its event\n", r.Size, r.Root)
	if r.Checkpoint != nil {
		fmt.Fprintf(stdout, "checkpoint %s verified: the log extends its tree of %d events\n", checkpointFile, r.Checkpoint.Size)
	}
	return errors.Join(errs...)
}

func readCheckpointFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	if len(b) > maxCheckpointBytes {
		return nil, fmt.Errorf("--checkpoint: %s is larger than %d bytes: not a checkpoint", path, maxCheckpointBytes)
	}
	return b, nil
}
