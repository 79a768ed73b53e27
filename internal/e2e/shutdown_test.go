package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown: SIGTERM while a request is in flight (its body only half sent) →
// the server finishes that request, refuses new connections, exits 0, and has closed the
// store cleanly (the data dir opens again at once).
func TestGracefulShutdown(t *testing.T) {
	skipOnMongoRun(t)
	if testing.Short() {
		t.Skip("runs the binary")
	}
	t.Parallel()
	data := t.TempDir()
	p := StartProc(t, "--demo", "--data", data)
	addr := strings.TrimPrefix(p.URL, "http://")

	body := `{"email":"writer@example.com","password":"monograph-demo"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", addr, len(body))
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server is now reading this request's body

	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Shutdown closes the listener first: new connections are refused.
	eventually(t, 10*time.Second, func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return fmt.Errorf("the server still accepts new connections after SIGTERM")
		}
		return nil
	})
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatalf("finishing the in-flight request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("in-flight login answered %d, want 200", resp.StatusCode)
	}

	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit within 30 s of SIGTERM")
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, p.Stderr())
	}
	// The store was closed and the lock released: another process opens the data dir.
	if err, stdout, stderr := runBinary(t, "", "audit", "verify", "--data", data); err != nil {
		t.Fatalf("data dir after shutdown: %v\n%s%s", err, stdout, stderr)
	}
}
