//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal: what the test writes to master, the
// command reads from tty as if typed, and the terminal's echo comes back
// on master.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close(); master.Close() })
	return master, tty
}

func ioctl(fd uintptr, req uint, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// echoOff reports whether the terminal echoes no more.
func echoOff(tty *os.File) bool {
	var tios syscall.Termios
	return ioctl(tty.Fd(), syscall.TCGETS, unsafe.Pointer(&tios)) == nil && tios.Lflag&syscall.ECHO == 0
}

// promptWatch is standard error, telling the test each time a prompt is
// written.
type promptWatch struct {
	mu      sync.Mutex
	b       bytes.Buffer
	prompts chan struct{}
}

func (p *promptWatch) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if bytes.Contains(b, []byte("Password")) {
		p.prompts <- struct{}{}
	}
	return p.b.Write(b)
}

func (p *promptWatch) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.String()
}

// TestPasswordFromTerminal: in a terminal the password is asked for on
// standard error, twice, and typed without echo.
func TestPasswordFromTerminal(t *testing.T) {
	const secret = "correct horse battery"
	for _, tt := range []struct {
		name   string
		typed  [2]string
		code   int
		stdout string
		stderr string
	}{
		{"same twice", [2]string{secret, secret}, 0, "created alice (user)", "Password again: "},
		{"typing mistake", [2]string{secret, secret + "x"}, 1, "", "the two passwords differ"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			master, tty := openPTY(t)
			var echoed bytes.Buffer
			done := make(chan struct{})
			go func() { io.Copy(&echoed, master); close(done) }()

			stderr := &promptWatch{prompts: make(chan struct{}, 2)}
			go func() {
				for _, line := range tt.typed {
					select { // without a prompt, type anyway: the test then fails, not hangs
					case <-stderr.prompts:
					case <-time.After(5 * time.Second):
					}
					for deadline := time.Now().Add(5 * time.Second); !echoOff(tty) && time.Now().Before(deadline); {
						time.Sleep(time.Millisecond)
					}
					master.Write([]byte(line + "\n"))
				}
			}()

			var stdout bytes.Buffer
			dir := t.TempDir()
			e := &env{ctx: context.Background(), stdin: tty, stdout: &stdout, stderr: stderr,
				getenv: func(k string) string {
					switch k {
					case "MOMO_DATA_DIR":
						return dir
					case "LOG_FILE":
						return "-"
					}
					return ""
				}, log: slog.New(slog.DiscardHandler)}
			code := run(e, []string{"user", "create", "-email", "a@example.com", "alice"})
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), "Password: ") {
				t.Errorf("no prompt on standard error: %q", stderr.String())
			}

			tty.Close()
			master.Close()
			<-done
			if strings.Contains(echoed.String(), secret[:8]) {
				t.Errorf("the password was echoed: %q", echoed.String())
			}
		})
	}
}
