// Command mcp-agent is the static stdio agent of the sidecar topology (docs/operator.md, DESIGN §3).
//
//	/mcp/agent --socket /mcp/agent.sock -- <command> [args...]
//	/mcp/agent --drain /mcp/bridge-drain.sock        (the server container's preStop hook: drain.go)
//
// It listens on a Unix socket in the pod's shared emptyDir. For every accepted connection it starts
// the command in its own process group, with the connection as the child's stdin/stdout (stderr stays
// the container's stderr, so `kubectl logs -c server` shows it). When the connection closes, the
// child's whole process group is terminated (SIGTERM, then SIGKILL after a grace period). When the child
// exits on its own, the connection is closed so the bridge sees EOF. SIGTERM/SIGINT to the agent are
// forwarded to every child group; the agent then exits. It also reaps orphans, since it runs as PID 1.
//
// No dependencies beyond the standard library; built static (agent/build.sh).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// killGrace is how long a child group gets between SIGTERM and SIGKILL.
var killGrace = 3 * time.Second

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(argv []string) int {
	fs := flag.NewFlagSet("mcp-agent", flag.ContinueOnError)
	socket := fs.String("socket", "/mcp/agent.sock", "Unix socket path to listen on")
	mode := fs.Uint("socket-mode", 0o666, "permission bits of the socket (the emptyDir is the access boundary)")
	grace := fs.Duration("kill-grace", killGrace, "time between SIGTERM and SIGKILL of a child's process group")
	drainPath := fs.String("drain", "", "instead of serving: ask the bridge on this drain socket to drain, wait until it has (a preStop hook)")
	drainTimeout := fs.Duration("drain-timeout", 60*time.Second, "with --drain: wait at most this long (the pod's grace period bounds it too)")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if *drainPath != "" {
		return drain(*drainPath, *drainTimeout)
	}
	command := fs.Args()
	if len(command) == 0 {
		fmt.Fprintln(os.Stderr, "mcp-agent: usage: mcp-agent --socket PATH -- <command> [args...]")
		return 2
	}
	killGrace = *grace
	path, err := exec.LookPath(command[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: %v\n", err)
		return 127
	}

	a := newAgent(path, command)
	// Stale socket from a previous container run in the same emptyDir.
	if err := os.Remove(*socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "mcp-agent: remove stale socket: %v\n", err)
		return 1
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: *socket, Net: "unix"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: listen: %v\n", err)
		return 1
	}
	ln.SetUnlinkOnClose(true)
	// The bridge may run with another uid; the socket sits in a pod-private emptyDir, which is the boundary.
	if err := os.Chmod(*socket, os.FileMode(*mode)); err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: chmod socket: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "mcp-agent: listening on %s for %q\n", *socket, command)

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	go a.handleSignals(signals, ln)

	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			if a.stopping() {
				a.wg.Wait()
				return 0
			}
			fmt.Fprintf(os.Stderr, "mcp-agent: accept: %v\n", err)
			return 1
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.serve(conn)
		}()
	}
}

type agent struct {
	path    string
	argv    []string
	wg      sync.WaitGroup
	mu      sync.Mutex
	stop    bool
	exits   map[int]chan syscall.WaitStatus // direct children waiting for their exit status
	pending map[int]syscall.WaitStatus      // statuses reaped before the child was registered
}

func newAgent(path string, argv []string) *agent {
	return &agent{path: path, argv: argv, exits: map[int]chan syscall.WaitStatus{}, pending: map[int]syscall.WaitStatus{}}
}

func (a *agent) stopping() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stop
}

func (a *agent) handleSignals(signals <-chan os.Signal, ln *net.UnixListener) {
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			a.reap()
			continue
		}
		a.mu.Lock()
		a.stop = true
		pids := make([]int, 0, len(a.exits))
		for pid := range a.exits {
			pids = append(pids, pid)
		}
		a.mu.Unlock()
		for _, pid := range pids {
			_ = syscall.Kill(-pid, syscall.SIGTERM)
		}
		_ = ln.Close()
	}
}

// reap collects every exited child (direct children and orphans re-parented to us as PID 1) and hands
// direct children's statuses to their waiters. We never use exec.Cmd.Wait, so there is no race on wait4.
func (a *agent) reap() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
		a.mu.Lock()
		if ch, ok := a.exits[pid]; ok {
			delete(a.exits, pid)
			ch <- ws
		} else {
			a.pending[pid] = ws
		}
		a.mu.Unlock()
	}
}

// serve runs one child for one connection.
func (a *agent) serve(conn *net.UnixConn) {
	defer conn.Close()
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcp-agent: pipe: %v\n", err)
		return
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		stdinW.Close()
		fmt.Fprintf(os.Stderr, "mcp-agent: pipe: %v\n", err)
		return
	}
	a.mu.Lock()
	if a.stop {
		a.mu.Unlock()
		stdinR.Close()
		stdinW.Close()
		stdoutR.Close()
		stdoutW.Close()
		return
	}
	proc, err := os.StartProcess(a.path, a.argv, &os.ProcAttr{
		Env:   os.Environ(),
		Files: []*os.File{stdinR, stdoutW, os.Stderr},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	var exited chan syscall.WaitStatus
	if err == nil {
		exited = make(chan syscall.WaitStatus, 1)
		if ws, ok := a.pending[proc.Pid]; ok {
			delete(a.pending, proc.Pid)
			exited <- ws
		} else {
			a.exits[proc.Pid] = exited
		}
	}
	a.mu.Unlock()
	stdinR.Close()
	stdoutW.Close()
	if err != nil {
		stdinW.Close()
		stdoutR.Close()
		fmt.Fprintf(os.Stderr, "mcp-agent: start %q: %v\n", a.argv, err)
		return
	}
	pid := proc.Pid
	fmt.Fprintf(os.Stderr, "mcp-agent: connection accepted, started pid %d\n", pid)

	connClosed := make(chan struct{})
	go func() { // connection -> child stdin; EOF or error means the bridge is gone
		_, _ = io.Copy(stdinW, conn)
		stdinW.Close()
		close(connClosed)
	}()
	outDone := make(chan struct{})
	go func() { // child stdout -> connection
		_, _ = io.Copy(conn, stdoutR)
		stdoutR.Close()
		_ = conn.CloseWrite()
		close(outDone)
	}()

	var status syscall.WaitStatus
	select {
	case status = <-exited:
	case <-connClosed:
		status = terminateGroup(pid, exited)
	}
	// Leftover members of the group (e.g. grandchildren of npx) go with it.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-outDone
	fmt.Fprintf(os.Stderr, "mcp-agent: pid %d ended (%s)\n", pid, describe(status))
}

// terminateGroup sends SIGTERM to the child's process group, then SIGKILL after killGrace.
func terminateGroup(pid int, exited <-chan syscall.WaitStatus) syscall.WaitStatus {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	timer := time.NewTimer(killGrace)
	defer timer.Stop()
	select {
	case ws := <-exited:
		return ws
	case <-timer.C:
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		return <-exited
	}
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit %d", ws.ExitStatus())
}
