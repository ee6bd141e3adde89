package main

import (
	"bufio"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bridgeSide listens where the bridge's drain socket would be: the test plays the bridge.
func bridgeSide(t *testing.T) (string, net.Listener) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "drain.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return sock, ln
}

// The hook must ask, then wait for the answer.
func TestDrainAsksAndWaitsForTheBridge(t *testing.T) {
	bin := buildAgent(t)
	sock, ln := bridgeSide(t)
	cmd := exec.Command(bin, "--drain", sock)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "drain\n" {
		t.Fatalf("hook sent %q (%v), want \"drain\\n\"", line, err)
	}
	select {
	case err := <-exited:
		t.Fatalf("the hook ended (%v) before the bridge said it drained", err)
	default:
	}
	if _, err := conn.Write([]byte("drained\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v (stderr %s)", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hook did not end after the answer")
	}
	if !strings.Contains(stderr.String(), "bridge drained after") {
		t.Fatalf("stderr %q does not say the bridge drained", stderr.String())
	}
}

func TestDrainWithoutABridgeEndsAtOnceAndSucceeds(t *testing.T) {
	bin := buildAgent(t)
	out, err := exec.Command(bin, "--drain", filepath.Join(t.TempDir(), "absent.sock")).CombinedOutput()
	if err != nil {
		t.Fatalf("exit: %v (%s)", err, out)
	}
	if !strings.Contains(string(out), "no bridge to drain") {
		t.Fatalf("output %q does not say there was no bridge", out)
	}
}

func TestDrainThatTheBridgeNeverAnswersEndsAtItsTimeout(t *testing.T) {
	bin := buildAgent(t)
	sock, ln := bridgeSide(t)
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			defer func() { _ = conn.Close() }()
			_, _ = io.Copy(io.Discard, conn) // reads the ask, never answers, until the hook hangs up
		}
	}()
	out, err := exec.Command(bin, "--drain", sock, "--drain-timeout", "300ms").CombinedOutput()
	if err != nil {
		t.Fatalf("exit: %v (%s)", err, out)
	}
	if !strings.Contains(string(out), "did not say it drained") {
		t.Fatalf("output %q does not say the bridge never answered", out)
	}
}
