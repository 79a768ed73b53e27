package app

import (
	"context"
	"errors"
	"io"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("import: not implemented yet")
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("export: not implemented yet")
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("audit verify: not implemented yet")
}
