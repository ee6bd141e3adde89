package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildAgent compiles the agent once per test binary run into a temp dir.
func buildAgent(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mcp-agent")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startAgent runs the agent with `sh -c 'echo $$; exec cat'`: each child first prints its pid, then echoes.
func startAgent(t *testing.T, bin string) (string, *exec.Cmd) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	cmd := exec.Command(bin, "--socket", sock, "--kill-grace", "500ms", "--", "sh", "-c", "echo $$; exec cat")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_, _ = cmd.Process.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(sock); err == nil && fi.Mode()&os.ModeSocket != 0 {
			if fi.Mode().Perm() != 0o666 {
				t.Fatalf("socket mode = %v, want 0666", fi.Mode().Perm())
			}
			return sock, cmd
		}
		if time.Now().After(deadline) {
			t.Fatal("socket never appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type session struct {
	conn *net.UnixConn
	r    *bufio.Reader
	pid  int
}

func dial(t *testing.T, sock string) *session {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	uc := c.(*net.UnixConn)
	_ = uc.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(uc)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("pid line %q: %v", line, err)
	}
	return &session{conn: uc, r: r, pid: pid}
}

func (s *session) echo(t *testing.T, msg string) string {
	t.Helper()
	if _, err := fmt.Fprintf(s.conn, "%s\n", msg); err != nil {
		t.Fatal(err)
	}
	got, err := s.r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(got)
}

func alive(pid int) bool {
	// A zombie still answers kill(0); read its state to tell.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWhenTwoConnectionsThenTwoIndependentChildren(t *testing.T) {
	sock, _ := startAgent(t, buildAgent(t))
	a := dial(t, sock)
	b := dial(t, sock)
	if a.pid == b.pid {
		t.Fatalf("both connections share pid %d", a.pid)
	}
	if got := a.echo(t, "hello-a"); got != "hello-a" {
		t.Fatalf("a echoed %q", got)
	}
	if got := b.echo(t, "hello-b"); got != "hello-b" {
		t.Fatalf("b echoed %q", got)
	}
	// Interleave: each child only sees its own connection's bytes.
	if got := a.echo(t, "second-a"); got != "second-a" {
		t.Fatalf("a echoed %q", got)
	}
	a.conn.Close()
	b.conn.Close()
	waitGone(t, a.pid)
	waitGone(t, b.pid)
}

func TestWhenConnectionClosesThenItsChildIsKilledAndOthersLive(t *testing.T) {
	sock, _ := startAgent(t, buildAgent(t))
	a := dial(t, sock)
	b := dial(t, sock)
	a.conn.Close()
	waitGone(t, a.pid)
	if !alive(b.pid) {
		t.Fatal("closing a killed b's child")
	}
	if got := b.echo(t, "still-here"); got != "still-here" {
		t.Fatalf("b echoed %q", got)
	}
}

func TestWhenChildIgnoresSigtermThenItIsKilled(t *testing.T) {
	bin := buildAgent(t)
	sock := filepath.Join(t.TempDir(), "agent.sock")
	cmd := exec.Command(bin, "--socket", sock, "--kill-grace", "300ms", "--", "sh", "-c", "trap '' TERM; echo $$; while :; do sleep 0.05; done")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no socket")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := dial(t, sock)
	s.conn.Close()
	waitGone(t, s.pid)
}

func TestWhenAgentGetsSigtermThenChildrenStopAndAgentExits(t *testing.T) {
	sock, cmd := startAgent(t, buildAgent(t))
	a := dial(t, sock)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("agent exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("agent did not exit")
	}
	waitGone(t, a.pid)
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
}

func TestWhenChildExitsThenConnectionSeesEOF(t *testing.T) {
	bin := buildAgent(t)
	sock := filepath.Join(t.TempDir(), "agent.sock")
	cmd := exec.Command(bin, "--socket", sock, "--", "sh", "-c", "echo $$; echo bye")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no socket")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := dial(t, sock)
	line, err := s.r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "bye" {
		t.Fatalf("got %q, %v", line, err)
	}
	if _, err := s.r.ReadString('\n'); err == nil {
		t.Fatal("expected EOF after the child exited")
	}
}
